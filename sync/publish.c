/* Builds the whole index from the state and replaces it atomically. */
#include "publish.h"
#include "engine.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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
	(void)shoper_file_clean_tmp(dir, base, 0, &err);
	strncat(base, ".delta", sizeof(base) - strlen(base) - 1);
	(void)shoper_file_clean_tmp(dir, base, 0, &err);
	base[strlen(base) - strlen(".delta")] = '\0';
	strncat(base, ".statuses", sizeof(base) - strlen(base) - 1);
	(void)shoper_file_clean_tmp(dir, base, 0, &err);
}

struct publish_ctx {
	struct sync_state *st;
	struct shoper_index_writer *w;
	struct sync_publish_result *r;
};

static int add_order(void *_ctx, const struct shoper_order *o,
		     struct shoper_error *err)
{
	struct publish_ctx *ctx = _ctx;
	char shop[256];

	switch (shoper_index_writer_add(ctx->w, o, err)) {
	case SHOPER_INDEX_ADD_OK:
		ctx->r->orders++;
		return 0;
	case SHOPER_INDEX_ADD_BAD_ORDER:
		/* one order the index cannot hold (a value over its limit)
		   must not keep every other order out: left out, and listed
		   for `check` */
		ctx->r->unindexed++;
		snprintf(shop, sizeof(shop), "%.*s", (int)o->shop.len,
			 o->shop.ptr);
		return sync_state_put_unindexed(
			ctx->st, shop, strtoll(o->order_id.ptr, NULL, 10),
			err->msg, err);
	default:
		/* out of memory: an index now would lack orders that exist,
		   so the old one stays */
		return -1;
	}
}

/* a publish failed since the last full one that succeeded */
static bool publish_owed;

bool sync_publish_owed(void)
{
	return publish_owed;
}

static sync_publish_source_cb *source_cb;
static void *source_ctx;

void sync_publish_set_source(sync_publish_source_cb *cb, void *ctx)
{
	source_cb = cb;
	source_ctx = ctx;
}

static int export_shops(const struct shoper_sync_config *cfg,
			struct publish_ctx *ctx, unsigned int *shops_r,
			struct shoper_error *err)
{
	struct sync_cursors c;
	char window[20], zone[64];
	long long checked;

	*shops_r = 0;
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		const struct shoper_shop_config *shop = &cfg->shops[i];
		int ret = source_cb == NULL ? 0
					    : source_cb(source_ctx, shop->name,
							add_order, ctx, err);
		if (ret < 0)
			return -1;
		if (ret > 0) {
			(*shops_r)++;
			continue;
		}
		if (sync_state_get_cursors(ctx->st, shop->name, &c, err) < 0)
			return -1;
		if (!c.backfill_done)
			continue; /* never a partial shop */
		(*shops_r)++;
		/* the window moves on even when the shop's sync failed */
		if (sync_state_get_zone(ctx->st, shop->name, zone, sizeof(zone),
					&checked, err) < 0)
			return -1;
		sync_local_time(zone, -(long long)shop->history_days * 86400,
				window);
		if (sync_state_export(ctx->st, shop->name, shop->url,
				      shop->language, window, add_order, ctx,
				      err) < 0)
			return -1;
	}
	return 0;
}

int sync_publish_counted(const struct shoper_sync_config *cfg,
			 struct sync_state *st, struct sync_publish_result *r,
			 struct shoper_error *err)
{
	struct publish_ctx ctx = {st, NULL, r};
	struct shoper_error ignored;
	unsigned int shops = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	remove_stale_tmp(cfg->index_path);
	ctx.w = shoper_index_writer_new(cfg->max_orders);
	if (ctx.w == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	/* the list of orders left out changes with the index, or not */
	ret = sync_state_unindexed_begin(st, err);
	if (ret == 0)
		ret = export_shops(cfg, &ctx, &shops, err);
	if (ret == 0 && shops > 0) {
		ret = shoper_index_writer_publish(ctx.w, cfg->index_path, err);
		if (ret == 0)
			ret = 1;
	}
	if (ret > 0 && sync_state_unindexed_end(st, true, &ignored) < 0) {
		(void)sync_state_unindexed_end(st, false, err);
		shoper_error_set(
			err,
			"published, but the list of orders left out was not saved: %s",
			ignored.msg);
		ret = -1;
	} else if (ret <= 0) {
		(void)sync_state_unindexed_end(st, false, &ignored);
	}
	shoper_index_writer_free(&ctx.w);
	if (ret <= 0)
		r->unindexed = 0;
	if (ret != 0)
		publish_owed = ret < 0;
	return ret;
}

int sync_publish(const struct shoper_sync_config *cfg, struct sync_state *st,
		 long long *orders_r, struct shoper_error *err)
{
	struct sync_publish_result r = {0, 0};
	int ret = sync_publish_counted(cfg, st, &r, err);

	*orders_r = r.orders;
	return ret;
}

/* The orders of one incremental publish, copied out of the state. */
struct changed_orders {
	struct shoper_order *orders;
	char **bufs;
	unsigned int n;
};

static int copy_order(void *_ctx, const struct shoper_order *src,
		      struct shoper_error *err)
{
	struct changed_orders *c = _ctx;
	struct shoper_order *dst = &c->orders[c->n];
	struct shoper_str *f[] = {
		&dst->shop,           &dst->order_id,    &dst->date,
		&dst->status_id,      &dst->status_name, &dst->total,
		&dst->currency,       &dst->tracking,    &dst->customer,
		&dst->email,          &dst->url,         &dst->synced,
		&dst->delivery_email, &dst->shipping,    &dst->tracking_url,
	};
	size_t total = 1, i;
	char *p;

