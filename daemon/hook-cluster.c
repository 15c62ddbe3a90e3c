/* Webhooks under [cluster]. The listener checks every webhook as
   without it; the order id of a verified one is queued here when this
   node leads the shop, else written to the shop's hand-over stream at
   once (hand(), in the listener's thread, on its own connection). With
   Redis away the id is kept here and handed over later, and the shop is
   answered 503 as well: neither alone is durable (the kept id dies with
   this process; a shop need not send again), the two together lose a
   change only when both fail, and the poll is the backstop. A second
   delivery is harmless: the order is re-read, not taken from the body.
   The main thread's round re-reads, as the leader, its own and the
   handed-over ids under the lease's stop flag, and writes the change
   to the change stream like a poll's. */
#include "hook-cluster.h"
#include "engine.h"
#include "hook-listen.h"
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hook_cluster {
	struct cluster_daemon *d;
	struct hook_listener *l;
	struct shoper_cluster *hc; /* the listener thread's */
	volatile int closing; /* hand everything over, lead or not */
	bool *redo; /* per shop: re-read, not yet written to Redis */
	bool *kept; /* per shop: ids wait here for Redis */
};

static bool led(struct cluster_daemon *d, struct cluster_shop *s)
{
	pthread_mutex_lock(&d->mtx);
	bool ret = shoper_lease_valid(&s->lease);
	pthread_mutex_unlock(&d->mtx);
	return ret;
}

static enum hook_hand hand(void *ctx, unsigned int i, long long order)
{
	struct hook_cluster *h = ctx;
	struct cluster_shop *s = &h->d->shops[i];
	struct shoper_error err;

	if (!h->closing && led(h->d, s))
		return HOOK_KEEP;
	if (shoper_hooks_hand(h->hc, s->cfg->name, &order, 1, &err) == 0)
		return HOOK_HANDED;
	fprintf(stderr,
		"webhook: [shop %s] order %lld kept here, answered 503: %s\n",
		s->cfg->name, order, err.msg);
	return HOOK_KEPT_RETRY;
}

int hook_cluster_start(struct cluster_daemon *d)
{
	struct shoper_error err;
	struct hook_listener *l = hook_listen_start(d->cfg, &err);

	if (l == NULL) {
		if (err.msg[0] == '\0')
			return 0;
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	struct hook_cluster *h = calloc(1, sizeof(*h));
	if (h == NULL || (h->redo = calloc(d->n_shops, 1)) == NULL ||
	    (h->kept = calloc(d->n_shops, 1)) == NULL ||
	    (h->hc = shoper_cluster_new(d->cfg->cluster)) == NULL)
		abort();
	h->d = d;
	h->l = l;
	hook_listen_set_hand(l, hand, h);
	d->hooks = h;
	return 0;
}

/* A follower's ids kept while Redis was away: handed over now. */
static void follow(struct hook_cluster *h, unsigned int i)
{
	struct cluster_shop *s = &h->d->shops[i];
	struct engine_ids ids = {NULL, 0, 0};
	struct shoper_error err;

	hook_listen_take(h->l, s->cfg->name, &ids);
	if (ids.n > 0 &&
	    shoper_hooks_hand(h->d->c, s->cfg->name, ids.v, ids.n, &err) < 0) {
		hook_listen_queue(h->l, i, &ids);
		if (!h->kept[i])
			fprintf(stderr,
				"webhook: [shop %s] %u orders kept until Redis "
				"takes them: %s\n",
				s->cfg->name, ids.n, err.msg);
		h->kept[i] = true;
	} else if (ids.n > 0) {
		if (h->kept[i] || !h->d->quiet)
			printf("webhook: [shop %s] %u orders handed over\n",
			       s->cfg->name, ids.n);
		fflush(stdout);
		h->kept[i] = false;
	}
	free(ids.v);
}

static void write_changes(struct hook_cluster *h, unsigned int i,
			  struct sync_state *st)
{
	struct cluster_shop *s = &h->d->shops[i];
	struct shoper_error err;

	h->redo[i] = cluster_apply_leader(h->d, s, st, &err) < 0;
	if (h->redo[i])
		fprintf(stderr,
			"webhook: [shop %s] changes not written to Redis, "
			"again next round: %s\n",
			s->cfg->name, err.msg);
}

/* As the leader: re-read the orders by id (never their bodies), under
   the lease's stop flag, then write what changed. */
static void reread(struct hook_cluster *h, unsigned int i,
		   struct sync_state *st, const struct engine_ids *ids,
		   unsigned int handed)
{
	struct cluster_shop *s = &h->d->shops[i];
	struct sync_engine_opts opts;
	struct sync_shop_result res;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&opts, 0, sizeof(opts));
	opts.only_orders = ids;
	opts.stop_flag = &s->stop;
	opts.progress = sync_progress_new(false, true);
	int ret = sync_engine_run_shop(h->d->cfg, s->cfg, st, &opts, &res);
	sync_progress_free(&opts.progress);
	s->calls += res.calls;
	if (ret < 0) {
		fprintf(stderr,
			"webhook: [shop %s] %u orders not re-read (the next "
			"poll reads them): %s\n",
			s->cfg->name, ids->n, res.error);
		return;
	}
	write_changes(h, i, st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!h->d->quiet)
		printf("webhook: [shop %s] %u orders re-read (%u handed over), "
		       "%lld gone, in %.0f ms\n",
		       s->cfg->name, ids->n, handed, res.deleted,
		       (t1.tv_sec - t0.tv_sec) * 1e3 +
			       (t1.tv_nsec - t0.tv_nsec) / 1e6);
	fflush(stdout);
}

