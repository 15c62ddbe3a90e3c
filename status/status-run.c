/* Carrying out queued status changes. */
#include "status-run.h"
#include "status-check.h"
#include "status-doveadm.h"
#include "engine.h"
#include "publish.h"
#include "shoper-webapi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct find_ctx {
	const char *want; /* id or name */
	bool found, active;
	char id[32], name[256];
};

static void find_status(void *_ctx, const struct sync_status_row *r)
{
	struct find_ctx *ctx = _ctx;
	char id[32];

	snprintf(id, sizeof(id), "%lld", r->status_id);
	if (ctx->found && ctx->active)
		return;
	if (strcmp(ctx->want, id) != 0 &&
	    strcasecmp(ctx->want, r->name ?: "") != 0)
		return;
	/* an active status wins over an inactive one of the same name */
	ctx->found = true;
	ctx->active = r->active;
	snprintf(ctx->id, sizeof(ctx->id), "%s", id);
	snprintf(ctx->name, sizeof(ctx->name), "%s", r->name ?: "");
}

int sync_status_resolve(const struct shoper_shop_config *shop,
			struct sync_state *st, const char *status, char *id_r,
			size_t id_size, char *name_r, size_t name_size,
			struct shoper_error *err)
{
	struct find_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.want = status;
	if (sync_state_list_statuses(st, shop->name, shop->language,
				     find_status, &ctx, err) < 0)
		return -1;
	if (!ctx.found || !ctx.active)
		return 0;
	snprintf(id_r, id_size, "%s", ctx.id);
	snprintf(name_r, name_size, "%s", ctx.name);
	return 1;
}

/* Old status of the order as the index shows it, "?" when unknown.
   Returns what the lookup did: 1 found, 0 not in the index, -1 error. */
static int old_status(const struct shoper_sync_config *cfg,
		      const struct shoper_queue_request *req, char *out,
		      size_t size)
{
	struct shoper_index_reader *r =
		shoper_index_reader_new(cfg->index_path);
	struct shoper_order o;
	struct shoper_error err;
	int ret = -1;

	snprintf(out, size, "?");
	if (r != NULL)
		ret = shoper_index_lookup_order(r, req->shop, req->order_id, &o,
						&err);
	if (ret == 1)
		snprintf(out, size, "%.*s (%.*s)", (int)o.status_id.len,
			 o.status_id.ptr, (int)o.status_name.len,
			 o.status_name.ptr);
	shoper_index_reader_free(&r);
	return ret;
}

/* The shop took the change: the state shows it now (the caller
   publishes), not when the shop's status_date moves, which no live shop
   was seen to do for a change made through the webapi. */
static void note_done(struct sync_state *st,
		      const struct shoper_queue_request *req,
		      long long status_id)
{
	struct shoper_error err;

	if (sync_state_begin(st, &err) < 0 ||
	    sync_state_set_order_status(st, req->shop, req->order_id, status_id,
					&err) < 0 ||
	    sync_state_commit(st, &err) < 0) {
		sync_state_rollback(st);
		fprintf(stderr,
			"status change: shop=%s order=%s: done, but the "
			"state was not updated (the next sync does): %s\n",
			req->shop, req->order_id, err.msg);
	}
}

static void put_status(const struct shoper_sync_config *cfg,
		       const struct shoper_shop_config *shop,
		       struct sync_state *st,
		       const struct shoper_queue_request *req,
		       volatile int *stop_flag, struct sync_status_outcome *out)
{
	char path[64], body[96];
	struct shoper_error err;
	json_object *json = NULL;
	long code = 0;

	struct shoper_webapi *api =
		sync_webapi_open(cfg, shop, true, 2, stop_flag, out->reason,
				 sizeof(out->reason), NULL);
	if (api == NULL)
		return;
	/* a kept request may be older than a change made in the shop since:
	   that one stays */
	if (req->tries > 0 && sync_status_reread(api, st, req, out) <= 0) {
		shoper_webapi_free(&api);
		return;
	}
	/* a JSON number, as the webapi's schema types it (the id matched
	   one of the shop's statuses, so it is a plain decimal) */
	long long status_id = strtoll(req->status_id, NULL, 10);
	snprintf(path, sizeof(path), "orders/%s", req->order_id);
	snprintf(body, sizeof(body), "{\"status_id\":%lld}", status_id);
	enum shoper_webapi_status ret = shoper_webapi_call(
		api, "PUT", path, NULL, body, &json, &code, &err);
	if (ret == SHOPER_WEBAPI_OK) {
		out->done = true;
		note_done(st, req, status_id);
	} else {
		out->retry = out->unreachable =
			ret == SHOPER_WEBAPI_ERR_NETWORK ||
			ret == SHOPER_WEBAPI_ERR_STOPPED;
		out->by_shop = !out->retry;
		snprintf(out->reason, sizeof(out->reason), "%s", err.msg);
	}
	if (json != NULL)
		json_object_put(json);
	shoper_webapi_free(&api);
}

