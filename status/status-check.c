/* shoper-sync's own checks of a status request. */
#include "status-check.h"
#include "shop-time.h"
#include "order-parse.h"
#include "status-doveadm.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A request's time may be ahead of ours by this much (clock steps). */
#define FUTURE_SLACK_SECS 300

struct by_id {
	const char *id;
	bool found, active;
	char *name;
	size_t name_size;
};

static void status_by_id(void *_ctx, const struct sync_status_row *r)
{
	struct by_id *ctx = _ctx;
	char id[32];

	snprintf(id, sizeof(id), "%lld", r->status_id);
	if (ctx->found || strcmp(id, ctx->id) != 0)
		return;
	ctx->found = true;
	ctx->active = r->active;
	snprintf(ctx->name, ctx->name_size, "%s", r->name ?: "");
}

static bool has_any(const char *s, const char *chars)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f ||
		    strchr(chars, *s) != NULL)
			return true;
	}
	return false;
}

/* Waiting is bounded: a request older than status_request_max_age is
   refused, and so is one whose time can't be right. */
static bool age_ok(const struct shoper_sync_config *cfg,
		   const struct shoper_queue_request *req, char *why,
		   size_t size)
{
	long long age = (long long)time(NULL) - req->time;

	if (req->time <= 0 || age > (long long)cfg->status_request_max_age)
		snprintf(why, size,
			 "the request waited longer than "
			 "status_request_max_age (%u s); it is not carried "
			 "out any more",
			 cfg->status_request_max_age);
	else if (age < -FUTURE_SLACK_SECS)
		snprintf(why, size, "the request's time is in the future");
	else
		return true;
	return false;
}

/* The request's user (or, without one, its writer) may act on the shop.
   1 yes, 0 no, -1 doveadm could not tell. */
static int user_ok(const struct shoper_sync_config *cfg,
		   const struct shoper_queue_request *req, char *why,
		   size_t size)
{
	if (req->user[0] == '\0') {
		if (req->owner_uid == 0 || req->owner_uid == (int64_t)geteuid())
			return 1;
		snprintf(why, size,
			 "request without a user written by uid %lld, not "
			 "by root or shoper-sync's user",
			 (long long)req->owner_uid);
		return 0;
	}
	/* doveadm takes * and ? as a mask of many users */
	if (has_any(req->user, "*?")) {
		snprintf(why, size, "user name %s is not one user", req->user);
		return 0;
	}
	int ret = sync_doveadm_scope_has(cfg, req->user, req->shop, why, size);
	return ret < 0 ? -1 : ret;
}

static bool shop_ok(const struct shoper_sync_config *cfg,
		    const struct shoper_queue_request *req,
		    struct sync_status_outcome *out)
{
	if (!age_ok(cfg, req, out->reason, sizeof(out->reason)))
		return false;
	if (shoper_config_find_shop(cfg, req->shop) != NULL)
		return true;
	snprintf(out->reason, sizeof(out->reason), "shop %s is not configured",
		 req->shop);
	return false;
}

int sync_status_check_origin(const struct shoper_sync_config *cfg,
			     const struct shoper_queue_request *req,
			     struct sync_status_outcome *out)
{
	if (!shop_ok(cfg, req, out))
		return 0;
	int ret = user_ok(cfg, req, out->reason, sizeof(out->reason));
	out->retry = ret < 0; /* auth or doveadm down: later */
	return ret;
}

int sync_status_check_leader(const struct shoper_sync_config *cfg,
			     struct sync_state *st,
			     const struct shoper_queue_request *req,
			     int in_index, struct sync_status_outcome *out)
{
	struct shoper_error err;
	struct by_id s = {req->status_id, false, false, out->status_name,
			  sizeof(out->status_name)};

	out->status_name[0] = '\0';
	if (!shop_ok(cfg, req, out))
		return 0;
	const struct shoper_shop_config *shop =
		shoper_config_find_shop(cfg, req->shop);
	if (sync_state_list_statuses(st, shop->name, shop->language,
				     status_by_id, &s, &err) < 0)
		s.found = false;
	if (in_index != 1) {
		snprintf(out->reason, sizeof(out->reason), "order %s:%s %s",
			 req->shop, req->order_id,
			 in_index == 0
				 ? "is not in the index"
				 : "can't be looked up: index unavailable");
		return 0;
	}
	if (!s.found || !s.active) {
		snprintf(out->reason, sizeof(out->reason),
			 "status %s is not an active status of shop %s",
			 req->status_id, req->shop);
		return 0;
	}
	return 1;
}

