/* The sync of one shop. Every list is read as a "stream": a resource, base
   filters and a keyset cursor (key > cursor, ordered by key ascending).
   Each bulk call carries up to 25 pages of 50 shared among the streams,
   so a backfill of N orders costs about ceil(N / 1250) calls and an idle
   run one call. */
#include "engine.h"
#include "order-parse.h"
#include "progress.h"
#include "shoper-webapi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_LIMIT 50
#define MAX_STREAMS 32
#define STATUS_OVERLAP_SECS 600
#define FULL_PASS_EVERY_SECS 86400
#define MAX_ITEM_FAILURES 6
/* pages asked for a stream of unknown size when slots are free */
#define SPECULATIVE_PAGES 4

enum stream_kind {
	SK_STATUSES,
	SK_CURRENCIES,
	SK_SHIPPINGS,
	SK_ORDERS,
	SK_STATUS_CHANGES,
	SK_PARCELS,
	SK_PARCELS_OF,
	/* first order of the tracking window: where parcels start */
	SK_TRACK_PROBE,
};

struct stream {
	enum stream_kind kind;
	const char *path;
	const char *key;
	json_object *filters; /* base filters, owned */
	long long cursor;
	long long remaining; /* -1: unknown */
	bool active, done, greedy, started;
	unsigned int failures;
	unsigned int first_slot, n_slots;
};

struct engine {
	const struct shoper_sync_config *cfg;
	const struct shoper_shop_config *shop;
	const struct sync_engine_opts *opts;
	struct sync_state *st;
	struct shoper_webapi *api;
	struct sync_shop_result *res;
	struct sync_cursors c;
	bool backfill_before; /* backfill_done when this run started */
	bool full;
	char synced[20];
	struct stream streams[MAX_STREAMS];
	unsigned int n_streams;
	long long parcel_min; /* parcels of orders from this id on (full) */
	long long *refetch; /* orders whose parcels are read again */
	unsigned int n_refetch, refetch_alloc;
	struct shoper_error err;
};

static const char *stream_path(enum stream_kind kind)
{
	switch (kind) {
	case SK_STATUSES:
		return "/webapi/rest/statuses";
	case SK_CURRENCIES:
		return "/webapi/rest/currencies";
	case SK_SHIPPINGS:
		return "/webapi/rest/shippings";
	case SK_ORDERS:
	case SK_STATUS_CHANGES:
	case SK_TRACK_PROBE:
		return "/webapi/rest/orders";
	default:
		return "/webapi/rest/parcels";
	}
}

static const char *stream_key(enum stream_kind kind)
{
	switch (kind) {
	case SK_STATUSES:
		return "status_id";
	case SK_CURRENCIES:
		return "currency_id";
	case SK_SHIPPINGS:
		return "shipping_id";
	case SK_ORDERS:
	case SK_STATUS_CHANGES:
	case SK_TRACK_PROBE:
		return "order_id";
	default:
		return "parcel_id";
	}
}

static struct stream *add_stream(struct engine *e, enum stream_kind kind,
				 long long cursor, json_object *filters)
{
	struct stream *s = &e->streams[e->n_streams++];

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->path = stream_path(kind);
	s->key = stream_key(kind);
	s->cursor = cursor;
	s->remaining = -1;
	s->active = true;
	s->filters = filters;
	return s;
}

/* {"field": {op: value}} merged into obj (created when NULL). */
static json_object *filter_add(json_object *obj, const char *field,
			       const char *op, json_object *value)
{
	json_object *cond = json_object_new_object();

	if (obj == NULL)
		obj = json_object_new_object();
	json_object_object_add(cond, op, value);
	json_object_object_add(obj, field, cond);
	return obj;
}

static json_object *stream_filters(const struct stream *s)
{
	json_object *f = json_object_new_object();

	if (s->filters != NULL) {
		json_object_object_foreach(s->filters, k, v)
			json_object_object_add(f, k, json_object_get(v));
	}
	if (s->cursor > 0) {
		json_object *cond = NULL;
		/* the key may carry a condition already (order_id >= min) */
		if (json_object_object_get_ex(f, s->key, &cond))
			json_object_object_add(
				cond, ">", json_object_new_int64(s->cursor));
		else
			filter_add(f, s->key, ">",
				   json_object_new_int64(s->cursor));
	}
	return f;
}

