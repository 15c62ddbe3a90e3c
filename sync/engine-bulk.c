/* Lists read as "streams" (resource, base filters, keyset cursor: key >
   cursor, ascending) through bulk calls: each call carries up to 25 pages
   of 50 shared among the open streams. */
#include "engine-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
			engine_filter_add(f, s->key, ">",
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
	long long n = s->remaining < 0
			      ? 1
			      : (s->remaining + PAGE_LIMIT - 1) / PAGE_LIMIT;

	if (s->budget >= 0 && n > s->budget)
		n = s->budget;
	return n < 1                        ? 1
	       : n > SHOPER_WEBAPI_BULK_MAX ? SHOPER_WEBAPI_BULK_MAX
					    : (unsigned int)n;
}

/* The refresh of recent orders takes the slots left over, up to its
   budget: it makes no call of its own while the sync has room. */
static void fill_refresh(struct engine *e, unsigned int *left)
{
	for (unsigned int i = 0; i<e->n_streams && * left> 0; i++) {
		struct stream *s = &e->streams[i];
		if (s->kind != SK_RECENT || s->n_slots == 0 ||
		    s->remaining >= 0 || s->budget <= (int)s->n_slots)
			continue;
		unsigned int more = (unsigned int)s->budget - s->n_slots;
		more = more > *left ? *left : more;
		s->n_slots += more;
		*left -= more;
	}
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
		    s->kind < SK_ORDERS || s->kind >= SK_TRACK_PROBE)
			continue;
		unsigned int more = s->greedy ? left : SPECULATIVE_PAGES - 1;
		more = more > left ? left : more;
		s->n_slots += more;
		left -= more;
	}
	fill_refresh(e, &left);
	reqs = json_object_new_array();
	for (unsigned int i = 0; i < e->n_streams; i++) {
		struct stream *s = &e->streams[i];
		s->first_slot = json_object_array_length(reqs);
		for (unsigned int p = 1; p <= s->n_slots; p++)
			json_object_array_add(reqs, page_request(s, i, p));
	}
	return reqs;
}

static long long body_count(json_object *body)
{
	long long n = sync_json_id(body, "count");
	return n;
}

/* A sub-request the shop refuses for good (not a failure to retry):
   400, 403 insufficient_scope, 404 for a filter it does not support. */
static bool refusal(int code)
{
	return code == 400 || code == 403 || code == 404;
}

/* One page of a stream: 1 = processed (and *short_r when it was the
   last), 0 = the page failed (retry later), 2 = refused (e->res->error
   says how), -1 = local error. */
static int process_page(struct engine *e, struct stream *s, json_object *it,
			bool first, long long *new_cursor, bool *short_r)
{
	json_object *code, *body, *list;

	if (it == NULL || !json_object_object_get_ex(it, "code", &code) ||
	    json_object_get_int(code) != 200 ||
	    !json_object_object_get_ex(it, "body", &body) ||
	    !json_object_object_get_ex(body, "list", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		char desc[256] = "";

		if (it != NULL &&
		    json_object_object_get_ex(it, "body", &body) &&
		    json_object_is_type(body, json_type_object))
			shoper_webapi_error_text(body, desc, sizeof(desc));
		snprintf(e->res->error, sizeof(e->res->error),
			 "%s: page failed (code %d)%s%s", s->path,
			 it == NULL
				 ? 0
				 : json_object_get_int(
					   json_object_object_get(it, "code")),
			 desc[0] != '\0' ? ": " : "", desc);
		return it != NULL && refusal(json_object_get_int(
					     json_object_object_get(it,
								    "code")))
			       ? 2
			       : 0;
	}
	engine_served(e, s);
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
		if (e->handle_item(e, s, item) < 0)
			return -1;
		if (key > *new_cursor)
			*new_cursor = key;
	}
	s->remaining -= n;
	*short_r = n < PAGE_LIMIT || s->remaining <= 0;
	return 1;
}

/* The shop's refusal of item it: final, handled by engine_refused. */
static int stream_refused(struct engine *e, struct stream *s, json_object *it)
{
	json_object *body = NULL;
	char desc[160] = "";

	if (json_object_object_get_ex(it, "body", &body) &&
	    json_object_is_type(body, json_type_object))
		shoper_webapi_error_text(body, desc, sizeof(desc));
	return engine_refused(
		e, s, json_object_get_int(json_object_object_get(it, "code")),
		desc);
}

/* A slice of the refresh was read: its budget shrinks; at the end of
   its window the next sync starts it over. */
static void spend_budget(struct stream *s, unsigned int served, bool last)
{
	if (s->budget < 0)
		return;
	s->budget -= (int)served;
	if (last)
		s->wrapped = true;
	else if (s->budget <= 0)
		s->done = true;
}

/* The pages of one stream in order, up to the first failed page. */
static int process_stream(struct engine *e, struct stream *s,
			  json_object *items, bool *failed_r)
{
	long long new_cursor = s->cursor;
	bool last = false, failed = false;
	unsigned int served = 0;

	for (unsigned int p = 0; p < s->n_slots && !last; p++) {
		json_object *it =
			json_object_array_get_idx(items, s->first_slot + p);
		int ret = process_page(e, s, it, p == 0, &new_cursor, &last);
		if (ret < 0)
			return -1;
		if (ret == 2) {
			s->cursor = new_cursor;
			return stream_refused(e, s, it);
		}
		served += ret == 1;
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
	spend_budget(s, served, last);
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

void engine_activate_parcels(struct engine *e)
{
	for (unsigned int i = 0; i < e->n_streams; i++) {
		struct stream *s = &e->streams[i];
		long long min = e->full ? e->parcel_min : e->c.min_order_id;
		if (s->kind != SK_PARCELS || s->active || min == 0)
			continue;
		/* without the filter, parcels of older orders are dropped as
		   they come (engine.c) */
		if (!e->parcels_unfiltered)
			s->filters = engine_filter_add(
				s->filters, "order_id",
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
int engine_run_streams(struct engine *e)
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
		engine_activate_parcels(e);
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