	*dst = *src;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		total += f[i]->len;
	p = malloc(total);
	if (p == NULL) {
		shoper_error_set(err, "out of memory");
		return -1;
	}
	c->bufs[c->n++] = p;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i]->len > 0)
			memcpy(p, f[i]->ptr, f[i]->len);
		f[i]->ptr = p;
		p += f[i]->len;
	}
	return 0;
}

/* Each order as the state has it now, or its deletion: in the state no
   more, or out of the shop's window. */
static int collect(struct sync_state *st, const struct shoper_shop_config *shop,
		   const long long *ids, unsigned int n,
		   struct changed_orders *c, struct shoper_order_ref *del,
		   char (*del_ids)[24], unsigned int *n_del_r,
		   struct shoper_error *err)
{
	char window[20], zone[64];
	long long checked;
	int ret;

	*n_del_r = 0;
	if (sync_state_get_zone(st, shop->name, zone, sizeof(zone), &checked,
				err) < 0)
		return -1;
	sync_local_time(zone, -(long long)shop->history_days * 86400, window);
	for (unsigned int i = 0; i < n; i++) {
		ret = sync_state_export_order(st, shop->name, shop->url,
					      shop->language, window, ids[i],
					      copy_order, c, err);
		if (ret < 0)
			return -1;
		if (ret == 0) {
			snprintf(del_ids[*n_del_r], sizeof(del_ids[0]), "%lld",
				 ids[i]);
			del[*n_del_r].shop.ptr = shop->name;
			del[*n_del_r].shop.len = strlen(shop->name);
			del[*n_del_r].order_id.ptr = del_ids[*n_del_r];
			del[*n_del_r].order_id.len = strlen(del_ids[*n_del_r]);
			(*n_del_r)++;
		}
	}
	return 0;
}

/* 1 published as a delta, 0 a full publish is needed, -1 error. */
static int publish_delta(const struct shoper_sync_config *cfg,
			 struct sync_state *st,
			 const struct shoper_shop_config *shop,
			 const long long *ids, unsigned int n,
			 unsigned int fold, struct shoper_error *err)
{
	struct changed_orders c = {calloc(n + 1, sizeof(*c.orders)),
				   calloc(n + 1, sizeof(*c.bufs)), 0};
	struct shoper_order_ref *del = calloc(n + 1, sizeof(*del));
	char(*del_ids)[24] = calloc(n + 1, sizeof(*del_ids));
	struct shoper_index_delta_info info;
	struct shoper_error ierr;
	unsigned int n_del = 0;
	int ret = -1;

	if (c.orders == NULL || c.bufs == NULL || del == NULL ||
	    del_ids == NULL)
		shoper_error_set(err, "out of memory");
	else if (collect(st, shop, ids, n, &c, del, del_ids, &n_del, err) == 0)
		ret = 0;
	/* whatever the index cannot take this way (no base yet, an
	   unusable delta, an order it cannot hold) a full publish does */
	if (ret == 0 &&
	    shoper_index_publish_changes(cfg->index_path, c.orders, c.n, del,
					 n_del, &info, &ierr) == 1)
		ret = info.orders + info.deleted > fold ? 0 : 1;
	for (unsigned int i = 0; i < c.n; i++)
		free(c.bufs[i]);
	free(c.orders);
	free(c.bufs);
	free(del);
	free(del_ids);
	return ret;
}

int sync_publish_orders(const struct shoper_sync_config *cfg,
			struct sync_state *st, const char *shop,
			const long long *order_ids, unsigned int n,
			struct shoper_error *err)
{
	return sync_publish_orders_fold(cfg, st, shop, order_ids, n,
					SYNC_DELTA_FOLD, err);
}

int sync_publish_orders_fold(const struct shoper_sync_config *cfg,
			     struct sync_state *st, const char *shop,
			     const long long *order_ids, unsigned int n,
			     unsigned int fold, struct shoper_error *err)
{
	const struct shoper_shop_config *sc = NULL;
	struct sync_cursors c;
	long long orders;
	int ret;

	for (unsigned int i = 0; i < cfg->n_shops && sc == NULL; i++) {
		if (strcmp(cfg->shops[i].name, shop) == 0)
			sc = &cfg->shops[i];
	}
	if (sc == NULL) {
		shoper_error_set(err, "no shop %s in the configuration", shop);
		return -1;
	}
	if (sync_state_get_cursors(st, shop, &c, err) < 0) {
		publish_owed = true;
		return -1;
	}
	if (c.backfill_done && n <= fold) {
		remove_stale_tmp(cfg->index_path);
		ret = publish_delta(cfg, st, sc, order_ids, n, fold, err);
		if (ret > 0)
			return ret;
		if (ret < 0) {
			publish_owed = true;
			return ret;
		}
	}
	/* the fold: the whole index again, which drops the delta */
	return sync_publish(cfg, st, &orders, err);
}
