/* sync and daemon: sync the shops, then publish the index. */
#include "cmd.h"
#include "cluster-run.h"
#include "engine.h"
#include "filters.h"
#include "hook-apply.h"
#include "progress.h"
#include "publish.h"
#include "status-run.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile int stop_flag;
static volatile sig_atomic_t reload_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

struct cycle {
	const char *only_shop;
	bool full, quiet;
	/* the daemon: a cycle without a full pass publishes only the orders
	   it wrote, into the index's delta (doc/index-format.md §10) */
	bool incremental;
	/* the next publish is a full one: the first cycle, a reload, a full
	   pass, a publish that failed or found nothing to publish */
	bool publish_full;
	/* per configured shop: refs_hash of its last good sync */
	unsigned long long *refs;
	unsigned int n_refs;
	unsigned int ok, failed;
};

static int cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Sorted, each id once; returns how many. */
static unsigned int ids_unique(struct engine_ids *l)
{
	unsigned int n = 0;

	if (l->n == 0)
		return 0;
	qsort(l->v, l->n, sizeof(*l->v), cmp_id);
	for (unsigned int i = 1; i < l->n; i++) {
		if (l->v[i] != l->v[n])
			l->v[++n] = l->v[i];
	}
	l->n = n + 1;
	return l->n;
}

/* What a shop's sync means for the publish: a full pass, orders deleted
   or renamed reference data (status, currency, shipping names are in
   every order's record) want the whole index again. */
static void note_shop(struct cycle *cy, unsigned int i,
		      const struct sync_shop_result *res)
{
	if (res->full || res->deleted > 0)
		cy->publish_full = true;
	if (cy->refs == NULL || i >= cy->n_refs)
		return;
	if (cy->refs[i] != res->refs_hash)
		cy->publish_full = true;
	cy->refs[i] = res->refs_hash;
}

/* The daemon's incremental publish: each shop's orders into the delta
   (sync_publish_orders_fold folds it past SYNC_DELTA_FOLD_DAEMON).
   1 done, 0 a full publish is needed. */
static int publish_changes(const struct shoper_sync_config *cfg,
			   struct sync_state *st, struct cycle *cy,
			   struct engine_ids *touched, long long *changed_r)
{
	struct shoper_error err;
	struct stat sb;
	long long total = 0;

	*changed_r = 0;
	/* no index (removed meanwhile), or one that lacks a change a failed
	   publish (of a webhook, a status change) left in the state */
	if (touched == NULL || cy->publish_full || sync_publish_owed() ||
	    stat(cfg->index_path, &sb) < 0)
		return 0;
	for (unsigned int i = 0; i < cfg->n_shops; i++)
		total += ids_unique(&touched[i]);
	if (total > SYNC_DELTA_FOLD_DAEMON)
		return 0;
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		if (touched[i].n > 0 &&
		    sync_publish_orders_fold(
			    cfg, st, cfg->shops[i].name, touched[i].v,
			    touched[i].n, SYNC_DELTA_FOLD_DAEMON, &err) < 0) {
			/* the full publish below gives every change */
			fprintf(stderr, "index %s: incremental publish: %s\n",
				cfg->index_path, err.msg);
			return 0;
		}
	}
	*changed_r = total;
	return 1;
}

static void print_published(const struct shoper_sync_config *cfg, int ret,
			    bool delta, long long changed, double ms,
			    const struct sync_publish_result *pub)
{
	if (ret > 0 && delta && changed == 0)
		printf("index %s: published, no order changed\n",
		       cfg->index_path);
	else if (ret > 0 && delta)
		printf("index %s: published, %lld orders changed (incremental, %.0f ms)\n",
		       cfg->index_path, changed, ms);
	else if (ret > 0 && pub->unindexed > 0)
		printf("index %s: published, %lld orders, %lld left out (data the index cannot hold; shoper-sync check lists them)\n",
		       cfg->index_path, pub->orders, pub->unindexed);
	else if (ret > 0)
		printf("index %s: published, %lld orders\n", cfg->index_path,
		       pub->orders);
	else if (ret == 0)
		printf("index %s: not published (no shop has synced yet)\n",
		       cfg->index_path);
}

/* The whole index, unless the daemon's cycle can publish only what it
   changed. */
static int publish_cycle(const struct shoper_sync_config *cfg,
			 struct sync_state *st, struct cycle *cy,
			 struct engine_ids *touched, bool *delta_r,
			 long long *changed_r, struct sync_publish_result *pub,
			 struct shoper_error *err)
{
	*delta_r = publish_changes(cfg, st, cy, touched, changed_r) > 0;
	if (*delta_r)
		return 1;
	int ret = sync_publish_counted(cfg, st, pub, err);
	cy->publish_full = ret <= 0;
	return ret;
}