static json_object *page_request(const struct stream *s, unsigned int idx,
				 unsigned int page)
{
	json_object *req = json_object_new_object();
	json_object *params = json_object_new_object();
	char id[32], order[64];

	snprintf(id, sizeof(id), "s%u-p%u", idx, page);
	snprintf(order, sizeof(order), "%s asc", s->key);
	json_object *filters = stream_filters(s);
	json_object_object_add(params, "limit",
			       json_object_new_int(PAGE_LIMIT));
	json_object_object_add(params, "page", json_object_new_int(page));
	json_object_object_add(params, "order", json_object_new_string(order));
	json_object_object_add(
		params, "filters",
		json_object_new_string(json_object_to_json_string_ext(
			filters, JSON_C_TO_STRING_PLAIN)));
	json_object_put(filters);
	json_object_object_add(req, "id", json_object_new_string(id));
	json_object_object_add(req, "path", json_object_new_string(s->path));
	json_object_object_add(req, "method", json_object_new_string("GET"));
	json_object_object_add(req, "params", params);
	return req;
}

static unsigned int pages_needed(const struct stream *s)
{
	if (s->remaining < 0)
		return 1;
	long long n = (s->remaining + PAGE_LIMIT - 1) / PAGE_LIMIT;
	return n < 1                        ? 1
	       : n > SHOPER_WEBAPI_BULK_MAX ? SHOPER_WEBAPI_BULK_MAX
					    : (unsigned int)n;
}

/* Shares the 25 slots: one page for every open stream first, then what
   each still needs, then the rest to a greedy stream of unknown size (the
   backfill's first call, before the count is known). */
static json_object *build_bulk(struct engine *e)
{
	unsigned int left = SHOPER_WEBAPI_BULK_MAX;
	json_object *reqs;

	for (unsigned int i = 0; i < e->n_streams; i++) {
		struct stream *s = &e->streams[i];
		s->n_slots = 0;
		if (s->active && !s->done && left > 0) {
			s->n_slots = 1;
			left--;
		}
	}
	for (unsigned int i = 0; i < e->n_streams && left > 0; i++) {
		struct stream *s = &e->streams[i];
		unsigned int need = pages_needed(s);
		if (s->n_slots == 0 || need <= s->n_slots)
			continue;
		unsigned int more = need - s->n_slots;
		more = more > left ? left : more;
		s->n_slots += more;
		left -= more;
	}
	for (unsigned int i = 0; i < e->n_streams && left > 0; i++) {
		struct stream *s = &e->streams[i];
		if (s->n_slots == 0 || s->remaining >= 0 ||
		    s->kind < SK_ORDERS || s->kind == SK_TRACK_PROBE)
			continue;
		unsigned int more = s->greedy ? left : SPECULATIVE_PAGES - 1;
		more = more > left ? left : more;
		s->n_slots += more;
		left -= more;
	}
	reqs = json_object_new_array();
	for (unsigned int i = 0; i < e->n_streams; i++) {
		struct stream *s = &e->streams[i];
		s->first_slot = json_object_array_length(reqs);
		for (unsigned int p = 1; p <= s->n_slots; p++)
			json_object_array_add(reqs, page_request(s, i, p));
	}
	return reqs;
}

static void add_refetch(struct engine *e, long long order_id)
{
	if (e->n_refetch == e->refetch_alloc) {
		e->refetch_alloc = e->refetch_alloc * 2 + 64;
		e->refetch = realloc(e->refetch,
				     e->refetch_alloc * sizeof(*e->refetch));
		if (e->refetch == NULL)
			abort();
	}
	e->refetch[e->n_refetch++] = order_id;
}

static int handle_order(struct engine *e, struct stream *s, json_object *item)
{
	struct sync_order o;
	const char *why;
	bool changed;

	e->res->fetched++;
	if (sync_order_parse(item, &o, &why) < 0) {
		e->res->skipped++;
		return 0;
	}
	int ret = sync_state_put_order(e->st, e->shop->name, &o, e->c.pass,
				       e->synced, &changed, &e->err);
	if (ret == 0 && changed) {
		e->res->changed++;
		/* parcels of an order whose status moved may have changed */
		if (s->kind == SK_STATUS_CHANGES && o.total_parcels > 0)
			add_refetch(e, o.order_id);
	}
	if (s->kind == SK_ORDERS && o.order_id > e->c.max_order_id)
		e->c.max_order_id = o.order_id;
	if (s->kind == SK_ORDERS &&
	    (e->c.min_order_id == 0 || o.order_id < e->c.min_order_id))
		e->c.min_order_id = o.order_id;
	if (strcmp(o.status_date, e->c.status_since) > 0)
		memcpy(e->c.status_since, o.status_date, 20);
	sync_order_clear(&o);
	return ret;
}

