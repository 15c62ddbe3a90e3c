/* What the daemon does with the orders webhooks queued: re-read them by
   REST (one bulk call takes 25 pages of 50 ids, within the bucket), then
   publish them. The webhook's body is never trusted: duplicates,
   reordering and replays all end in the order as the shop has it now. */
#include "hook-apply.h"
#include "progress.h"
#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void apply_shop(const struct shoper_sync_config *cfg,
		       const struct shoper_shop_config *shop,
		       struct sync_state *st, const struct engine_ids *ids,
		       volatile int *stop_flag, bool quiet)
{
	struct sync_engine_opts opts;
	struct sync_shop_result res;
	struct shoper_error err;
	double t0 = now_ms();

	memset(&opts, 0, sizeof(opts));
	opts.only_orders = ids;
	opts.stop_flag = stop_flag;
	opts.progress = sync_progress_new(false, true);
	int ret = sync_engine_run_shop(cfg, shop, st, &opts, &res);
	sync_progress_free(&opts.progress);
	if (ret < 0) {
		/* the next poll reads them */
		fprintf(stderr,
			"webhook: [shop %s] %u orders not re-read: %s\n",
			shop->name, ids->n, res.error);
		return;
	}
	/* no full publish in a webhook round: the delta folds past
	   SYNC_DELTA_FOLD_DAEMON entries or at the next full pass */
	ret = sync_publish_orders_fold(cfg, st, shop->name, ids->v, ids->n,
				       SYNC_DELTA_FOLD_DAEMON, &err);
	if (ret < 0)
		fprintf(stderr, "webhook: index %s: not published: %s\n",
			cfg->index_path, err.msg);
	else if (!quiet)
		printf("webhook: [shop %s] %u orders re-read (%lld gone), %s "
		       "in %.0f ms\n",
		       shop->name, ids->n, res.deleted,
		       ret > 0 ? "published" : "not published", now_ms() - t0);
	fflush(stdout);
}

void hook_apply(struct hook_listener *l, const struct shoper_sync_config *cfg,
		struct sync_state *st, volatile int *stop_flag, bool quiet)
{
	if (l == NULL)
		return;
	hook_listen_flush_stats(l, st);
	for (unsigned int i = 0; i < cfg->n_shops && !*stop_flag; i++) {
		struct engine_ids ids = {NULL, 0, 0};
		hook_listen_take(l, cfg->shops[i].name, &ids);
		if (ids.n > 0)
			apply_shop(cfg, &cfg->shops[i], st, &ids, stop_flag,
				   quiet);
		free(ids.v);
	}
}
