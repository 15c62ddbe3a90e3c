/* webapi-probe: drives the shoper-sync webapi client through a scripted
   call sequence and prints the results and the client's counters as JSON
   on stdout (for tests/sync/test-webapi.sh and the bench).

   webapi-probe --url URL --login LOGIN --password-file FILE [--ca FILE]
	[--token-file FILE] [--timeout SECS] [--max-retries N]
	[--max-backoff-ms MS] STEP...
   Steps:
	get:PATH[?QUERY]          one GET (PATH relative to /webapi/rest/)
	put:PATH=JSON             one PUT with a JSON body
	bulk:PATH:N:LIMIT[:PAGE]  one bulk of N GETs of PATH, pages PAGE..
	fetch:PATH:LIMIT          every page of a list: page 1 alone, the
				  rest in bulks of 25 (prints rows, unique)
	repeat:N:STEP             STEP N times (one summary result)
	forget                    drop the token (memory and file)
	exec:COMMAND              run a shell command (e.g. shop control)
   Exit status: 0 all steps ok, 1 a step failed, 2 usage. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shoper-webapi.h"

static const char *const status_names[] = {
	"ok",         "config", "tls",      "network", "auth",
	"permission", "http",   "protocol", "stopped",
};

struct probe {
	struct shoper_webapi *api;
	json_object *results;
	bool failed;
};

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static json_object *result_new(const char *step, enum shoper_webapi_status st,
			       long http, const struct shoper_error *err)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "step", json_object_new_string(step));
	json_object_object_add(r, "status",
			       json_object_new_string(status_names[st]));
	json_object_object_add(r, "http", json_object_new_int64(http));
	if (st != SHOPER_WEBAPI_OK)
		json_object_object_add(r, "error",
				       json_object_new_string(err->msg));
	return r;
}

static json_object *step_get(struct probe *p, const char *step, const char *arg,
			     const char *method)
{
	char *path = strdup(arg), *q = strchr(path, '?'), *body = NULL;
	struct shoper_error err = {{0}};
	enum shoper_webapi_status st;
	json_object *json = NULL, *r, *list;
	long code = 0;

	if (strcmp(method, "PUT") == 0 && (body = strchr(path, '=')) != NULL)
		*body++ = '\0';
	if (q != NULL)
		*q++ = '\0';
	st = shoper_webapi_call(p->api, method, path, q, body, &json, &code,
				&err);
	r = result_new(step, st, code, &err);
	if (json != NULL && json_object_object_get_ex(json, "list", &list))
		json_object_object_add(
			r, "list",
			json_object_new_int64(json_object_array_length(list)));
	if (json != NULL)
		json_object_object_add(r, "type",
				       json_object_new_string(json_type_to_name(
					       json_object_get_type(json))));
	json_object_put(json);
	free(path);
	return r;
}

static json_object *page_requests(const char *path, int n, int limit, int page0)
{
	json_object *reqs = json_object_new_array();
	char id[32];

	for (int i = 0; i < n; i++) {
		json_object *params = json_object_new_object();

		snprintf(id, sizeof(id), "p%d", page0 + i);
		json_object_object_add(params, "limit",
				       json_object_new_int(limit));
		json_object_object_add(params, "page",
				       json_object_new_int(page0 + i));
		shoper_webapi_bulk_add(reqs, id, "GET", path, params, NULL);
	}
	return reqs;
}

/* Count rows of list answers and their distinct ids into r. */
static void count_rows(json_object *items, json_object *seen, int *rows,
		       int *bad_items)
{
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		json_object *body = shoper_json_obj(it, "body"), *list;
		int64_t code = 0;

		if (!shoper_json_int64(it, "code", &code) || code != 200 ||
		    !json_object_object_get_ex(body, "list", &list)) {
			(*bad_items)++;
			continue;
		}
		for (size_t j = 0; j < json_object_array_length(list); j++) {
			json_object *row = json_object_array_get_idx(list, j);
			const char *id = shoper_json_str(row, "order_id");

			(*rows)++;
			if (*id == '\0')
				id = shoper_json_str(row, "id");
			json_object_object_add(seen, id, NULL);
		}
	}
}

static json_object *step_bulk(struct probe *p, const char *step,
			      const char *arg)
{
	char path[256];
	int n = 0, limit = 0, page0 = 1, rows = 0, bad = 0;
	struct shoper_error err = {{0}};
	enum shoper_webapi_status st;
	json_object *reqs, *items = NULL, *r, *seen;

	if (sscanf(arg, "%255[^:]:%d:%d:%d", path, &n, &limit, &page0) < 3)
		return NULL;
	reqs = page_requests(path, n, limit, page0);
	st = shoper_webapi_bulk(p->api, reqs, &items, &err);
	json_object_put(reqs);
	r = result_new(step, st, 0, &err);
	if (items != NULL) {
		seen = json_object_new_object();
		count_rows(items, seen, &rows, &bad);
		json_object_object_add(
			r, "items",
			json_object_new_int64(json_object_array_length(items)));
		json_object_object_add(r, "rows", json_object_new_int(rows));
		json_object_object_add(r, "bad_items",
				       json_object_new_int(bad));
		json_object_put(seen);
	}
	json_object_put(items);
	return r;
}

