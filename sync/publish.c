/* Builds the whole index from the state and replaces it atomically. */
#include "publish.h"
#include "engine.h"

#include <stdio.h>
#include <string.h>

/* Temporary files a publish killed midway left next to the index and the
   status list. Only a shoper-sync holding the state lock publishes (sync,
   daemon, set-status), and this one holds it now, so no temporary file
   can be in use: all go, whatever their age. Best effort: a file that
   stays costs disk space only. */
static void remove_stale_tmp(const char *index_path)
{
	char dir[4096], base[4096];
	const char *slash = strrchr(index_path, '/');
	struct shoper_error err;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == index_path ? 1 : (int)(slash - index_path),
			 index_path);
	snprintf(base, sizeof(base), "%s",
		 slash == NULL ? index_path : slash + 1);
	(void)shoper_file_clean_tmp(dir, base, 0, &err);
	strncat(base, ".statuses", sizeof(base) - strlen(base) - 1);
	(void)shoper_file_clean_tmp(dir, base, 0, &err);
}

struct publish_ctx {
	struct shoper_index_writer *w;
	long long n, skipped;
};

static int add_order(void *_ctx, const struct shoper_order *o,
		     struct shoper_error *err)
{
	struct publish_ctx *ctx = _ctx;

	/* one unusable order (e.g. a field over the index's limit) must not
	   keep every other order out of the index */
	if (shoper_index_writer_add(ctx->w, o, err) < 0)
		ctx->skipped++;
	else
		ctx->n++;
	return 0;
}

int sync_publish(const struct shoper_sync_config *cfg, struct sync_state *st,
		 long long *orders_r, struct shoper_error *err)
{
	struct publish_ctx ctx = {NULL, 0, 0};
	struct sync_cursors c;
	char window[20], zone[64];
	long long checked;
	unsigned int shops = 0;
	int ret = 0;

	*orders_r = 0;
	remove_stale_tmp(cfg->index_path);
	ctx.w = shoper_index_writer_new(cfg->max_orders);
	if (ctx.w == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < cfg->n_shops && ret == 0; i++) {
		const struct shoper_shop_config *shop = &cfg->shops[i];
		if (sync_state_get_cursors(st, shop->name, &c, err) < 0) {
			ret = -1;
			break;
		}
		if (!c.backfill_done)
			continue; /* never a partial shop */
		shops++;
		/* the window moves on even when the shop's sync failed */
		if (sync_state_get_zone(st, shop->name, zone, sizeof(zone),
					&checked, err) < 0) {
			ret = -1;
			break;
		}
		sync_local_time(zone, -(long long)shop->history_days * 86400,
				window);
		ret = sync_state_export(st, shop->name, shop->url,
					shop->language, window, add_order, &ctx,
					err);
	}
	if (ret == 0 && shops > 0) {
		ret = shoper_index_writer_publish(ctx.w, cfg->index_path, err);
		if (ret == 0)
			ret = 1;
	}
	shoper_index_writer_free(&ctx.w);
	*orders_r = ctx.n;
	return ret;
}
