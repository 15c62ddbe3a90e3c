/* Between the replicas and the local index: the leader's difference of
   state and replica, written to Redis; the changes a pull brought,
   written to the local index as a delta; the full publish from the
   replicas. Every node builds its index from the replicas only, so all
   nodes serve the same orders. */
#include "cluster-run.h"
#include "publish.h"
#include "shop-time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* order ids a pull or a publish changed */
struct id_list {
	char (*v)[24];
	unsigned int n, alloc;
};

static int id_add(struct id_list *l, const char *id)
{
	if (l->n == l->alloc) {
		unsigned int a = l->alloc == 0 ? 64 : l->alloc * 2;
		void *v = realloc(l->v, a * sizeof(*l->v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->alloc = a;
	}
	snprintf(l->v[l->n++], sizeof(l->v[0]), "%s", id);
	return 0;
}

/* The replica's order id as the index takes it: the blob must be this
   shop's order under this id (a node trusts no other blindly). */
static int decode_checked(const struct cluster_shop *s, const char *id,
			  const char *data, size_t len, struct shoper_order *o)
{
	if (shoper_cluster_decode_order(data, len, o) < 0)
		return -1;
	if (o->shop.len != strlen(s->cfg->name) ||
	    memcmp(o->shop.ptr, s->cfg->name, o->shop.len) != 0 ||
	    o->order_id.len != strlen(id) ||
	    memcmp(o->order_id.ptr, id, o->order_id.len) != 0)
		return -1;
	return 0;
}

/* The changed ids as a delta over the local index; a full publish when
   the index cannot take one. */
static void apply_ids(struct cluster_daemon *d, struct cluster_shop *s,
		      const struct id_list *ids)
{
	struct shoper_order *ch = calloc(ids->n + 1, sizeof(*ch));
	struct shoper_order_ref *del = calloc(ids->n + 1, sizeof(*del));
	struct shoper_index_delta_info info;
	struct shoper_error err;
	unsigned int n_ch = 0, n_del = 0;
	const char *data;
	size_t len;

	if (ch == NULL || del == NULL || d->need_full) {
		d->need_full = true;
		goto out;
	}
	for (unsigned int i = 0; i < ids->n; i++) {
		if (shoper_replica_get(s->rep, ids->v[i], &data, &len) == 1) {
			if (decode_checked(s, ids->v[i], data, len,
					   &ch[n_ch]) == 0)
				n_ch++;
			continue;
		}
		del[n_del].shop.ptr = s->cfg->name;
		del[n_del].shop.len = strlen(s->cfg->name);
		del[n_del].order_id.ptr = ids->v[i];
		del[n_del].order_id.len = strlen(ids->v[i]);
		n_del++;
	}
	if (shoper_index_publish_changes(d->cfg->index_path, ch, n_ch, del,
					 n_del, &info, &err) != 1 ||
	    info.orders + info.deleted > SYNC_DELTA_FOLD)
		d->need_full = true;
out:
	free(ch);
	free(del);
}

static int collect_cb(void *ctx, const struct shoper_change *ch)
{
	struct id_list *ids = ctx;

	/* NULL: a snapshot replaces the shop's orders, a full publish */
	return ch == NULL ? 0 : id_add(ids, ch->order_id);
}

int cluster_apply_pull(struct cluster_daemon *d, struct cluster_shop *s,
		       struct shoper_error *err)
{
	struct id_list ids = {NULL, 0, 0};
	struct shoper_pull res;
	int ret;

	do {
		ids.n = 0;
		ret = shoper_cluster_pull(d->c, s->rep, 0, collect_cb, &ids,
					  &res, err);
		if (ret < 0)
			break;
		if (res.snapshot) {
			s->ready = true;
			d->need_full = true;
		} else if (ids.n > 0) {
			apply_ids(d, s, &ids);
		}
		if (res.entries > 0 || res.snapshot)
			s->lag_ms = res.lag_ms;
	} while (res.entries > 0 && !*d->stop_flag);
	free(ids.v);
	return ret;
}

/* ---- the leader's difference ---- */

struct diff {
	struct cluster_shop *s;
	struct shoper_replica *seen;
	struct shoper_change *v;
	char **bufs;
	unsigned int n, alloc;
};

static int diff_add(struct diff *df, const char *id, char *data, size_t len)
{
	if (df->n == df->alloc) {
		unsigned int a = df->alloc == 0 ? 256 : df->alloc * 2;
		void *v = realloc(df->v, a * sizeof(*df->v));
		void *b = v == NULL ? NULL
				    : realloc(df->bufs, a * sizeof(char *));
		if (v != NULL)
			df->v = v;
		if (b == NULL)
			return -1;
		df->bufs = b;
		df->alloc = a;
	}
	/* the id is kept with the blob: the change points at both */
	size_t id_len = strlen(id) + 1;
	char *p = malloc(id_len + len + 1);
	if (p == NULL)
		return -1;
	memcpy(p, id, id_len);
	if (len > 0)
		memcpy(p + id_len, data, len);
	df->bufs[df->n] = p;
	df->v[df->n].order_id = p;
	df->v[df->n].data = data != NULL ? p + id_len : NULL;
	df->v[df->n].len = len;
	df->n++;
	return 0;
}

/* How much older than the state's the cluster's synced time of an
   unchanged order may get before it is written again: a re-read alone
   (the engine re-reads recent orders each cycle) changes only synced,
   and writing each would fill the stream with no news. */
#define SYNCED_REFRESH_S 3600

/* The replica's order is o but for a synced time at most
   SYNCED_REFRESH_S older. */
static bool same_but_synced(const struct shoper_order *o, const char *old,
			    size_t old_len)
{
	struct shoper_order was, copy = *o;
	char s_old[20], s_due[20], s_now[20];
	char *blob;
	size_t len;

	if (shoper_cluster_decode_order(old, old_len, &was) < 0)
		return false;
	snprintf(s_old, sizeof(s_old), "%.*s", (int)was.synced.len,
		 was.synced.ptr);
	snprintf(s_now, sizeof(s_now), "%.*s", (int)o->synced.len,
		 o->synced.ptr);
	sync_date_add(s_old, SYNCED_REFRESH_S, s_due);
	if (strcmp(s_now, s_due) >= 0)
		return false;
	copy.synced = was.synced;
	if (shoper_cluster_encode_order(&copy, &blob, &len) < 0)
		return false;
	bool same = len == old_len && memcmp(blob, old, len) == 0;
	free(blob);
	return same;
}

static int diff_order(void *ctx, const struct shoper_order *o,
		      struct shoper_error *err)
{
	struct diff *df = ctx;
	char id[24], *blob;
	const char *old;
	size_t len, old_len;
	int ret = 0;

	snprintf(id, sizeof(id), "%.*s", (int)o->order_id.len, o->order_id.ptr);
	if (shoper_cluster_encode_order(o, &blob, &len) < 0 ||
	    shoper_replica_put(df->seen, id, "", 0) < 0) {
		shoper_error_set(err, "out of memory");
		return -1;
	}
	if (shoper_replica_get(df->s->rep, id, &old, &old_len) == 0 ||
	    !same_but_synced(o, old, old_len))
		ret = diff_add(df, id, blob, len);
	free(blob);
	if (ret < 0)
		shoper_error_set(err, "out of memory");
	return ret;
}

static int diff_gone(void *ctx, const char *id, const char *data, size_t len)
{
	struct diff *df = ctx;
	const char *d;
	size_t l;

	if (shoper_replica_get(df->seen, id, &d, &l) == 1)
		return 0;
	return diff_add(df, id, NULL, 0);
}

static int export_shop(struct sync_state *st, struct diff *df,
		       struct shoper_error *err)
{
	const struct shoper_shop_config *shop = df->s->cfg;
	char window[20], zone[64];
	long long checked;

	if (sync_state_get_zone(st, shop->name, zone, sizeof(zone), &checked,
				err) < 0)
		return -1;
	sync_local_time(zone, -(long long)shop->history_days * 86400, window);
	if (sync_state_export(st, shop->name, shop->url, shop->language, window,
			      diff_order, df, err) < 0)
		return -1;
	if (shoper_replica_foreach(df->s->rep, diff_gone, df) != 0) {
		shoper_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

int cluster_apply_leader(struct cluster_daemon *d, struct cluster_shop *s,
			 struct sync_state *st, struct shoper_error *err)
{
	struct diff df = {s, shoper_replica_new(s->cfg->name), NULL, NULL, 0,
			  0};
	struct sync_cursors c;
	struct shoper_lease lease;
	struct id_list ids = {NULL, 0, 0};
	int ret = -1;

	if (df.seen == NULL) {
		shoper_error_set(err, "out of memory");
		return -1;
	}
	/* a shop this node has not backfilled yet would look empty */
	if (sync_state_get_cursors(st, s->cfg->name, &c, err) < 0)
		goto out;
	ret = 1;
	if (!c.backfill_done || !s->ready)
		goto out;
	ret = cluster_refs_publish(d, s, st, err);
	if (ret <= 0)
		goto out;
	ret = -1;
	if (export_shop(st, &df, err) < 0)
		goto out;
	ret = 1;
	if (df.n == 0)
		goto out;
	pthread_mutex_lock(&d->mtx);
	lease = s->lease;
	pthread_mutex_unlock(&d->mtx);
	ret = shoper_cluster_publish(d->c, &lease, s->rep, df.v, df.n, err);
	if (ret == 0) {
		pthread_mutex_lock(&d->mtx);
		s->lease.token = 0;
		pthread_mutex_unlock(&d->mtx);
	}
	if (ret <= 0)
		goto out;
	for (unsigned int i = 0; i < df.n; i++) {
		if (id_add(&ids, df.v[i].order_id) < 0)
			d->need_full = true;
	}
	apply_ids(d, s, &ids);
	if (!d->quiet)
		printf("cluster: [shop %s] %u changes written (token %llu)\n",
		       s->cfg->name, df.n, (unsigned long long)lease.token);
out:
	for (unsigned int i = 0; i < df.n; i++)
		free(df.bufs[i]);
	free(df.v);
	free(df.bufs);
	free(ids.v);
	shoper_replica_free(&df.seen);
	return ret;
}

/* ---- the full publish ---- */

struct source_ctx {
	struct cluster_shop *s;
	sync_state_order_cb *add;
	void *add_ctx;
	struct shoper_error *err;
};

static int source_order(void *ctx, const char *id, const char *data, size_t len)
{
	struct source_ctx *sc = ctx;
	struct shoper_order o;

	if (decode_checked(sc->s, id, data, len, &o) < 0)
		return 0; /* not an order of this shop: left out */
	return sc->add(sc->add_ctx, &o, sc->err) < 0 ? -1 : 0;
}

static int source(void *ctx, const char *shop, sync_state_order_cb *add,
		  void *add_ctx, struct shoper_error *err)
{
	struct cluster_daemon *d = ctx;

	for (unsigned int i = 0; i < d->n_shops; i++) {
		struct cluster_shop *s = &d->shops[i];
		if (strcmp(s->cfg->name, shop) != 0)
			continue;
		struct source_ctx sc = {s, add, add_ctx, err};
		/* a holder before its first write to a Redis without the
		   shop: its own state, if it has synced the shop */
		if (shoper_replica_stream_id(s->rep)[0] == '\0')
			return 0;
		return shoper_replica_foreach(s->rep, source_order, &sc) < 0
			       ? -1
			       : 1;
	}
	return 0;
}

void cluster_apply_full(struct cluster_daemon *d, struct sync_state *st)
{
	struct sync_publish_result pub;
	struct shoper_error err;

	cluster_refs_update(d, st);
	if (!d->need_full)
		return;
	/* until every shop's replica came from Redis the index stays as it
	   is: one built now would lack those shops' orders */
	for (unsigned int i = 0; i < d->n_shops; i++) {
		if (!d->shops[i].ready)
			return;
	}
	sync_publish_set_source(source, d);
	int ret = sync_publish_counted(d->cfg, st, &pub, &err);
	sync_publish_set_source(NULL, NULL);
	if (ret < 0) {
		fprintf(stderr, "index %s: not published: %s\n",
			d->cfg->index_path, err.msg);
		return;
	}
	d->need_full = false;
	if (ret > 0 && !d->quiet)
		printf("index %s: published, %lld orders\n", d->cfg->index_path,
		       pub.orders);
	fflush(stdout);
}

void cluster_write_status(struct cluster_daemon *d)
{
	char path[4096], buf[16384];
	size_t n = 0;
	struct shoper_error err;

	n += snprintf(buf + n, sizeof(buf) - n, "node %s\nserver %s\n",
		      shoper_cluster_node(d->c),
		      d->redis_error[0] != '\0' ? "-"
						: shoper_cluster_server(d->c));
	if (d->redis_error[0] != '\0')
		n += snprintf(buf + n, sizeof(buf) - n, "error %s\n",
			      d->redis_error);
	pthread_mutex_lock(&d->mtx);
	for (unsigned int i = 0; i < d->n_shops && n < sizeof(buf) - 512; i++) {
		const struct cluster_shop *s = &d->shops[i];
		n += snprintf(
			buf + n, sizeof(buf) - n,
			"shop %s role %s token %llu orders %u lag_ms %.0f stream %s calls %u\n",
			s->cfg->name,
			shoper_lease_valid(&s->lease) ? "leader" : "follower",
			(unsigned long long)s->lease.token,
			shoper_replica_count(s->rep), s->lag_ms,
			shoper_replica_stream_id(s->rep)[0] != '\0'
				? shoper_replica_stream_id(s->rep)
				: "-",
			s->calls);
	}
	pthread_mutex_unlock(&d->mtx);
	snprintf(path, sizeof(path), "%s/cluster.status", d->cfg->state_dir);
	(void)shoper_file_replace_data(path, buf, n, 0600, 0, &err);
}