static void add_id(struct engine_ids *ids, long long id)
{
	for (unsigned int i = 0; i < ids->n; i++) {
		if (ids->v[i] == id)
			return;
	}
	if (ids->n == ids->alloc) {
		ids->alloc = ids->alloc * 2 + 16;
		ids->v = realloc(ids->v, ids->alloc * sizeof(*ids->v));
		if (ids->v == NULL)
			abort();
	}
	ids->v[ids->n++] = id;
}

static void lead(struct hook_cluster *h, unsigned int i, struct sync_state *st)
{
	struct cluster_daemon *d = h->d;
	struct cluster_shop *s = &d->shops[i];
	struct engine_ids ids = {NULL, 0, 0};
	struct shoper_hook_batch b;
	struct shoper_error err;

	/* a Redis error here was logged by the pull of this round */
	if (shoper_hooks_read(d->c, s->cfg->name, &b, &err) < 0)
		memset(&b, 0, sizeof(b));
	if (b.dropped > 0)
		fprintf(stderr,
			"webhook: [shop %s] %u hand-over entries dropped (the "
			"last %s): not a list of order ids\n",
			s->cfg->name, b.dropped, b.dropped_id);
	hook_listen_take(h->l, s->cfg->name, &ids);
	unsigned int own = ids.n;
	for (unsigned int j = 0; j < b.n_orders; j++)
		add_id(&ids, b.orders[j]);
	if (ids.n > 0)
		reread(h, i, st, &ids, ids.n - own);
	else if (h->redo[i])
		write_changes(h, i, st);
	pthread_mutex_lock(&d->mtx);
	struct shoper_lease l = s->lease;
	pthread_mutex_unlock(&d->mtx);
	/* fenced: a node deposed meanwhile leaves them to the next */
	if (b.n_entries > 0 && shoper_hooks_ack(d->c, &l, &b, &err) < 0)
		fprintf(stderr, "webhook: [shop %s] %s\n", s->cfg->name,
			err.msg);
	shoper_hook_batch_free(&b);
	free(ids.v);
}

void hook_cluster_round(struct cluster_daemon *d, struct sync_state *st)
{
	struct hook_cluster *h = d->hooks;

	if (h == NULL)
		return;
	hook_listen_flush_stats(h->l, st);
	for (unsigned int i = 0; i < d->n_shops && !*d->stop_flag; i++) {
		struct cluster_shop *s = &d->shops[i];
		if (!led(d, s))
			follow(h, i);
		else if (s->ready)
			lead(h, i, st);
	}
}

void hook_cluster_stop(struct cluster_daemon *d)
{
	struct hook_cluster *h = d->hooks;
	struct engine_ids ids = {NULL, 0, 0};
	struct shoper_error err;

	if (h == NULL)
		return;
	/* from here every id goes to Redis; set_hand waits until one
	   kept just before is in the queue, taken below */
	h->closing = 1;
	hook_listen_set_hand(h->l, hand, h);
	for (unsigned int i = 0; i < d->n_shops; i++) {
		const char *name = d->shops[i].cfg->name;
		ids.n = 0;
		hook_listen_take(h->l, name, &ids);
		if (ids.n > 0 &&
		    shoper_hooks_hand(d->c, name, ids.v, ids.n, &err) < 0)
			fprintf(stderr,
				"webhook: [shop %s] %u orders not handed over "
				"(the next poll reads them): %s\n",
				name, ids.n, err.msg);
	}
	free(ids.v);
	hook_listen_stop(&h->l);
	shoper_cluster_free(&h->hc);
	free(h->redo);
	free(h->kept);
	free(h);
	d->hooks = NULL;
}
