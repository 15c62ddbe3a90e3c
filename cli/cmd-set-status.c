/* set-status: change an order's status from a shell, as moving its mail
   into a status folder does. */
#include "cmd.h"
#include "engine.h"
#include "progress.h"
#include "publish.h"
#include "status-run.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void)
{
	fprintf(stderr, "usage: shoper-sync set-status --shop NAME ORDER_ID "
			"STATUS   (STATUS: id or name)\n");
	return SYNC_EXIT_USAGE;
}

/* Fills req from the arguments, resolving STATUS with a read-only look
   at the state (works while a daemon holds the lock). */
static int make_request(const struct shoper_sync_config *cfg,
			const struct shoper_shop_config *shop,
			const char *order_id, const char *status,
			struct shoper_queue_request *req)
{
	struct sync_state *st;
	struct shoper_error err;

	memset(req, 0, sizeof(*req));
	if (strlen(order_id) == 0 || strlen(order_id) > 20 ||
	    strspn(order_id, "0123456789") != strlen(order_id)) {
		fprintf(stderr, "ORDER_ID must be a number: %s\n", order_id);
		return SYNC_EXIT_USAGE;
	}
	if (sync_state_open(cfg->state_dir, true, &st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return SYNC_EXIT_LOCAL;
	}
	int ret = sync_status_resolve(shop, st, status, req->status_id,
				      sizeof(req->status_id), req->status_name,
				      sizeof(req->status_name), &err);
	sync_state_close(&st);
	if (ret < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return SYNC_EXIT_LOCAL;
	}
	if (ret == 0) {
		fprintf(stderr,
			"%s: no active status '%s' (see shoper-sync statuses "
			"--shop %s)\n",
			shop->name, status, shop->name);
		return SYNC_EXIT_FAIL;
	}
	snprintf(req->shop, sizeof(req->shop), "%s", shop->name);
	snprintf(req->order_id, sizeof(req->order_id), "%s", order_id);
	req->time = (int64_t)time(NULL);
	return SYNC_EXIT_OK;
}

/* Holding the state: carry it out now, then re-read that order from the
   shop, as a webhook would have it; both publish incrementally (the
   index's delta), never a rebuild for one order. */
static int apply_now(const struct shoper_sync_config *cfg,
		     const struct shoper_shop_config *shop,
		     struct sync_state *st,
		     const struct shoper_queue_request *req, bool quiet)
{
	struct sync_status_outcome out;
	struct sync_engine_opts opts;
	struct sync_shop_result res;
	struct shoper_error err;
	long long id = strtoll(req->order_id, NULL, 10);
	struct engine_ids ids = {&id, 1, 1};

	sync_status_apply(cfg, st, req, NULL, false, &out);
	if (!out.done)
		return SYNC_EXIT_FAIL;
	/* the change shows at once, even if the re-read below fails */
	sync_status_publish(cfg, st, shop->name, &id, 1);
	memset(&opts, 0, sizeof(opts));
	opts.only_orders = &ids;
	opts.progress = sync_progress_new(false, true);
	int ret = sync_engine_run_shop(cfg, shop, st, &opts, &res);
	sync_progress_free(&opts.progress);
	if (ret < 0 ||
	    sync_publish_orders(cfg, st, shop->name, &id, 1, &err) < 0) {
		fprintf(stderr,
			"status changed, but the index was not "
			"refreshed: %s\n",
			ret < 0 ? res.error : err.msg);
		return SYNC_EXIT_FAIL;
	}
	if (!quiet)
		printf("index %s: published, order %s\n", cfg->index_path,
		       req->order_id);
	return SYNC_EXIT_OK;
}

int cmd_set_status(struct cmd_ctx *ctx)
{
	struct shoper_queue_request req;
	struct sync_state *st;
	struct shoper_error err;
	const char *shop_name = NULL, *args[2];
	int n = 0;

	for (int i = 0; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--shop") == 0 && i + 1 < ctx->argc)
			shop_name = ctx->argv[++i];
		else if (n < 2)
			args[n++] = ctx->argv[i];
		else
			return usage();
	}
	if (shop_name == NULL || n != 2)
		return usage();
	struct shoper_sync_config *cfg = cmd_load_config(ctx->config_path);
	if (cfg == NULL)
		return SYNC_EXIT_CONFIG;
	const struct shoper_shop_config *shop =
		shoper_config_find_shop(cfg, shop_name);
	int ret = SYNC_EXIT_CONFIG;
	if (shop == NULL)
		fprintf(stderr, "%s: no [shop %s]\n", cfg->path, shop_name);
	else
		ret = make_request(cfg, shop, args[0], args[1], &req);
	if (ret != SYNC_EXIT_OK) {
		shoper_config_free(&cfg);
		return ret;
	}
	if (sync_state_open(cfg->state_dir, false, &st, &err) == 0) {
		ret = apply_now(cfg, shop, st, &req, ctx->quiet);
		sync_state_close(&st);
	} else {
		/* a daemon holds the state: it carries the request out */
		char dir[4096];
		if (shoper_queue_dir(cfg->index_path, dir, sizeof(dir)) < 0 ||
		    shoper_queue_put(dir, &req, &err) < 0) {
			fprintf(stderr, "not queued: %s\n", err.msg);
			ret = SYNC_EXIT_LOCAL;
		} else {
			printf("queued: shop=%s order=%s status=%s; the "
			       "running shoper-sync carries it out\n",
			       req.shop, req.order_id, req.status_id);
		}
	}
	shoper_config_free(&cfg);
	return ret;
}