int sync_status_check(const struct shoper_sync_config *cfg,
		      struct sync_state *st,
		      const struct shoper_queue_request *req, int in_index,
		      struct sync_status_outcome *out)
{
	char name[sizeof(out->status_name)];

	/* the status's name is known even when the user is refused */
	struct sync_status_outcome tmp = *out;
	(void)sync_status_check_leader(cfg, st, req, in_index, &tmp);
	snprintf(name, sizeof(name), "%s", tmp.status_name);
	int ret = sync_status_check_origin(cfg, req, out);
	snprintf(out->status_name, sizeof(out->status_name), "%s", name);
	if (ret <= 0)
		return ret;
	return sync_status_check_leader(cfg, st, req, in_index, out);
}

/* The request's time as the shop writes its dates (naive, shop-local). */
static void request_local_time(struct sync_state *st,
			       const struct shoper_queue_request *req,
			       char out[20])
{
	struct shoper_error err;
	char zone[64] = "";
	long long checked;

	if (sync_state_get_zone(st, req->shop, zone, sizeof(zone), &checked,
				&err) < 0)
		zone[0] = '\0';
	sync_local_time(zone, (long long)req->time - (long long)time(NULL),
			out);
}

static const char *json_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return "";
	return json_object_get_string(v) ?: "";
}

int sync_status_reread(struct shoper_webapi *api, struct sync_state *st,
		       const struct shoper_queue_request *req,
		       struct sync_status_outcome *out)
{
	struct shoper_error err;
	json_object *json = NULL;
	char path[64], when[20];
	long code = 0;

	snprintf(path, sizeof(path), "orders/%s", req->order_id);
	enum shoper_webapi_status ret = shoper_webapi_call(
		api, "GET", path, NULL, NULL, &json, &code, &err);
	if (ret != SHOPER_WEBAPI_OK) {
		out->retry = out->unreachable =
			ret == SHOPER_WEBAPI_ERR_NETWORK ||
			ret == SHOPER_WEBAPI_ERR_STOPPED;
		out->by_shop = !out->retry && code != 404;
		if (code == 404)
			snprintf(out->reason, sizeof(out->reason),
				 "order %s is no longer in the shop",
				 req->order_id);
		else
			snprintf(out->reason, sizeof(out->reason), "%s",
				 err.msg);
		return out->retry ? -1 : 0;
	}
	const char *sid = json_str(json, "status_id");
	const char *date = json_str(json, "status_date");
	request_local_time(st, req, when);
	int go = 1;
	if (strcmp(sid, req->status_id) == 0) {
		/* e.g. the try that seemed lost had reached the shop */
		out->done = true;
		go = 0;
	} else if (sync_valid_date(date, strlen(date)) &&
		   strcmp(date, when) > 0) {
		snprintf(out->reason, sizeof(out->reason),
			 "the order's status was changed in the shop at %s "
			 "(shop time), after this request (%s); the newer "
			 "change stays",
			 date, when);
		go = 0;
	}
	json_object_put(json);
	return go;
}

bool sync_status_target_ok(const struct shoper_sync_config *cfg,
			   const struct shoper_queue_request *req)
{
	const char *folder;

	if (req->user[0] == '\0' || req->mailbox[0] == '\0' || req->uid == 0 ||
	    shoper_config_find_shop(cfg, req->shop) == NULL ||
	    has_any(req->user, "*?") || has_any(req->mailbox, "*%?"))
		return false;
	if (sync_doveadm_status_folder(cfg, req->user, &folder) != 1 ||
	    folder == NULL || folder[0] == '\0')
		return false;
	/* the status folders are FOLDER, the hierarchy separator, and one
	   or two levels: the separator is the namespace's (any punctuation
	   character), so no name scheme is assumed beyond the prefix */
	size_t n = strlen(folder);
	unsigned char sep = (unsigned char)req->mailbox[n];
	return strncmp(req->mailbox, folder, n) == 0 && sep < 0x80 &&
	       sep > 0x20 && sep != 0x7f &&
	       strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "abcdefghijklmnopqrstuvwxyz",
		      sep) == NULL &&
	       req->mailbox[n + 1] != '\0';
}