/* The outcome on the moved message: keyword, and for a refusal a notice
   saying who refused and why. Only a message in one of its user's own
   status folders is touched (the request may come from any process of
   the mail group), and only by exact names. */
void sync_status_mark(const struct shoper_sync_config *cfg,
		      const struct shoper_queue_request *req,
		      const struct sync_status_outcome *out)
{
	if (!sync_status_target_ok(cfg, req))
		return; /* from the shell, or no message of a status folder */
	(void)sync_doveadm_flags(cfg, req, "remove",
				 out->done ? SYNC_STATUS_KEYWORD_FAILED
					   : SYNC_STATUS_KEYWORD_DONE);
	if (sync_doveadm_flags(cfg, req, "add",
			       out->done ? SYNC_STATUS_KEYWORD_DONE
					 : SYNC_STATUS_KEYWORD_FAILED) < 0)
		fprintf(stderr,
			"status change: user=%s shop=%s order=%s: could not "
			"set the outcome keyword with %s\n",
			req->user, req->shop, req->order_id, cfg->doveadm);
	if (!out->done) {
		struct sync_notice n = {req, out->status_name, out->reason,
					out->by_shop};
		sync_doveadm_save_notice(cfg, &n);
	}
}

/* The one log line per change; user and shop may be anything a forged
   request says (a request kept or retried has passed the checks that
   refuse control characters and unknown shops). */
void sync_status_log(const struct shoper_queue_request *req, const char *old,
		     const struct sync_status_outcome *out)
{
	const char *user = req->user[0] != '\0' ? req->user : "-";
	printf("status change: user=");
	shoper_print_clean(stdout, user, strlen(user));
	printf(" shop=");
	shoper_print_clean(stdout, req->shop, strlen(req->shop));
	printf(" order=%s old=%s new=%s (", req->order_id, old, req->status_id);
	const char *name = out->status_name[0] != '\0' ? out->status_name : "?";
	shoper_print_clean(stdout, name, strlen(name));
	printf(") result=%s%s", out->done ? "done" : "failed",
	       out->done ? "" : ": ");
	if (!out->done)
		shoper_print_clean(stdout, out->reason, strlen(out->reason));
	printf("\n");
	fflush(stdout);
}

/* checks (all, or the leader's part), then the PUT; false when the
   request waits (out->retry, logged) */
static bool carry(const struct shoper_sync_config *cfg, struct sync_state *st,
		  const struct shoper_queue_request *req,
		  volatile int *stop_flag, bool shop_down, bool leader_only,
		  char *old, size_t old_size, struct sync_status_outcome *out)
{
	memset(out, 0, sizeof(*out));
	int in_index = old_status(cfg, req, old, old_size);
	int ret = leader_only ? sync_status_check_leader(cfg, st, req, in_index,
							 out)
			      : sync_status_check(cfg, st, req, in_index, out);
	if (ret == 1) {
		if (shop_down)
			out->retry = out->unreachable = true;
		else
			put_status(cfg, shoper_config_find_shop(cfg, req->shop),
				   st, req, stop_flag, out);
	}
	if (!out->retry)
		return true;
	if (!shop_down)
		fprintf(stderr,
			"status change: user=%s shop=%s order=%s: %s%s\n",
			req->user, req->shop, req->order_id,
			out->unreachable ? "shop unreachable: " : "",
			out->reason);
	return false;
}

void sync_status_apply(const struct shoper_sync_config *cfg,
		       struct sync_state *st,
		       const struct shoper_queue_request *req,
		       volatile int *stop_flag, bool shop_down,
		       struct sync_status_outcome *out)
{
	char old[300];

	if (!carry(cfg, st, req, stop_flag, shop_down, false, old, sizeof(old),
		   out))
		return;
	sync_status_log(req, old, out);
	sync_status_mark(cfg, req, out);
}

void sync_status_carry(const struct shoper_sync_config *cfg,
		       struct sync_state *st,
		       const struct shoper_queue_request *req,
		       volatile int *stop_flag, struct sync_status_outcome *out)
{
	char old[300];

	if (carry(cfg, st, req, stop_flag, false, true, old, sizeof(old), out))
		sync_status_log(req, old, out);
}

void sync_status_publish(const struct shoper_sync_config *cfg,
			 struct sync_state *st, const char *shop,
			 const long long *order_ids, unsigned int n)
{
	struct shoper_error err;

	/* into the index's delta, as a webhook's: no rebuild per change */
	if (sync_publish_orders(cfg, st, shop, order_ids, n, &err) < 0)
		fprintf(stderr,
			"status change: index %s not published: %s; the sync "
			"publishes it\n",
			cfg->index_path, err.msg);
}