static int handle_parcel(struct engine *e, struct stream *s, json_object *item)
{
	struct sync_parcel p;
	const char *why;

	if (sync_parcel_parse(item, &p, &why) < 0)
		return 0;
	e->res->parcels++;
	int ret = sync_state_put_parcel(e->st, e->shop->name, &p, e->c.pass,
					&e->err);
	if (s->kind == SK_PARCELS && p.parcel_id > e->c.max_parcel_id)
		e->c.max_parcel_id = p.parcel_id;
	sync_parcel_clear(&p);
	return ret;
}

static int handle_ref(struct engine *e, struct stream *s, json_object *item)
{
	static const char *const tables[] = {"statuses", "currencies",
					     "shippings"};
	const char *table = tables[s->kind];
	struct sync_status status;
	struct sync_str name;
	const char *why;

	if (!s->started &&
	    sync_state_clear_refs(e->st, e->shop->name, table, &e->err) < 0)
		return -1;
	s->started = true;
	if (s->kind == SK_STATUSES) {
		if (sync_status_parse(item, &status, &why) < 0)
			return 0;
		return sync_state_put_status(e->st, e->shop->name, &status,
					     &e->err);
	}
	long long id = sync_json_id(item, s->key);
	if (id == 0)
		return 0;
	sync_json_text(item, "name", &name);
	int ret = sync_state_put_ref(e->st, e->shop->name, table, id, name.s,
				     name.len, &e->err);
	free(name.s);
	return ret;
}

static int handle_item(struct engine *e, struct stream *s, json_object *item)
{
	switch (s->kind) {
	case SK_TRACK_PROBE:
		if (e->parcel_min == 0)
			e->parcel_min = sync_json_id(item, s->key);
		return 0;
	case SK_ORDERS:
	case SK_STATUS_CHANGES:
		return handle_order(e, s, item);
	case SK_PARCELS:
	case SK_PARCELS_OF:
		return handle_parcel(e, s, item);
	default:
		return handle_ref(e, s, item);
	}
}

static long long body_count(json_object *body)
{
	long long n = sync_json_id(body, "count");
	return n;
}

/* One page of a stream: 1 = processed (and *short_r when it was the
   last), 0 = the page failed (retry later), -1 = local error. */