static json_object *step_fetch(struct probe *p, const char *step,
			       const char *arg)
{
	char path[256], query[64];
	int limit = 50, rows = 0, bad = 0, calls = 0;
	int64_t pages = 0;
	struct shoper_error err = {{0}};
	enum shoper_webapi_status st;
	json_object *json = NULL, *items, *r, *seen, *wrap;
	long code = 0;

	if (sscanf(arg, "%255[^:]:%d", path, &limit) < 1)
		return NULL;
	snprintf(query, sizeof(query), "limit=%d&page=1", limit);
	seen = json_object_new_object();
	st = shoper_webapi_call(p->api, "GET", path, query, NULL, &json, &code,
				&err);
	if (st == SHOPER_WEBAPI_OK) {
		/* the first page through the same counter as bulk items */
		wrap = json_object_new_array();
		items = json_object_new_object();
		json_object_object_add(items, "code", json_object_new_int(200));
		json_object_object_add(items, "body", json_object_get(json));
		json_object_array_add(wrap, items);
		count_rows(wrap, seen, &rows, &bad);
		json_object_put(wrap);
		(void)shoper_json_int64(json, "pages", &pages);
		calls++;
	}
	json_object_put(json);
	for (int64_t page = 2; st == SHOPER_WEBAPI_OK && page <= pages;
	     page += SHOPER_WEBAPI_BULK_MAX) {
		int n = pages - page + 1 > SHOPER_WEBAPI_BULK_MAX
				? SHOPER_WEBAPI_BULK_MAX
				: (int)(pages - page + 1);
		json_object *reqs = page_requests(path, n, limit, (int)page);

		st = shoper_webapi_bulk(p->api, reqs, &items, &err);
		json_object_put(reqs);
		if (st == SHOPER_WEBAPI_OK)
			count_rows(items, seen, &rows, &bad);
		json_object_put(items);
		calls++;
	}
	r = result_new(step, st, code, &err);
	json_object_object_add(r, "pages", json_object_new_int64(pages));
	json_object_object_add(r, "rows", json_object_new_int(rows));
	json_object_object_add(
		r, "unique",
		json_object_new_int(json_object_object_length(seen)));
	json_object_object_add(r, "bad_items", json_object_new_int(bad));
	json_object_object_add(r, "requests", json_object_new_int(calls));
	json_object_put(seen);
	return r;
}

static json_object *run_step(struct probe *p, const char *step);

static json_object *step_repeat(struct probe *p, const char *step,
				const char *arg)
{
	int n = 0, ok = 0, off = 0;
	json_object *r, *one, *first_err = NULL, *st;

	if (sscanf(arg, "%d:%n", &n, &off) < 1 || off == 0)
		return NULL;
	for (int i = 0; i < n; i++) {
		one = run_step(p, arg + off);
		if (one == NULL)
			return NULL;
		if (json_object_object_get_ex(one, "status", &st) &&
		    strcmp(json_object_get_string(st), "ok") == 0) {
			ok++;
			json_object_put(one);
		} else if (first_err == NULL) {
			first_err = one;
		} else {
			json_object_put(one);
		}
	}
	r = json_object_new_object();
	json_object_object_add(r, "step", json_object_new_string(step));
	json_object_object_add(r, "status",
			       json_object_new_string(ok == n ? "ok" : "fail"));
	json_object_object_add(r, "ok", json_object_new_int(ok));
	json_object_object_add(r, "failed", json_object_new_int(n - ok));
	if (first_err != NULL)
		json_object_object_add(r, "first_failure", first_err);
	return r;
}

static json_object *run_step(struct probe *p, const char *step)
{
	json_object *r;
	int rc;

	if (strncmp(step, "get:", 4) == 0)
		return step_get(p, step, step + 4, "GET");
	if (strncmp(step, "put:", 4) == 0)
		return step_get(p, step, step + 4, "PUT");
	if (strncmp(step, "bulk:", 5) == 0)
		return step_bulk(p, step, step + 5);
	if (strncmp(step, "fetch:", 6) == 0)
		return step_fetch(p, step, step + 6);
	if (strncmp(step, "repeat:", 7) == 0)
		return step_repeat(p, step, step + 7);
	if (strcmp(step, "forget") == 0) {
		shoper_webapi_forget_token(p->api);
		r = json_object_new_object();
		json_object_object_add(r, "step", json_object_new_string(step));
		json_object_object_add(r, "status",
				       json_object_new_string("ok"));
		return r;
	}
	if (strncmp(step, "exec:", 5) == 0) {
		fflush(NULL);
		rc = system(step + 5);
		r = json_object_new_object();
		json_object_object_add(r, "step", json_object_new_string(step));
		json_object_object_add(
			r, "status",
			json_object_new_string(rc == 0 ? "ok" : "fail"));
		return r;
	}
	return NULL;
}

