/* A shop's statuses across the nodes. The lease holder reads them from
   its state (the engine keeps them there) and writes them to Redis when
   they differ from what the cluster has; every other node writes what
   came into its own state. So the status list (<index>.statuses), the
   filters and the checks of status requests read them from the state on
   every node, as on a single server. Currencies and shipping methods do
   not travel: an order in Redis carries their names already. */
#include "cluster-run.h"
#include "filters.h"
#include "status-run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct encode_ctx {
	struct shoper_cluster_buf b;
	long long last; /* the status of the last row, 0 none */
};

static int encode_row(void *ctx, const struct sync_status_name_row *r)
{
	struct encode_ctx *e = ctx;
	struct shoper_cluster_status s = {r->status_id, r->type, r->active,
					  r->position};

	/* rows come by status, then language: each status once, then its
	   names */
	if (e->last != r->status_id)
		shoper_cluster_statuses_add(&e->b, &s);
	e->last = r->status_id;
	if (r->lang != NULL && r->name != NULL)
		shoper_cluster_statuses_name(&e->b, r->lang, r->name,
					     r->name_len);
	return e->b.failed ? -1 : 0;
}

int cluster_refs_publish(struct cluster_daemon *d, struct cluster_shop *s,
			 struct sync_state *st, struct shoper_error *err)
{
	struct encode_ctx e = {{NULL, 0, 0, false}, 0};
	struct shoper_lease lease;
	const char *have;
	size_t have_len;
	int ret = -1;

	/* the holder's state has changed them, maybe: its list and filters
	   are written again, as a single server does after a sync */
	d->refs_dirty = true;
	shoper_cluster_statuses_begin(&e.b, s->cfg->name);
	if (sync_state_export_statuses(st, s->cfg->name, encode_row, &e, err) <
	    0)
		goto out;
	if (e.b.failed) {
		shoper_error_set(err, "out of memory");
		goto out;
	}
	(void)shoper_replica_statuses(s->rep, &have, &have_len);
	ret = 1;
	if (have != NULL && have_len == e.b.len &&
	    memcmp(have, e.b.data, have_len) == 0)
		goto out;
	pthread_mutex_lock(&d->mtx);
	lease = s->lease;
	pthread_mutex_unlock(&d->mtx);
	ret = shoper_cluster_publish_statuses(d->c, &lease, s->rep, e.b.data,
					      e.b.len, err);
	if (ret == 0) {
		pthread_mutex_lock(&d->mtx);
		s->lease.token = 0;
		pthread_mutex_unlock(&d->mtx);
	}
	/* this node wrote them from its state: nothing to take back */
	s->refs_gen = shoper_replica_statuses(s->rep, &have, &have_len);
	if (ret > 0 && !d->quiet)
		printf("cluster: [shop %s] statuses written (token %llu)\n",
		       s->cfg->name, (unsigned long long)lease.token);
out:
	shoper_cluster_buf_free(&e.b);
	return ret;
}

struct store_ctx {
	struct sync_state *st;
	const char *shop;
	struct shoper_error *err;
};

static int store_status(void *ctx, const struct shoper_cluster_status *s,
			const struct shoper_str *lang,
			const struct shoper_str *name)
{
	struct store_ctx *sc = ctx;
	char l[40];

	if (lang == NULL) {
		struct sync_status ss = {s->status_id, s->type, s->active,
					 s->position, NULL};
		return sync_state_put_status(sc->st, sc->shop, &ss, sc->err);
	}
	snprintf(l, sizeof(l), "%.*s", (int)lang->len, lang->ptr);
	return sync_state_put_status_name(sc->st, sc->shop, s->status_id, l,
					  name->ptr, name->len, sc->err);
}

/* The replica's statuses into the state, in one transaction: the state
   never holds half a list. */
static int store_shop(struct cluster_shop *s, struct sync_state *st,
		      struct shoper_error *err)
{
	struct store_ctx sc = {st, s->cfg->name, err};
	const char *data;
	size_t len;

	(void)shoper_replica_statuses(s->rep, &data, &len);
	if (data == NULL)
		return 0;
	if (shoper_cluster_decode_statuses(data, len, s->cfg->name, NULL,
					   NULL) < 0) {
		shoper_error_set(err,
				 "[shop %s] statuses from Redis not usable: "
				 "left out",
				 s->cfg->name);
		return -1;
	}
	if (sync_state_begin(st, err) < 0)
		return -1;
	if (sync_state_clear_refs(st, s->cfg->name, "statuses", err) < 0 ||
	    shoper_cluster_decode_statuses(data, len, s->cfg->name,
					   store_status, &sc) != 0 ||
	    sync_state_commit(st, err) < 0) {
		sync_state_rollback(st);
		return -1;
	}
	return 1;
}

void cluster_refs_update(struct cluster_daemon *d, struct sync_state *st)
{
	struct shoper_error err;
	const char *data;
	size_t len;

	for (unsigned int i = 0; i < d->n_shops; i++) {
		struct cluster_shop *s = &d->shops[i];
		unsigned int gen = shoper_replica_statuses(s->rep, &data, &len);
		pthread_mutex_lock(&d->mtx);
		bool leads = shoper_lease_valid(&s->lease);
		pthread_mutex_unlock(&d->mtx);
		/* the holder's own state is where they came from */
		if (gen == s->refs_gen || leads)
			continue;
		s->refs_gen = gen;
		int ret = store_shop(s, st, &err);
		if (ret < 0)
			fprintf(stderr, "cluster: [shop %s] statuses: %s\n",
				s->cfg->name, err.msg);
		if (ret > 0)
			d->refs_dirty = true;
	}
	if (!d->refs_dirty)
		return;
	d->refs_dirty = false;
	if (sync_status_write_list(d->cfg, st, &err) < 0)
		fprintf(stderr, "status list: %s\n", err.msg);
	/* statuses renamed in a shop: the filters again (no-op unchanged) */
	if (sync_filters_update(d->cfg, st, NULL, &err) < 0)
		fprintf(stderr, "filters %s: %s\n", d->cfg->filters_dir,
			err.msg);
}