static int process_page(struct engine *e, struct stream *s, json_object *it,
			bool first, long long *new_cursor, bool *short_r)
{
	json_object *code, *body, *list;

	if (it == NULL || !json_object_object_get_ex(it, "code", &code) ||
	    json_object_get_int(code) != 200 ||
	    !json_object_object_get_ex(it, "body", &body) ||
	    !json_object_object_get_ex(body, "list", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		const char *desc = NULL;
		if (it != NULL &&
		    json_object_object_get_ex(it, "body", &body) &&
		    json_object_is_type(body, json_type_object))
			desc = json_object_get_string(json_object_object_get(
				body, "error_description"));
		snprintf(e->res->error, sizeof(e->res->error),
			 "%s: page failed (code %d)%s%s", s->path,
			 it == NULL
				 ? 0
				 : json_object_get_int(
					   json_object_object_get(it, "code")),
			 desc != NULL ? ": " : "", desc != NULL ? desc : "");
		return 0;
	}
	size_t n = json_object_array_length(list);
	if (first) {
		s->remaining = body_count(body);
		bool orders =
			s->kind == SK_ORDERS || s->kind == SK_STATUS_CHANGES;
		if (orders && !s->started)
			e->res->total += s->remaining;
		s->started = s->started || orders;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(list, i);
		long long key = sync_json_id(item, s->key);
		if (key <= s->cursor)
			continue; /* not what was asked for */
		if (handle_item(e, s, item) < 0)
			return -1;
		if (key > *new_cursor)
			*new_cursor = key;
	}
	s->remaining -= n;
	*short_r = n < PAGE_LIMIT || s->remaining <= 0;
	return 1;
}

/* The pages of one stream in order, up to the first failed page. */
static int process_stream(struct engine *e, struct stream *s,
			  json_object *items, bool *failed_r)
{
	long long new_cursor = s->cursor;
	bool last = false, failed = false;

	for (unsigned int p = 0; p < s->n_slots && !last; p++) {
		json_object *it =
			json_object_array_get_idx(items, s->first_slot + p);
		int ret = process_page(e, s, it, p == 0, &new_cursor, &last);
		if (ret < 0)
			return -1;
		if (ret == 0) {
			failed = *failed_r = true;
			s->remaining = -1;
			break;
		}
		if (p == s->n_slots - 1 && !last && new_cursor == s->cursor) {
			snprintf(
				e->res->error, sizeof(e->res->error),
				"%s: full pages without usable %s; the shop's answer is not understood",
				s->path, s->key);
			return -1;
		}
	}
	if (new_cursor > s->cursor || last)
		s->failures = 0;
	s->cursor = new_cursor;
	if (s->kind == SK_TRACK_PROBE && !failed) {
		last = true;
		if (e->parcel_min == 0) /* no order that recent */
			e->parcel_min = e->c.max_order_id + 1;
	}
	if (last)
		s->done = true;
	else if (failed && ++s->failures >= MAX_ITEM_FAILURES)
		return -1;
	return 0;
}

static void backoff(struct engine *e, unsigned int failures)
{
	unsigned int ms = 500u << (failures > 6 ? 6 : failures);

	if (ms > 30000)
		ms = 30000;
	for (unsigned int t = 0; t < ms; t += 100) {
		if (e->opts->stop_flag != NULL && *e->opts->stop_flag)
			return;
		usleep(100 * 1000);
	}
}

static bool streams_open(const struct engine *e)
{
	for (unsigned int i = 0; i < e->n_streams; i++) {
		if (e->streams[i].active && !e->streams[i].done)
			return true;
	}
	return false;
}

static int checkpoint(struct engine *e)
{
	/* A first backfill commits as it goes so a crash or kill does not
	   start it over; the shop is published only once it completes. */
	if (sync_state_set_cursors(e->st, e->shop->name, &e->c, &e->err) < 0 ||
	    sync_state_commit(e->st, &e->err) < 0 ||
	    sync_state_begin(e->st, &e->err) < 0)
		return -1;
	return 0;
}

static void activate_parcels(struct engine *e)
{
	for (unsigned int i = 0; i < e->n_streams; i++) {
		struct stream *s = &e->streams[i];
		long long min = e->full ? e->parcel_min : e->c.min_order_id;
		if (s->kind != SK_PARCELS || s->active || min == 0)
			continue;
		s->filters = filter_add(s->filters, "order_id",
					">=", json_object_new_int64(min));
		s->active = true;
	}
}

static bool stopped(const struct engine *e)
{
	return e->opts->stop_flag != NULL && *e->opts->stop_flag != 0;
}

static int process_bulk(struct engine *e, json_object *items, bool *failed_r)
{
	unsigned int worst = 0;

	for (unsigned int i = 0; i < e->n_streams; i++) {
		struct stream *s = &e->streams[i];
		if (s->n_slots == 0)
			continue;
		if (process_stream(e, s, items, failed_r) < 0)
			return -1;
		if (s->failures > worst)
			worst = s->failures;
	}
	*failed_r = *failed_r && worst > 0;
	return worst;
}

/* Bulk calls until every active stream is done. */
static int run_streams(struct engine *e)
{
	while (streams_open(e)) {
		json_object *items = NULL;
		bool failed = false;

		if (stopped(e)) {
			snprintf(e->res->error, sizeof(e->res->error),
				 "stopped before the sync was complete");
			return -1;
		}
		json_object *reqs = build_bulk(e);
		enum shoper_webapi_status ret =
			shoper_webapi_bulk(e->api, reqs, &items, &e->err);
		json_object_put(reqs);
		if (ret != SHOPER_WEBAPI_OK) {
			snprintf(e->res->error, sizeof(e->res->error), "%s",
				 e->err.msg);
			return -1;
		}
		e->res->error[0] = '\0';
		int worst = process_bulk(e, items, &failed);
		json_object_put(items);
		if (worst < 0) {
			if (e->err.msg[0] != '\0')
				snprintf(e->res->error, sizeof(e->res->error),
					 "%s", e->err.msg);
			return -1;
		}
		activate_parcels(e);
		sync_progress_update(e->opts->progress, e->res->fetched,
				     e->res->total,
				     shoper_webapi_get_stats(e->api)->calls);
		if (!e->backfill_before && checkpoint(e) < 0)
			return -1;
		if (failed)
			backoff(e, worst);
	}
	return 0;
}

static void free_streams(struct engine *e)
{
	for (unsigned int i = 0; i < e->n_streams; i++)
		json_object_put(e->streams[i].filters);
	e->n_streams = 0;
}

/* Parcels of orders whose status changed: read again in full, since a
   tracking number may have been added to an existing parcel. */
static int refetch_parcels(struct engine *e)
{
	unsigned int i = 0;

	while (i < e->n_refetch) {
		free_streams(e);
		while (i < e->n_refetch && e->n_streams < MAX_STREAMS) {
			json_object *ids = json_object_new_array();
			for (unsigned int n = 0;
			     n < PAGE_LIMIT && i < e->n_refetch; n++, i++) {
				if (sync_state_delete_parcels_of(
					    e->st, e->shop->name, e->refetch[i],
					    &e->err) < 0)
					return -1;
				json_object_array_add(
					ids,
					json_object_new_int64(e->refetch[i]));
			}
			add_stream(e, SK_PARCELS_OF, 0,
				   filter_add(NULL, "order_id", "IN", ids));
		}
		if (run_streams(e) < 0)
			return -1;
	}
	return 0;
}

static void add_phase1_streams(struct engine *e, bool sweep, const char *window)
{
	struct stream *s;
	char since[20];

	add_stream(e, SK_STATUSES, 0, NULL);
	add_stream(e, SK_CURRENCIES, 0, NULL);
	add_stream(e, SK_SHIPPINGS, 0, NULL);
	s = add_stream(
		e, SK_ORDERS, sweep ? 0 : e->c.max_order_id,
		filter_add(NULL, "date", ">=", json_object_new_string(window)));
	s->greedy = e->full;
	if (!e->full && e->c.status_since[0] != '\0') {
		sync_date_add(e->c.status_since, -STATUS_OVERLAP_SECS, since);
		json_object *f = filter_add(
			NULL, "date", ">=", json_object_new_string(window));
		add_stream(e, SK_STATUS_CHANGES, 0,
			   filter_add(f, "status_date",
				      ">=", json_object_new_string(since)));
	}
	if (e->full) {
		/* tracking numbers matter for recent orders: a full pass reads
		   the parcels of the last tracking_days only (later parcels
		   of any order in the window come with the incremental runs) */
		char start[20];
		unsigned int days = e->cfg->tracking_days;
		sync_local_time(-(long long)days * 86400, start);
		if (strcmp(start, window) < 0)
			memcpy(start, window, sizeof(start));
		add_stream(e, SK_TRACK_PROBE, 0,
			   filter_add(NULL, "date",
				      ">=", json_object_new_string(start)));
	}
	s = add_stream(e, SK_PARCELS, sweep ? 0 : e->c.max_parcel_id, NULL);
	s->active = false;
	activate_parcels(e);
}

static void cred_fingerprint(const struct shoper_shop_config *shop, char *out,
			     size_t size)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	(void)stat(shop->password_file, &st);
	snprintf(out, size, "%s|%s|%llu:%lld:%lld.%09ld", shop->login,
		 shop->url, (unsigned long long)st.st_ino,
		 (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		 st.st_mtim.tv_nsec);
}

static int prune(struct engine *e, const char *window)
{
	if (sync_state_begin(e->st, &e->err) < 0)
		return -1;
	long long n = sync_state_prune(e->st, e->shop->name, window, &e->err);
	if (n < 0 ||
	    sync_state_get_cursors(e->st, e->shop->name, &e->c, &e->err) < 0 ||
	    sync_state_commit(e->st, &e->err) < 0) {
		sync_state_rollback(e->st);
		return -1;
	}
	e->res->pruned = n;
	return 0;
}

static int sync_shop(struct engine *e)
{
	char window[20], fp[sizeof(e->c.cred_fp)];
	time_t now = time(NULL);

	sync_local_time(-(long long)e->shop->history_days * 86400, window);
	sync_local_time(0, e->synced);
	if (prune(e, window) < 0)
		return -1;
	cred_fingerprint(e->shop, fp, sizeof(fp));
	if (e->c.cred_fp[0] != '\0' && strcmp(e->c.cred_fp, fp) != 0)
		shoper_webapi_forget_token(e->api);
	if (sync_state_begin(e->st, &e->err) < 0)
		return -1;
	e->backfill_before = e->c.backfill_done;
	e->full = !e->c.backfill_done || e->opts->full ||
		  now - e->c.last_full_pass >= FULL_PASS_EVERY_SECS;
	bool sweep = e->full && e->c.backfill_done;
	if (sweep || e->c.pass == 0)
		e->c.pass++;
	e->res->full = e->full;
	add_phase1_streams(e, sweep, window);
	if (run_streams(e) < 0 || refetch_parcels(e) < 0)
		goto fail;
	if (sweep) {
		e->res->deleted =
			sync_state_sweep(e->st, e->shop->name, e->c.pass,
					 e->parcel_min, &e->err);
		if (e->res->deleted < 0)
			goto fail;
	}
	e->c.backfill_done = true;
	if (e->full)
		e->c.last_full_pass = now;
	e->c.last_good_sync = now;
	memcpy(e->c.window_start, window, sizeof(window));
	snprintf(e->c.cred_fp, sizeof(e->c.cred_fp), "%s", fp);
	e->c.min_order_id = sync_state_min_order_id(e->st, e->shop->name);
	if (sync_state_set_cursors(e->st, e->shop->name, &e->c, &e->err) < 0 ||
	    sync_state_commit(e->st, &e->err) < 0)
		goto fail;
	e->res->in_state = sync_state_count_orders(e->st, e->shop->name);
	return 0;
fail:
	if (e->res->error[0] == '\0')
		snprintf(e->res->error, sizeof(e->res->error), "%s",
			 e->err.msg);
	sync_state_rollback(e->st);
	return -1;
}

static struct shoper_webapi *open_api(const struct shoper_sync_config *cfg,
				      const struct shoper_shop_config *shop,
				      const struct sync_engine_opts *opts,
				      struct sync_shop_result *res)
{
	struct shoper_webapi_settings set;
	struct shoper_error err;
	char token_file[4096];

	char *password = shoper_config_read_password(cfg, shop, res->error,
						     sizeof(res->error));
	if (password == NULL)
		return NULL;
	snprintf(token_file, sizeof(token_file), "%s/%s.token", cfg->state_dir,
		 shop->name);
	memset(&set, 0, sizeof(set));
	set.shop_name = shop->name;
	set.base_url = shop->url;
	set.login = shop->login;
	set.password = password;
	set.ca_file = shop->ca_file;
	set.token_file = token_file;
	set.timeout_secs = cfg->timeout;
	set.stop_flag = opts->stop_flag;
	struct shoper_webapi *api = shoper_webapi_new(&set, &err);
	explicit_bzero(password, strlen(password));
	free(password);
	if (api == NULL)
		snprintf(res->error, sizeof(res->error), "%s", err.msg);
	return api;
}

int sync_engine_run_shop(const struct shoper_sync_config *cfg,
			 const struct shoper_shop_config *shop,
			 struct sync_state *st,
			 const struct sync_engine_opts *opts,
			 struct sync_shop_result *res)
{
	struct engine e;
	struct timespec t0, t1;

	memset(res, 0, sizeof(*res));
	memset(&e, 0, sizeof(e));
	snprintf(res->shop, sizeof(res->shop), "%s", shop->name);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sync_progress_start(opts->progress, shop->name);
	e.cfg = cfg;
	e.shop = shop;
	e.opts = opts;
	e.st = st;
	e.res = res;
	e.api = open_api(cfg, shop, opts, res);
	int ret = -1;
	if (e.api != NULL) {
		ret = sync_shop(&e);
		const struct shoper_webapi_stats *stats =
			shoper_webapi_get_stats(e.api);
		res->calls = stats->calls;
		res->auth_calls = stats->auth_calls;
		res->throttled = stats->throttled;
		shoper_webapi_free(&e.api);
	}
	free_streams(&e);
	free(e.refetch);
	res->ok = ret == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	sync_progress_finish(opts->progress, res);
	return ret;
}

static bool parse_naive(const char *s, struct tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	if (!sync_valid_date(s, strlen(s)) ||
	    sscanf(s, "%d-%d-%d %d:%d:%d", &tm->tm_year, &tm->tm_mon,
		   &tm->tm_mday, &tm->tm_hour, &tm->tm_min, &tm->tm_sec) != 6)
		return false;
	tm->tm_year -= 1900;
	tm->tm_mon -= 1;
	return true;
}

void sync_date_add(const char *date, long long offset, char out[20])
{
	struct tm tm;

	out[0] = '\0';
	if (!parse_naive(date, &tm))
		return;
	time_t t = timegm(&tm) + offset;
	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

void sync_local_time(long long offset, char out[20])
{
	const char *fake = getenv("SHOPER_SYNC_NOW");
	struct tm tm;

	if (fake != NULL && sync_valid_date(fake, strlen(fake))) {
		sync_date_add(fake, offset, out);
		return;
	}
	time_t t = time(NULL) + offset;
	localtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}