static char *read_password(const char *path)
{
	char buf[1024];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

static json_object *stats_json(const struct shoper_webapi_stats *s)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "calls", json_object_new_int(s->calls));
	json_object_object_add(j, "auth_calls",
			       json_object_new_int(s->auth_calls));
	json_object_object_add(j, "retries", json_object_new_int(s->retries));
	json_object_object_add(j, "throttled",
			       json_object_new_int(s->throttled));
	json_object_object_add(j, "bulk_items",
			       json_object_new_int(s->bulk_items));
	json_object_object_add(j, "waited_secs",
			       json_object_new_double(s->waited_secs));
	return j;
}

/* --flat: one "path=value" line per scalar, for sh tests without a JSON
   tool: results.0.status=ok, stats.auth_calls=1. */
static void print_flat(json_object *j, const char *prefix)
{
	char key[256];

	if (json_object_is_type(j, json_type_object)) {
		json_object_object_foreach(j, k, v)
		{
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 *prefix != '\0' ? "." : "", k);
			print_flat(v, key);
		}
	} else if (json_object_is_type(j, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(j); i++) {
			snprintf(key, sizeof(key), "%s%s%zu", prefix,
				 *prefix != '\0' ? "." : "", i);
			print_flat(json_object_array_get_idx(j, i), key);
		}
	} else {
		const char *s = j == NULL ? "" : json_object_get_string(j);

		printf("%s=", prefix);
		for (; *s != '\0'; s++)
			putchar(*s == '\n' || *s == '\r' ? ' ' : *s);
		putchar('\n');
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: webapi-probe --url URL --login LOGIN "
			"--password-file FILE [--ca FILE] [--token-file FILE] "
			"[--timeout S] [--max-retries N] [--max-backoff-ms MS] "
			"STEP...\n");
	return 2;
}

static bool flat;

static int parse_args(int argc, char **argv, struct shoper_webapi_settings *set,
		      int *first_step)
{
	int i;

	set->shop_name = "probe";
	if (argc > 1 && strcmp(argv[1], "--flat") == 0) {
		flat = true;
		argc--;
		argv++;
		*first_step = 1;
	}
	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (strcmp(o, "--url") == 0)
			set->base_url = v;
		else if (strcmp(o, "--login") == 0)
			set->login = v;
		else if (strcmp(o, "--password-file") == 0)
			set->password = read_password(v);
		else if (strcmp(o, "--ca") == 0)
			set->ca_file = v;
		else if (strcmp(o, "--token-file") == 0)
			set->token_file = v;
		else if (strcmp(o, "--timeout") == 0)
			set->timeout_secs = (unsigned int)atoi(v);
		else if (strcmp(o, "--max-retries") == 0)
			set->max_retries = (unsigned int)atoi(v);
		else if (strcmp(o, "--max-backoff-ms") == 0)
			set->max_backoff_ms = (unsigned int)atoi(v);
		else if (strcmp(o, "--name") == 0)
			set->shop_name = v;
		else
			return -1;
	}
	*first_step += i;
	return set->base_url == NULL || set->login == NULL ||
			       set->password == NULL
		       ? -1
		       : 0;
}

int main(int argc, char **argv)
{
	struct shoper_webapi_settings set = {0};
	struct shoper_error err = {{0}};
	struct probe p = {0};
	json_object *out, *r;
	double start = now_secs();
	int first = 0;

	if (parse_args(argc, argv, &set, &first) < 0)
		return usage();
	out = json_object_new_object();
	p.results = json_object_new_array();
	p.api = shoper_webapi_new(&set, &err);
	if (p.api == NULL) {
		json_object_object_add(out, "init_error",
				       json_object_new_string(err.msg));
		p.failed = true;
	}
	for (int i = first; p.api != NULL && i < argc; i++) {
		r = run_step(&p, argv[i]);
		if (r == NULL) {
			fprintf(stderr, "webapi-probe: bad step '%s'\n",
				argv[i]);
			return 2;
		}
		json_object *st;
		if (json_object_object_get_ex(r, "status", &st) &&
		    strcmp(json_object_get_string(st), "ok") != 0)
			p.failed = true;
		json_object_array_add(p.results, r);
	}
	json_object_object_add(out, "results", p.results);
	if (p.api != NULL)
		json_object_object_add(
			out, "stats",
			stats_json(shoper_webapi_get_stats(p.api)));
	json_object_object_add(out, "elapsed_secs",
			       json_object_new_double(now_secs() - start));
	json_object_object_add(out, "ok", json_object_new_boolean(!p.failed));
	if (flat)
		print_flat(out, "");
	else
		printf("%s\n",
		       json_object_to_json_string_ext(
			       out, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	shoper_webapi_free(&p.api);
	free((char *)set.password);
	return p.failed ? 1 : 0;
}
