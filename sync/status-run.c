/* Carrying out queued status changes. */
#include "status-run.h"
#include "cmd.h"
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

/* Old status of the order as the index shows it, "?" when unknown. */
static void old_status(const struct shoper_sync_config *cfg,
		       const struct shoper_queue_request *req, char *out,
		       size_t size)
{
	struct shoper_index_reader *r =
		shoper_index_reader_new(cfg->index_path);
	struct shoper_order o;
	struct shoper_error err;

	snprintf(out, size, "?");
	if (r != NULL && shoper_index_lookup_order(r, req->shop, req->order_id,
						   &o, &err) == 1)
		snprintf(out, size, "%.*s (%.*s)", (int)o.status_id.len,
			 o.status_id.ptr, (int)o.status_name.len,
			 o.status_name.ptr);
	shoper_index_reader_free(&r);
}

static void put_status(const struct shoper_sync_config *cfg,
		       const struct shoper_shop_config *shop,
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
	snprintf(path, sizeof(path), "orders/%s", req->order_id);
	snprintf(body, sizeof(body), "{\"status_id\":\"%s\"}", req->status_id);
	enum shoper_webapi_status ret = shoper_webapi_call(
		api, "PUT", path, NULL, body, &json, &code, &err);
	if (ret == SHOPER_WEBAPI_OK) {
		out->done = true;
	} else {
		out->retry = ret == SHOPER_WEBAPI_ERR_NETWORK ||
			     ret == SHOPER_WEBAPI_ERR_STOPPED;
		snprintf(out->reason, sizeof(out->reason), "%s", err.msg);
	}
	if (json != NULL)
		json_object_put(json);
	shoper_webapi_free(&api);
}

/* doveadm [-c CONF] flags add|remove -u USER KEYWORD mailbox M uid U */
static int run_doveadm(const struct shoper_sync_config *cfg,
		       const struct shoper_queue_request *req, const char *op,
		       const char *keyword)
{
	char uid[16];
	const char *argv[16];
	int n = 0, status;

	snprintf(uid, sizeof(uid), "%u", req->uid);
	argv[n++] = cfg->doveadm;
	if (cfg->doveadm_config != NULL) {
		argv[n++] = "-c";
		argv[n++] = cfg->doveadm_config;
	}
	const char *rest[] = {"flags", op,        "-u",         req->user,
			      keyword, "mailbox", req->mailbox, "uid",
			      uid,     NULL};
	for (int i = 0; rest[i] != NULL; i++)
		argv[n++] = rest[i];
	argv[n] = NULL;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* RFC 2047 encoded-word(s) of a UTF-8 text (base64, cut at 45 bytes so
   each word stays under 76 characters; a cut may split a character, which
   decoders join again as the words are adjacent). */
static void put_encoded(FILE *f, const char *text)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);

	for (size_t start = 0; start < len; start += 45) {
		size_t n = len - start < 45 ? len - start : 45;
		fputs(start == 0 ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?", f);
		for (size_t i = 0; i < n; i += 3) {
			unsigned int v = p[start + i] << 16;
			if (i + 1 < n)
				v |= p[start + i + 1] << 8;
			if (i + 2 < n)
				v |= p[start + i + 2];
			fputc(b64[(v >> 18) & 63], f);
			fputc(b64[(v >> 12) & 63], f);
			fputc(i + 1 < n ? b64[(v >> 6) & 63] : '=', f);
			fputc(i + 2 < n ? b64[v & 63] : '=', f);
		}
		fputs("?=", f);
	}
}

/* The refusal as a short message next to the moved one: keywords carry no
   text, but every client shows a message. Sent to doveadm save's stdin. */
static void write_notice(FILE *f, const struct shoper_queue_request *req,
			 const char *reason)
{
	char subject[700], clean[600];
	size_t i;

	for (i = 0; reason[i] != '\0' && i + 1 < sizeof(clean); i++)
		clean[i] = (unsigned char)reason[i] < 0x20 ? ' ' : reason[i];
	clean[i] = '\0';
	snprintf(subject, sizeof(subject), "Order %s (%s): status not changed",
		 req->order_id, req->shop);
	fputs("From: shoper-sync <MAILER-DAEMON@localhost>\r\n"
	      "Subject: ",
	      f);
	put_encoded(f, subject);
	fputs("\r\nMIME-Version: 1.0\r\n"
	      "Content-Type: text/plain; charset=utf-8\r\n"
	      "Content-Transfer-Encoding: 8bit\r\n\r\n",
	      f);
	fprintf(f, "The shop did not set order %s to status %s (",
		req->order_id, req->status_id);
	for (i = 0; req->status_name[i] != '\0'; i++)
		fputc((unsigned char)req->status_name[i] < 0x20
			      ? ' '
			      : req->status_name[i],
		      f);
	fprintf(f, ").\r\nReason: %s\r\n", clean);
}

