/* The daemon's cycles with [cluster]. Per shop: pull the change stream
   into the replica and the local index; take the lease when nobody
   holds it; as the holder, sync the shop and write the difference.
   A thread of its own (the keeper, on its own connection) renews the
   leases while a sync runs and sets the shop's stop flag once the lease
   can no longer be trusted, so the engine makes no further call. */
#include "cluster-run.h"
#include "engine.h"
#include "hook-cluster.h"
#include "progress.h"
#include "status-run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void *keeper(void *ctx)
{
	struct cluster_daemon *d = ctx;
	double third = d->cfg->cluster->lease_ms / 3.0;
	struct shoper_error err;

	while (!d->quit) {
		for (unsigned int i = 0; i < d->n_shops; i++) {
			struct cluster_shop *s = &d->shops[i];
			pthread_mutex_lock(&d->mtx);
			struct shoper_lease l = s->lease;
			pthread_mutex_unlock(&d->mtx);
			if (l.token != 0 &&
			    shoper_cluster_now_ms() - l.renewed_at >= third) {
				int ret = shoper_lease_renew(d->kc, &l, &err);
				pthread_mutex_lock(&d->mtx);
				if (ret >= 0 && s->lease.token == l.token)
					s->lease = l;
				else if (ret == 0)
					s->lease.token = 0;
				pthread_mutex_unlock(&d->mtx);
				if (ret == 0)
					fprintf(stderr,
						"cluster: [shop %s] lease lost\n",
						s->cfg->name);
			}
			pthread_mutex_lock(&d->mtx);
			s->stop =
				*d->stop_flag || !shoper_lease_valid(&s->lease);
			pthread_mutex_unlock(&d->mtx);
		}
		sleep_ms(50);
	}
	return NULL;
}

static bool leads(struct cluster_daemon *d, struct cluster_shop *s)
{
	pthread_mutex_lock(&d->mtx);
	bool ret = shoper_lease_valid(&s->lease);
	pthread_mutex_unlock(&d->mtx);
	return ret;
}

static void redis_failed(struct cluster_daemon *d,
			 const struct shoper_error *err)
{
	if (strcmp(d->redis_error, err->msg) != 0)
		fprintf(stderr,
			"cluster: %s (the local index stays as it is)\n",
			err->msg);
	snprintf(d->redis_error, sizeof(d->redis_error), "%s", err->msg);
}

/* Takes the lease when it is free; 1 when this node leads now. */
static int try_lease(struct cluster_daemon *d, struct cluster_shop *s)
{
	struct shoper_lease l;
	struct shoper_error err;

	if (leads(d, s))
		return 1;
	if (shoper_cluster_now_ms() < s->next_try)
		return 0;
	s->next_try = shoper_cluster_now_ms() + d->cfg->cluster->lease_ms / 3.0;
	pthread_mutex_lock(&d->mtx);
	l = s->lease;
	pthread_mutex_unlock(&d->mtx);
	int ret = shoper_lease_acquire(d->c, &l, &err);
	if (ret < 0) {
		/* taken but not replicated yet: the keeper renews it */
		if (l.token != 0) {
			pthread_mutex_lock(&d->mtx);
			s->lease = l;
			pthread_mutex_unlock(&d->mtx);
		}
		redis_failed(d, &err);
		return 0;
	}
	pthread_mutex_lock(&d->mtx);
	s->lease = l;
	s->stop = ret == 0;
	pthread_mutex_unlock(&d->mtx);
	if (ret > 0) {
		printf("cluster: [shop %s] this node leads (token %llu)\n",
		       s->cfg->name, (unsigned long long)l.token);
		fflush(stdout);
		/* from the snapshot: what the last holder wrote before its
		   lease ended. Redis without one (first start, or its data
		   lost) gets all of this node's orders at the first diff. */
		s->ready = false;
		shoper_replica_clear(s->rep);
		if (cluster_apply_pull(d, s, &err) < 0) {
			redis_failed(d, &err);
			return 0;
		}
		s->ready = true;
	}
	return ret;
}

static void sync_shop(struct cluster_daemon *d, struct cluster_shop *s,
		      struct sync_state *st)
{
	struct sync_engine_opts opts;
	struct sync_shop_result res;
	struct shoper_error err;

	memset(&opts, 0, sizeof(opts));
	opts.stop_flag = &s->stop;
	opts.progress = sync_progress_new(false, true);
	int ret = sync_engine_run_shop(d->cfg, s->cfg, st, &opts, &res);
	sync_progress_free(&opts.progress);
	s->calls += res.calls;
	if (ret < 0)
		fprintf(stderr, "cluster: [shop %s] sync failed: %s\n",
			s->cfg->name, res.error);
	if (!leads(d, s)) {
		fprintf(stderr,
			"cluster: [shop %s] lease ended during the sync; its changes wait for the next holder\n",
			s->cfg->name);
		return;
	}
	if (cluster_apply_leader(d, s, st, &err) < 0)
		redis_failed(d, &err);
}