bool sync_status_pending(const struct shoper_sync_config *cfg,
			 const struct timespec *since)
{
	char dir[4096];

	return shoper_queue_dir(cfg->index_path, dir, sizeof(dir)) == 0 &&
	       shoper_queue_pending(dir, since, NULL) > 0;
}

/* Wait before try n+1 of a shop that could not be reached: 1 minute,
   doubling up to an hour. */
static time_t retry_delay(unsigned int tries)
{
	time_t d = SYNC_STATUS_RETRY_FIRST;

	for (unsigned int i = 1; i < tries && d < SYNC_STATUS_RETRY_MAX; i++)
		d *= 2;
	return d < SYNC_STATUS_RETRY_MAX ? d : SYNC_STATUS_RETRY_MAX;
}

struct done_order {
	char shop[128];
	long long order_id;
};

struct run_ctx {
	unsigned int done; /* changes the shop took */
	struct done_order *orders; /* which, to publish at the end */
	const char *dir, *keep_dir;
	char **down; /* shops found unreachable in this run */
	unsigned int n_down;
};

static bool shop_down(const struct run_ctx *ctx, const char *shop)
{
	for (unsigned int i = 0; i < ctx->n_down; i++) {
		if (strcmp(ctx->down[i], shop) == 0)
			return true;
	}
	return false;
}

/* The shop (or doveadm) could not be reached: the request waits (its
   .work with the next try as modification time) and the others go on; a
   shop down is remembered for the run. false when it could not be set
   aside (the run stops rather than take it again). */
static bool set_aside(struct run_ctx *ctx, struct shoper_queue_request *req,
		      const char *work, bool down)
{
	struct shoper_error err;

	if (down && !shop_down(ctx, req->shop)) {
		char **d = realloc(ctx->down,
				   (ctx->n_down + 1) * sizeof(*ctx->down));
		if (d != NULL && (d[ctx->n_down] = strdup(req->shop)) != NULL)
			ctx->n_down++;
		if (d != NULL)
			ctx->down = d;
	}
	req->tries++;
	time_t delay = retry_delay(req->tries);
	if (shoper_queue_defer(ctx->keep_dir, work, req, time(NULL) + delay,
			       &err) < 0) {
		fprintf(stderr, "status queue: %s\n", err.msg);
		return false;
	}
	fprintf(stderr,
		"status change: user=%s shop=%s order=%s: kept, try %u "
		"failed, next in %lld s\n",
		req->user, req->shop, req->order_id, req->tries,
		(long long)delay);
	return true;
}

/* One claimed request: 1 carried out (done or refused), 0 set aside, -1
   the run must stop. Its checks come first even when its shop is known
   to be down: what is kept has passed them (and is checked again). */
static int run_one(const struct shoper_sync_config *cfg, struct sync_state *st,
		   struct run_ctx *ctx, struct shoper_queue_request *req,
		   const char *work, volatile int *stop_flag)
{
	struct sync_status_outcome out;
	struct shoper_error err;
	bool down = shop_down(ctx, req->shop);

	/* down: no second wait for a timeout on the same shop */
	sync_status_apply(cfg, st, req, stop_flag, down, &out);
	if (out.retry) {
		if (stop_flag != NULL && *stop_flag)
			return -1; /* stopped: tried again next run */
		return set_aside(ctx, req, work, out.unreachable) ? 0 : -1;
	}
	if (shoper_queue_done(work, &err) < 0)
		fprintf(stderr, "status queue: %s\n", err.msg);
	if (out.done) {
		struct done_order *d = realloc(
			ctx->orders, (ctx->done + 1) * sizeof(*ctx->orders));
		if (d == NULL)
			return -1; /* the state has it: the next sync publishes */
		ctx->orders = d;
		snprintf(d[ctx->done].shop, sizeof(d->shop), "%s", req->shop);
		d[ctx->done++].order_id = strtoll(req->order_id, NULL, 10);
	}
	return 1;
}

/* The orders changed in this run, one incremental publish per shop. */
static void publish_done(const struct shoper_sync_config *cfg,
			 struct sync_state *st, const struct run_ctx *ctx)
{
	long long *ids = calloc(ctx->done ? ctx->done : 1, sizeof(*ids));

	for (unsigned int i = 0; ids != NULL && i < cfg->n_shops; i++) {
		const char *shop = cfg->shops[i].name;
		unsigned int n = 0;

		for (unsigned int j = 0; j < ctx->done; j++) {
			if (strcmp(ctx->orders[j].shop, shop) == 0)
				ids[n++] = ctx->orders[j].order_id;
		}
		if (n > 0)
			sync_status_publish(cfg, st, shop, ids, n);
	}
	free(ids);
}