static void save_notice(const struct shoper_sync_config *cfg,
			const struct shoper_queue_request *req,
			const char *reason)
{
	const char *argv[10];
	int n = 0, fds[2], status;

	argv[n++] = cfg->doveadm;
	if (cfg->doveadm_config != NULL) {
		argv[n++] = "-c";
		argv[n++] = cfg->doveadm_config;
	}
	const char *rest[] = {"save", "-u",         req->user,
			      "-m",   req->mailbox, NULL};
	for (int i = 0; rest[i] != NULL; i++)
		argv[n++] = rest[i];
	argv[n] = NULL;
	fflush(stdout);
	if (pipe(fds) < 0)
		return;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[0]);
	FILE *f = fdopen(fds[1], "w");
	if (f != NULL) {
		write_notice(f, req, reason);
		fclose(f);
	} else {
		close(fds[1]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void set_keyword(const struct shoper_sync_config *cfg,
			const struct shoper_queue_request *req, bool done)
{
	if (req->user[0] == '\0' || req->mailbox[0] == '\0' || req->uid == 0)
		return; /* from the shell: no message to mark */
	(void)run_doveadm(cfg, req, "remove",
			  done ? SYNC_STATUS_KEYWORD_FAILED
			       : SYNC_STATUS_KEYWORD_DONE);
	if (run_doveadm(cfg, req, "add",
			done ? SYNC_STATUS_KEYWORD_DONE
			     : SYNC_STATUS_KEYWORD_FAILED) < 0)
		fprintf(stderr,
			"status change: user=%s shop=%s order=%s: could not "
			"set the outcome keyword with %s\n",
			req->user, req->shop, req->order_id, cfg->doveadm);
}

void sync_status_apply(const struct shoper_sync_config *cfg,
		       struct sync_state *st,
		       const struct shoper_queue_request *req,
		       volatile int *stop_flag, struct sync_status_outcome *out)
{
	const struct shoper_shop_config *shop =
		shoper_config_find_shop(cfg, req->shop);
	struct shoper_error err;
	char id[32], name[256], old[300];

	memset(out, 0, sizeof(*out));
	old_status(cfg, req, old, sizeof(old));
	if (shop == NULL)
		snprintf(out->reason, sizeof(out->reason),
			 "shop %s is not configured", req->shop);
	else if (sync_status_resolve(shop, st, req->status_id, id, sizeof(id),
				     name, sizeof(name), &err) != 1 ||
		 strcmp(id, req->status_id) != 0)
		snprintf(out->reason, sizeof(out->reason),
			 "status %s is not an active status of shop %s",
			 req->status_id, req->shop);
	else
		put_status(cfg, shop, req, stop_flag, out);
	if (out->retry) {
		fprintf(stderr,
			"status change: user=%s shop=%s order=%s: shop "
			"unreachable, kept for the next run: %s\n",
			req->user, req->shop, req->order_id, out->reason);
		return;
	}
	/* the one log line per change */
	printf("status change: user=%s shop=%s order=%s old=%s new=%s (",
	       req->user[0] != '\0' ? req->user : "-", req->shop, req->order_id,
	       old, req->status_id);
	cmd_print_clean(stdout, req->status_name, strlen(req->status_name));
	printf(") result=%s%s", out->done ? "done" : "failed",
	       out->done ? "" : ": ");
	if (!out->done)
		cmd_print_clean(stdout, out->reason, strlen(out->reason));
	printf("\n");
	fflush(stdout);
	set_keyword(cfg, req, out->done);
	if (!out->done && req->user[0] != '\0' && req->mailbox[0] != '\0')
		save_notice(cfg, req, out->reason);
}

bool sync_status_pending(const struct shoper_sync_config *cfg)
{
	char dir[4096];

	return shoper_queue_dir(cfg->index_path, dir, sizeof(dir)) == 0 &&
	       shoper_queue_pending(dir, NULL, NULL) > 0;
}

int sync_status_run_queue(const struct shoper_sync_config *cfg,
			  struct sync_state *st, volatile int *stop_flag)
{
	struct shoper_queue_request req;
	struct sync_status_outcome out;
	struct shoper_error err;
	char dir[4096], work[512];
	struct stat sb;
	int n = 0, ret;

	if (shoper_queue_dir(cfg->index_path, dir, sizeof(dir)) < 0 ||
	    stat(dir, &sb) < 0)
		return 0; /* no queue: status folders not in use */
	/* requests a killed writer left half-written (IMAP processes write
	   without our lock: only old ones are surely abandoned) */
	if (shoper_file_clean_tmp(dir, NULL, SYNC_STALE_TMP_SECS, &err) < 0)
		fprintf(stderr, "status queue: %s\n", err.msg);
	while (stop_flag == NULL || !*stop_flag) {
		ret = shoper_queue_claim(dir, &req, work, sizeof(work), &err);
		if (ret == 0)
			break;
		if (ret == -2) {
			fprintf(stderr,
				"status change: bad request set "
				"aside as .bad: %s\n",
				err.msg);
			continue;
		}
		if (ret < 0) {
			fprintf(stderr, "status queue %s: %s\n", dir, err.msg);
			return -1;
		}
		sync_status_apply(cfg, st, &req, stop_flag, &out);
		if (out.retry)
			break; /* the .work file stays: tried again next run */
		if (shoper_queue_done(dir, work, &err) < 0)
			fprintf(stderr, "status queue: %s\n", err.msg);
		n++;
	}
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
