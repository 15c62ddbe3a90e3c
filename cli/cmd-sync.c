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
	unsigned int ok, failed;
};

/* Sync every shop (or one), then publish. Returns an exit code. */
static int run_cycle(const struct shoper_sync_config *cfg,
		     struct sync_state *st, struct cycle *cy)
{
	struct sync_engine_opts opts;
	struct sync_shop_result res;
	struct sync_publish_result pub = {0, 0};
	struct shoper_error err;

	memset(&opts, 0, sizeof(opts));
	opts.full = cy->full;
	opts.stop_flag = &stop_flag;
	opts.progress = sync_progress_new(isatty(STDERR_FILENO), cy->quiet);
	cy->ok = cy->failed = 0;
	/* queued status changes first: the sync then refreshes those orders */
	(void)sync_status_run_queue(cfg, st, &stop_flag);
	for (unsigned int i = 0; i < cfg->n_shops && !stop_flag; i++) {
		const struct shoper_shop_config *shop = &cfg->shops[i];
		if (cy->only_shop != NULL &&
		    strcmp(cy->only_shop, shop->name) != 0)
			continue;
		/* one shop failing never stops the others */
		if (sync_engine_run_shop(cfg, shop, st, &opts, &res) == 0)
			cy->ok++;
		else
			cy->failed++;
	}
	sync_progress_free(&opts.progress);
	int ret = sync_publish_counted(cfg, st, &pub, &err);
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
	if (ret > 0 && !cy->quiet && pub.unindexed > 0)
		printf("index %s: published, %lld orders, %lld left out (data the index cannot hold; shoper-sync check lists them)\n",
		       cfg->index_path, pub.orders, pub.unindexed);
	else if (ret > 0 && !cy->quiet)
		printf("index %s: published, %lld orders\n", cfg->index_path,
		       pub.orders);
	else if (ret == 0 && !cy->quiet)
		printf("index %s: not published (no shop has synced yet)\n",
		       cfg->index_path);
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
	/* many backends: the cluster's cycles (no webhook listener yet) */
	while (cfg->cluster != NULL && !stop_flag) {
		int ret = cluster_daemon_loop(cfg, st, &stop_flag, &reload_flag,
					      ctx->quiet);
		if (ret != 0 || stop_flag)
			break;
		struct hook_listener *none = NULL;
		reload(&cfg, &st, ctx->config_path, &none);
	}
	if (cfg->cluster != NULL) {
		sync_state_close(&st);
		shoper_config_free(&cfg);
		return SYNC_EXIT_OK;
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
	while (!stop_flag) {
		struct timespec began;
		clock_gettime(CLOCK_REALTIME, &began);
		began.tv_sec--; /* file times come from a coarser clock */
		(void)run_cycle(cfg, st, &cy);
		hook_apply(l, cfg, st, &stop_flag, cy.quiet);
		wait_next(cfg, st, l, &began, cy.quiet);
		if (reload_flag && !stop_flag) {
			reload(&cfg, &st, ctx->config_path, &l);
			restart_listener(cfg, &l);
		}
	}
	hook_listen_stop(&l);
	sync_state_close(&st);
	shoper_config_free(&cfg);
	return SYNC_EXIT_OK;
}