/* Sync every shop (or one), then publish. Returns an exit code. */
static int run_cycle(const struct shoper_sync_config *cfg,
		     struct sync_state *st, struct cycle *cy)
{
	struct sync_engine_opts opts;
	struct sync_shop_result res;
	struct sync_publish_result pub = {0, 0};
	struct shoper_error err;
	struct engine_ids *touched = NULL;
	long long changed = 0;
	bool delta = false;

	memset(&opts, 0, sizeof(opts));
	opts.full = cy->full;
	opts.stop_flag = &stop_flag;
	opts.progress = sync_progress_new(isatty(STDERR_FILENO), cy->quiet);
	cy->ok = cy->failed = 0;
	if (cy->incremental && cfg->n_shops > 0)
		touched = calloc(cfg->n_shops, sizeof(*touched));
	if (cy->incremental && touched == NULL)
		cy->publish_full = true;
	/* queued status changes first: the sync then refreshes those orders */
	(void)sync_status_run_queue(cfg, st, &stop_flag);
	for (unsigned int i = 0; i < cfg->n_shops && !stop_flag; i++) {
		const struct shoper_shop_config *shop = &cfg->shops[i];
		if (cy->only_shop != NULL &&
		    strcmp(cy->only_shop, shop->name) != 0)
			continue;
		opts.touched = touched == NULL ? NULL : &touched[i];
		/* one shop failing never stops the others */
		if (sync_engine_run_shop(cfg, shop, st, &opts, &res) == 0) {
			cy->ok++;
			note_shop(cy, i, &res);
		} else {
			cy->failed++;
		}
	}
	sync_progress_free(&opts.progress);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int ret = publish_cycle(cfg, st, cy, touched, &delta, &changed, &pub,
				&err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (unsigned int i = 0; touched != NULL && i < cfg->n_shops; i++)
		free(touched[i].v);
	free(touched);
	if (ret < 0) {
		fprintf(stderr, "index %s: not published: %s\n",
			cfg->index_path, err.msg);
		return SYNC_EXIT_LOCAL;
	}
	if (sync_status_write_list(cfg, st, &err) < 0)
		fprintf(stderr, "status list: %s\n", err.msg);
	/* statuses renamed in a shop: rewrite filters (no-op if unchanged) */
	if (sync_filters_update(cfg, st, NULL, &err) < 0)
		fprintf(stderr, "filters %s: %s\n", cfg->filters_dir, err.msg);
	if (!cy->quiet)
		print_published(cfg, ret, delta, changed,
				(t1.tv_sec - t0.tv_sec) * 1e3 +
					(t1.tv_nsec - t0.tv_nsec) / 1e6,
				&pub);
	fflush(stdout);
	return cy->failed > 0 ? SYNC_EXIT_FAIL : SYNC_EXIT_OK;
}

static void install_signals(bool daemon)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (daemon)
		sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cmd_sync(struct cmd_ctx *ctx)
{
	struct cycle cy;
	struct sync_state *st;
	struct shoper_error err;

	memset(&cy, 0, sizeof(cy));
	cy.quiet = ctx->quiet;
	for (int i = 0; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--full") == 0)
			cy.full = true;
		else if (strcmp(ctx->argv[i], "--shop") == 0 &&
			 i + 1 < ctx->argc)
			cy.only_shop = ctx->argv[++i];
		else {
			fprintf(stderr,
				"usage: shoper-sync sync [--shop NAME] [--full]\n");
			return SYNC_EXIT_USAGE;
		}
	}
	struct shoper_sync_config *cfg = cmd_load_config(ctx->config_path);
	if (cfg == NULL)
		return SYNC_EXIT_CONFIG;
	if (cfg->cluster != NULL) {
		/* a sync now would call the shops whoever holds their lease */
		fprintf(stderr,
			"%s has [cluster]: the daemon syncs the shops (only the lease holder calls a shop); run shoper-sync daemon, or check for the leases\n",
			cfg->path);
		shoper_config_free(&cfg);
		return SYNC_EXIT_CONFIG;
	}
	if (cy.only_shop != NULL &&
	    shoper_config_find_shop(cfg, cy.only_shop) == NULL) {
		fprintf(stderr,
			"%s: no [shop %s]; the shops are named in [shop NAME] headers\n",
			cfg->path, cy.only_shop);
		shoper_config_free(&cfg);
		return SYNC_EXIT_CONFIG;
	}
	if (sync_state_open(cfg->state_dir, false, &st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		shoper_config_free(&cfg);
		return SYNC_EXIT_LOCAL;
	}
	install_signals(false);
	int ret = run_cycle(cfg, st, &cy);
	sync_state_close(&st);
	shoper_config_free(&cfg);
	return ret;
}

/* SIGHUP: a new configuration (and credentials) for the next cycle; a bad
   one is refused and the old one kept. The listener serves the
   configuration it was started with: it is restarted with the new. */
static void reload(struct shoper_sync_config **cfg, struct sync_state **st,
		   const char *path, struct hook_listener **l)
{
	struct shoper_error err;
	struct sync_state *new_st;

	reload_flag = 0;
	struct shoper_sync_config *new_cfg = cmd_load_config(path);
	if (new_cfg != NULL) {
		hook_apply(*l, *cfg, *st, &stop_flag, true);
		hook_listen_stop(l);
	}
	if (new_cfg == NULL) {
		fprintf(stderr,
			"reload refused, keeping the running configuration\n");
		return;
	}
	if (strcmp(new_cfg->state_dir, (*cfg)->state_dir) != 0) {
		if (sync_state_open(new_cfg->state_dir, false, &new_st, &err) <
		    0) {
			fprintf(stderr, "reload refused: %s\n", err.msg);
			shoper_config_free(&new_cfg);
			return;
		}
		sync_state_close(st);
		*st = new_st;
	}
	shoper_config_free(cfg);
	*cfg = new_cfg;
	fprintf(stderr, "configuration reloaded from %s\n", path);
}

static void restart_listener(const struct shoper_sync_config *cfg,
			     struct hook_listener **l)
{
	struct shoper_error err;

	if (*l == NULL && (*l = hook_listen_start(cfg, &err)) == NULL &&
	    err.msg[0] != '\0')
		fprintf(stderr, "webhooks not received: %s\n", err.msg);
}

/* Until the next poll: queued status changes start it early; webhooks'
   orders are re-read within HOOK_COALESCE_SECS of their arrival. */
static void wait_next(const struct shoper_sync_config *cfg,
		      struct sync_state *st, struct hook_listener *l,
		      const struct timespec *began, bool quiet)
{
	time_t next = time(NULL) + cfg->interval;
	const struct timespec tick = {0, 50 * 1000 * 1000};

	/* a status change queued since this cycle began starts the next one
	   at once; one this cycle set aside (its shop out of reach) waits
	   for its time like the sync */
	for (unsigned int n = 0;
	     !stop_flag && !reload_flag && time(NULL) < next &&
	     (n % 20 != 0 || !sync_status_pending(cfg, began));
	     n++) {
		if (hook_listen_pending(l) >= HOOK_COALESCE_SECS)
			hook_apply(l, cfg, st, &stop_flag, quiet);
		nanosleep(&tick, NULL);
	}
}

int cmd_daemon(struct cmd_ctx *ctx)
{
	struct cycle cy;
	struct sync_state *st;
	struct shoper_error err;

	if (ctx->argc > 0) {
		fprintf(stderr, "usage: shoper-sync daemon\n");
		return SYNC_EXIT_USAGE;
	}
	struct shoper_sync_config *cfg = cmd_load_config(ctx->config_path);
	if (cfg == NULL)
		return SYNC_EXIT_CONFIG;
	if (sync_state_open(cfg->state_dir, false, &st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		shoper_config_free(&cfg);
		return SYNC_EXIT_LOCAL;
	}
	install_signals(true);
	/* many backends: the cluster's cycles, with their own listener */
	int cret = SYNC_EXIT_OK;
	while (cfg->cluster != NULL && !stop_flag) {
		cret = cluster_daemon_loop(cfg, st, &stop_flag, &reload_flag,
					   ctx->quiet);
		if (cret != 0 || stop_flag)
			break;
		struct hook_listener *none = NULL;
		reload(&cfg, &st, ctx->config_path, &none);
	}
	if (cfg->cluster != NULL) {
		sync_state_close(&st);
		shoper_config_free(&cfg);
		return cret;
	}
	struct hook_listener *l = hook_listen_start(cfg, &err);
	if (l == NULL && err.msg[0] != '\0') {
		fprintf(stderr, "%s\n", err.msg);
		sync_state_close(&st);
		shoper_config_free(&cfg);
		return SYNC_EXIT_CONFIG;
	}
	memset(&cy, 0, sizeof(cy));
	cy.quiet = ctx->quiet;
	cy.incremental = true;
	while (!stop_flag) {
		struct timespec began;
		clock_gettime(CLOCK_REALTIME, &began);
		began.tv_sec--; /* file times come from a coarser clock */
		if (cy.refs == NULL) {
			/* first cycle, or a new configuration: shops, windows,
			   languages may differ, so the whole index again */
			cy.refs = calloc(cfg->n_shops + 1, sizeof(*cy.refs));
			cy.n_refs = cy.refs == NULL ? 0 : cfg->n_shops;
			cy.publish_full = true;
		}
		(void)run_cycle(cfg, st, &cy);
		hook_apply(l, cfg, st, &stop_flag, cy.quiet);
		wait_next(cfg, st, l, &began, cy.quiet);
		if (reload_flag && !stop_flag) {
			reload(&cfg, &st, ctx->config_path, &l);
			restart_listener(cfg, &l);
			free(cy.refs);
			cy.refs = NULL;
		}
	}
	free(cy.refs);
	hook_listen_stop(&l);
	sync_state_close(&st);
	shoper_config_free(&cfg);
	return SYNC_EXIT_OK;
}