static void pull_all(struct cluster_daemon *d)
{
	struct shoper_error err;
	bool failed = false;

	for (unsigned int i = 0; i < d->n_shops && !*d->stop_flag; i++) {
		if (cluster_apply_pull(d, &d->shops[i], &err) < 0) {
			redis_failed(d, &err);
			failed = true;
			break;
		}
	}
	if (!failed)
		d->redis_error[0] = '\0';
}

static void cycle(struct cluster_daemon *d, struct sync_state *st)
{
	pull_all(d);
	for (unsigned int i = 0; i < d->n_shops && !*d->stop_flag; i++) {
		struct cluster_shop *s = &d->shops[i];
		if (try_lease(d, s) <= 0 || !s->ready)
			continue;
		sync_shop(d, s, st);
	}
	cluster_requests_step(d, st);
	cluster_apply_full(d, st);
	cluster_write_status(d);
}

/* Until the next cycle: the streams are pulled every 200 ms and free
   leases tried every third of the lease; a lease taken starts the
   cycle at once. */
static void wait_next(struct cluster_daemon *d, struct sync_state *st,
		      volatile sig_atomic_t *reload_flag)
{
	time_t next = time(NULL) + d->cfg->interval;

	while (!*d->stop_flag && !*reload_flag && time(NULL) < next) {
		sleep_ms(200);
		pull_all(d);
		hook_cluster_round(d, st);
		for (unsigned int i = 0; i < d->n_shops; i++) {
			struct cluster_shop *s = &d->shops[i];
			if (!leads(d, s) && try_lease(d, s) > 0)
				next = 0;
		}
		cluster_requests_step(d, st);
		cluster_apply_full(d, st);
		cluster_write_status(d);
	}
}

static int start(struct cluster_daemon *d, const struct shoper_sync_config *cfg,
		 volatile int *stop_flag, bool quiet)
{
	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->stop_flag = stop_flag;
	d->quiet = quiet;
	d->need_full = true;
	pthread_mutex_init(&d->mtx, NULL);
	d->c = shoper_cluster_new(cfg->cluster);
	d->kc = shoper_cluster_new(cfg->cluster);
	d->shops = calloc(cfg->n_shops, sizeof(*d->shops));
	if (d->c == NULL || d->kc == NULL || d->shops == NULL)
		return -1;
	d->n_shops = cfg->n_shops;
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		struct cluster_shop *s = &d->shops[i];
		s->cfg = &cfg->shops[i];
		s->stop = 1;
		snprintf(s->lease.shop, sizeof(s->lease.shop), "%s",
			 s->cfg->name);
		s->rep = shoper_replica_new(s->cfg->name);
		if (s->rep == NULL)
			return -1;
	}
	if (pthread_create(&d->keeper, NULL, keeper, d) != 0)
		return -1;
	printf("cluster: node %s, Redis %s\n", shoper_cluster_node(d->c),
	       cfg->cluster->sentinel[0] != '\0' ? cfg->cluster->sentinel
						 : cfg->cluster->redis);
	fflush(stdout);
	return 0;
}

static void stop(struct cluster_daemon *d, bool started)
{
	if (started) {
		d->quit = 1;
		pthread_join(d->keeper, NULL);
	}
	for (unsigned int i = 0; i < d->n_shops; i++) {
		/* the next holder need not wait for the expiry */
		if (d->c != NULL)
			shoper_lease_release(d->c, &d->shops[i].lease);
		shoper_replica_free(&d->shops[i].rep);
	}
	free(d->shops);
	cluster_requests_free(d);
	shoper_cluster_free(&d->c);
	shoper_cluster_free(&d->kc);
	pthread_mutex_destroy(&d->mtx);
}

int cluster_daemon_loop(const struct shoper_sync_config *cfg,
			struct sync_state *st, volatile int *stop_flag,
			volatile sig_atomic_t *reload_flag, bool quiet)
{
	struct cluster_daemon d;

	if (start(&d, cfg, stop_flag, quiet) < 0) {
		fprintf(stderr, "cluster: out of memory\n");
		stop(&d, false);
		return 4;
	}
	if (hook_cluster_start(&d) < 0) {
		stop(&d, true);
		return 3; /* the cli's SYNC_EXIT_CONFIG */
	}
	while (!*stop_flag && !*reload_flag) {
		cycle(&d, st);
		wait_next(&d, st, reload_flag);
	}
	hook_cluster_stop(&d);
	stop(&d, true);
	return 0;
}