int sync_status_claim_next(const char *dir, const char *keep,
			   struct shoper_queue_request *req, char *work,
			   size_t work_size)
{
	struct shoper_error err;
	int ret;

	while ((ret = shoper_queue_claim(dir, keep, req, work, work_size,
					 &err)) == -2)
		fprintf(stderr,
			"status change: bad request set aside as .bad: %s\n",
			err.msg);
	if (ret < 0)
		fprintf(stderr, "status queue %s: %s\n", dir, err.msg);
	return ret < 0 ? -1 : ret > 0 ? 1 : 0;
}

int sync_status_run_queue(const struct shoper_sync_config *cfg,
			  struct sync_state *st, volatile int *stop_flag)
{
	struct shoper_queue_request req;
	struct shoper_error err;
	struct run_ctx ctx;
	char dir[4096], keep[4200], work[4800];
	struct stat sb;
	int n = 0, ret;

	if (shoper_queue_dir(cfg->index_path, dir, sizeof(dir)) < 0 ||
	    stat(dir, &sb) < 0)
		return 0; /* no queue: status folders not in use */
	/* kept requests: in our own state dir, which the mail group can't
	   write, so keeping one changes nothing of its trust */
	snprintf(keep, sizeof(keep), "%s/" SYNC_STATUS_KEEP_DIR,
		 cfg->state_dir);
	memset(&ctx, 0, sizeof(ctx));
	ctx.dir = dir;
	ctx.keep_dir = keep;
	/* requests a killed writer left half-written (IMAP processes write
	   without our lock: only old ones are surely abandoned) */
	if (shoper_file_clean_tmp(dir, NULL, SHOPER_STALE_TMP_SECS, &err) < 0 ||
	    shoper_file_clean_tmp(keep, NULL, 0, &err) < 0)
		fprintf(stderr, "status queue: %s\n", err.msg);
	while (stop_flag == NULL || !*stop_flag) {
		ret = sync_status_claim_next(dir, keep, &req, work,
					     sizeof(work));
		if (ret <= 0) {
			if (ret < 0)
				n = -1;
			break;
		}
		ret = run_one(cfg, st, &ctx, &req, work, stop_flag);
		if (ret < 0)
			break;
		n += ret;
	}
	for (unsigned int i = 0; i < ctx.n_down; i++)
		free(ctx.down[i]);
	free(ctx.down);
	if (ctx.done > 0)
		publish_done(cfg, st, &ctx);
	free(ctx.orders);
	/* a user's shoper_shops may change before the next run */
	sync_doveadm_scope_forget();
	return n;
}

struct list_ctx {
	struct shoper_status_list *list;
	const char *shop;
};

static void add_status(void *_ctx, const struct sync_status_row *r)
{
	struct list_ctx *ctx = _ctx;
	char id[32];

	snprintf(id, sizeof(id), "%lld", r->status_id);
	(void)shoper_status_list_add(ctx->list, ctx->shop, id, r->name ?: "",
				     r->active);
}

/* The queue dir: writable by the mail processes' group (the index dir's
   group), setgid so requests keep it. */
static void make_queue_dir(const struct shoper_sync_config *cfg)
{
	char dir[4096], idir[4096];
	struct stat sb;

	if (shoper_queue_dir(cfg->index_path, dir, sizeof(dir)) < 0 ||
	    mkdir(dir, 02770) < 0)
		return;
	snprintf(idir, sizeof(idir), "%s", dir);
	char *slash = strrchr(idir, '/');
	if (slash != NULL)
		*slash = '\0';
	if (stat(slash != NULL ? idir : ".", &sb) == 0 &&
	    chown(dir, (uid_t)-1, sb.st_gid) < 0)
		fprintf(stderr, "status queue %s: chown: %s\n", dir,
			strerror(errno));
	(void)chmod(dir, 02770);
}

int sync_status_write_list(const struct shoper_sync_config *cfg,
			   struct sync_state *st, struct shoper_error *err)
{
	struct shoper_status_list list;
	struct list_ctx ctx;
	char path[4096];

	memset(&list, 0, sizeof(list));
	ctx.list = &list;
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		ctx.shop = cfg->shops[i].name;
		if (sync_state_list_statuses(st, ctx.shop,
					     cfg->shops[i].language, add_status,
					     &ctx, err) < 0) {
			shoper_status_list_free(&list);
			return -1;
		}
	}
	int ret = 0;
	if (list.count > 0 &&
	    shoper_status_list_path(cfg->index_path, path, sizeof(path)) == 0) {
		ret = shoper_status_list_write(path, &list, err);
		make_queue_dir(cfg);
	}
	shoper_status_list_free(&list);
	return ret;
}
