/* The sync of one shop. Every list is read as a "stream": a resource, base
   filters and a keyset cursor (key > cursor, ordered by key ascending).
   Each bulk call carries up to 25 pages of 50 shared among the streams,
   so a backfill of N orders costs about ceil(N / 1250) calls and an idle
   run one call. */
#include "engine-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* sync_state_id_cb: appends id to the engine_ids ctx. */
static void ids_add(void *ctx, long long id)
{
	struct engine_ids *l = ctx;

	if (l->n == l->alloc) {
		l->alloc = l->alloc * 2 + 64;
		l->v = realloc(l->v, l->alloc * sizeof(*l->v));
		if (l->v == NULL)
			abort();
	}
	l->v[l->n++] = id;
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
	/* asked for by id (no date filter): one that left the window is
	   not taken back, one without a date (zero) is */
	if (o.date[0] != '\0' && strcmp(o.date, e->window) < 0) {
		sync_order_clear(&o);
		return 0;
	}
	if (e->want_seen)
		ids_add(&e->seen, o.order_id);
	if (s->kind == SK_RECENT)
		e->res->refreshed++;
	int ret = sync_state_put_order(e->st, e->shop->name, &o, e->c.pass,
				       e->synced, &changed, &e->err);
	if (ret == 0 && e->opts->touched != NULL)
		ids_add(e->opts->touched, o.order_id);
	if (ret == 0 && changed) {
		e->res->changed++;
		/* parcels of an order whose status moved may have changed */
		if ((s->kind == SK_STATUS_CHANGES || s->kind == SK_RECENT) &&
		    o.total_parcels > 0)
			ids_add(&e->refetch, o.order_id);
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
	long long min = e->full ? e->parcel_min : e->c.min_order_id;
	if (e->parcels_unfiltered && p.order_id < min) {
		sync_parcel_clear(&p); /* read without the order_id filter */
		return 0;
	}
	e->res->parcels++;
	int ret = sync_state_put_parcel(e->st, e->shop->name, &p, e->c.pass,
					&e->err);
	if (ret == 0 && e->opts->touched != NULL)
		ids_add(e->opts->touched, p.order_id);
	if (s->kind == SK_PARCELS && p.parcel_id > e->c.max_parcel_id)
		e->c.max_parcel_id = p.parcel_id;
	sync_parcel_clear(&p);
	return ret;
}

/* A shipping method: its name and tracking URL template. */
static int handle_shipping(struct engine *e, json_object *item)
{
	struct sync_shipping sh;
	const char *why;

	if (sync_shipping_parse(item, e->shop->language, &sh, &why) < 0)
		return 0;
	int ret = sync_state_put_shipping(e->st, e->shop->name, &sh, &e->err);
	sync_shipping_clear(&sh);
	return ret;
}

/* FNV-1a over the kind and the item's JSON text, in the order read */
static void refs_hash_add(unsigned long long *h, enum stream_kind kind,
			  const char *text)
{
	*h = (*h ^ (unsigned long long)kind) * 1099511628211ULL;
	for (const char *p = text; p != NULL && *p != '\0'; p++)
		*h = (*h ^ (unsigned char)*p) * 1099511628211ULL;
}

static int handle_ref(struct engine *e, struct stream *s, json_object *item)
{
	static const char *const tables[] = {"statuses", "currencies",
					     "shippings"};
	const char *table = tables[s->kind];
	struct sync_status status;
	struct sync_str name;
	const char *why;

	refs_hash_add(
		&e->res->refs_hash, s->kind,
		json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN));
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
	if (s->kind == SK_SHIPPINGS)
		return handle_shipping(e, item);
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
	case SK_ORDERS_OF:
	case SK_RECENT:
		return handle_order(e, s, item);
	case SK_PARCELS:
	case SK_PARCELS_OF:
		return handle_parcel(e, s, item);
	default:
		return handle_ref(e, s, item);
	}
}

/* Adds streams reading ids[*i..] by order id, a page of ids each, while
   there is room: the orders (SK_ORDERS_OF, dated from window on) or
   their parcels (SK_PARCELS_OF). */
static void add_id_streams(struct engine *e, enum stream_kind kind,
			   const struct engine_ids *ids, unsigned int *i,
			   const char *window)
{
	while (*i < ids->n && e->n_streams < MAX_STREAMS) {
		json_object *list = json_object_new_array();
		for (unsigned int n = 0; n < PAGE_LIMIT && *i < ids->n;
		     n++, (*i)++)
			json_object_array_add(
				list, json_object_new_int64(ids->v[*i]));
		json_object *f =
			engine_filter_add(NULL, "order_id", "IN", list);
		if (window != NULL)
			f = engine_filter_add(f, "date", ">=",
					      json_object_new_string(window));
		engine_add_stream(e, kind, 0, f);
	}
}

/* These orders and the parcels of those, by id, in as few calls as the
   bulk's pages allow. */
static int read_by_ids(struct engine *e, const struct engine_ids *orders,
		       const char *window, const struct engine_ids *parcels)
{
	unsigned int oi = 0, pi = 0;

	while (oi < orders->n || pi < parcels->n) {
		engine_free_streams(e);
		add_id_streams(e, SK_ORDERS_OF, orders, &oi, window);
		add_id_streams(e, SK_PARCELS_OF, parcels, &pi, NULL);
		if (engine_run_streams(e) < 0)
			return -1;
	}
	return 0;
}

/* Parcels of orders whose status changed: read again in full, since a
   tracking number may have been added to an existing parcel. */
static int refetch_parcels(struct engine *e)
{
	/* by order id only: a shop that refuses that keeps them as read */
	if (e->parcels_unfiltered || (e->refused & (1u << D_PARCELS)) != 0)
		return 0;
	for (unsigned int i = 0; i < e->refetch.n; i++) {
		if (sync_state_delete_parcels_of(e->st, e->shop->name,
						 e->refetch.v[i], &e->err) < 0)
			return -1;
	}
	const struct engine_ids none = {NULL, 0, 0};

	return read_by_ids(e, &none, NULL, &e->refetch);
}

/* A full pass reads the window as pages 1..n of one filter per bulk call:
   an order deleted in the shop between two of those sub-requests shifts
   the later pages, and an unrelated order (or parcel) is in no answer.
   Before the sweep, what the pass did not see is asked for by id, so
   only what the shop confirms gone is swept. Costs nothing when all was
   seen. */
static int recheck_unseen(struct engine *e, const char *window)
{
	struct engine_ids orders = {NULL, 0, 0}, parcels = {NULL, 0, 0};
	const char *shop = e->shop->name;
	int ret = -1;

	if (sync_state_unseen(e->st, shop, e->c.pass, false, 0, ids_add,
			      &orders, &e->err) >= 0 &&
	    sync_state_unseen(e->st, shop, e->c.pass, true, e->parcel_min,
			      ids_add, &parcels, &e->err) >= 0 &&
	    read_by_ids(e, &orders, NULL, &parcels) == 0)
		ret = 0;
	free(orders.v);
	free(parcels.v);
	return ret;
}

static void add_phase1_streams(struct engine *e, bool sweep, const char *window)
{
	struct stream *s;
	char since[20];

	engine_add_stream(e, SK_STATUSES, 0, NULL);
	engine_add_stream(e, SK_CURRENCIES, 0, NULL);
	engine_add_stream(e, SK_SHIPPINGS, 0, NULL);
	s = engine_add_stream(
		e, SK_ORDERS, sweep ? 0 : e->c.max_order_id,
		engine_filter_add(NULL, "date",
				  ">=", json_object_new_string(window)));
	s->greedy = e->full;
	if (!e->full && e->c.status_since[0] != '\0' && !e->status_fallback) {
		sync_date_add(e->c.status_since, -STATUS_OVERLAP_SECS, since);
		json_object *f = engine_filter_add(
			NULL, "date", ">=", json_object_new_string(window));
		engine_add_stream(
			e, SK_STATUS_CHANGES, 0,
			engine_filter_add(f, "status_date",
					  ">=", json_object_new_string(since)));
	}
	if (e->full) {
		/* tracking numbers matter for recent orders: a full pass reads
		   the parcels of the last tracking_days only (later parcels
		   of any order in the window come with the incremental runs) */
		char start[20];
		unsigned int days = e->cfg->tracking_days;
		sync_local_time(e->zone, -(long long)days * 86400, start);
		if (strcmp(start, window) < 0)
			memcpy(start, window, sizeof(start));
		engine_add_stream(
			e, SK_TRACK_PROBE, 0,
			engine_filter_add(NULL, "date",
					  ">=", json_object_new_string(start)));
	}
	s = engine_add_stream(e, SK_PARCELS, sweep ? 0 : e->c.max_parcel_id,
			      NULL);
	s->active = false;
	engine_activate_parcels(e);
	/* status changes without a status_date filter: found by re-reading */
	engine_add_refresh(
		e, e->status_fallback ? SHOPER_SYNC_DEFAULT_RECENT_DAYS : 0);
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

/* The shop's time zone (application-config's locale_timezone): the
   webapi's dates are naive shop-local times, so the history window is
   computed in that zone. Asked for on the first sync and then once a
   day; a shop that doesn't say (or names a zone this host lacks) gets
   the host's zone. A failed call keeps what was known: the sync itself
   reports a shop that can't be reached. */
static int shop_zone(struct engine *e)
{
	json_object *json = NULL, *v;
	long long checked;
	long code = 0;
	time_t now = time(NULL);

	if (sync_state_get_zone(e->st, e->shop->name, e->zone, sizeof(e->zone),
				&checked, &e->err) < 0)
		return -1;
	if (checked > 0 && now - checked < ZONE_CHECK_EVERY_SECS)
		return 0;
	enum shoper_webapi_status ret =
		shoper_webapi_call(e->api, "GET", "application-config", NULL,
				   NULL, &json, &code, &e->err);
	/* unreachable, login refused: ask again next time */
	if (ret != SHOPER_WEBAPI_OK && code != 400 && code != 403 &&
	    code != 404)
		return 0;
	if (ret != SHOPER_WEBAPI_OK)
		engine_degrade(e, D_APP_CONFIG, (int)code,
			       code == 403 ? "permission denied" : "refused");
	else
		e->probed |= 1u << D_APP_CONFIG;
	e->zone[0] = '\0';
	if (ret == SHOPER_WEBAPI_OK &&
	    json_object_object_get_ex(json, "locale_timezone", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    sync_zone_known(json_object_get_string(v)))
		snprintf(e->zone, sizeof(e->zone), "%s",
			 json_object_get_string(v));
	json_object_put(json);
	return sync_state_set_zone(e->st, e->shop->name, e->zone, now, &e->err);
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

	if (shop_zone(e) < 0) {
		snprintf(e->res->error, sizeof(e->res->error), "%s",
			 e->err.msg);
		return -1;
	}
	sync_local_time(e->zone, -(long long)e->shop->history_days * 86400,
			window);
	/* shop-local like the order dates it is shown next to */
	sync_local_time(e->zone, 0, e->synced);
	memcpy(e->window, window, sizeof(window));
	if (prune(e, window) < 0)
		return -1;
	/* a zero date (older states) is no date: never a cursor */
	if (strncmp(e->c.status_since, "0000", 4) == 0)
		e->c.status_since[0] = '\0';
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
	if (engine_load_degraded(e) < 0)
		goto fail;
	add_phase1_streams(e, sweep, window);
	if (engine_run_streams(e) < 0 || engine_save_refresh(e) < 0 ||
	    refetch_parcels(e) < 0)
		goto fail;
	if (sweep) {
		if (recheck_unseen(e, window) < 0)
			goto fail;
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
	if (engine_save_degraded(e) < 0)
		goto fail;
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

struct shoper_webapi *sync_webapi_open(const struct shoper_sync_config *cfg,
				       const struct shoper_shop_config *shop,
				       bool keep_token,
				       unsigned int max_retries,
				       volatile int *stop_flag, char *why,
				       size_t why_size, bool *password_failed_r)
{
	struct shoper_webapi_settings set;
	struct shoper_error err;
	char token_file[4096];

	char *password = shoper_config_read_password(cfg, shop, why, why_size);
	if (password_failed_r != NULL)
		*password_failed_r = password == NULL;
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
	set.token_file = keep_token ? token_file : NULL;
	set.timeout_secs = cfg->timeout;
	set.max_retries = max_retries;
	set.stop_flag = stop_flag;
	struct shoper_webapi *api = shoper_webapi_new(&set, &err);
	explicit_bzero(password, strlen(password));
	free(password);
	if (api == NULL)
		snprintf(why, why_size, "%s", err.msg);
	return api;
}

/* What a webhook asked for: these orders re-read by id (one bulk call
   for up to 25 pages of 50), their parcels with them; one the shop no
   longer has is deleted. Cursors stay as they are: the polls go on. */
static int refresh_ids(struct engine *e)
{
	const struct engine_ids *ids = e->opts->only_orders;
	const struct engine_ids *seen = &e->seen;
	long long checked;
	bool parcels;
	int ret = -1;

	if (sync_state_get_zone(e->st, e->shop->name, e->zone, sizeof(e->zone),
				&checked, &e->err) < 0 ||
	    sync_state_get_cursors(e->st, e->shop->name, &e->c, &e->err) < 0)
		goto out;
	sync_local_time(e->zone, -(long long)e->shop->history_days * 86400,
			e->window);
	sync_local_time(e->zone, 0, e->synced);
	if (sync_state_begin(e->st, &e->err) < 0)
		goto out;
	e->want_seen = true;
	parcels = engine_load_degraded(e) == 0 && !e->parcels_unfiltered &&
		  (e->refused & (1u << D_PARCELS)) == 0;
	for (unsigned int i = 0; parcels && i < ids->n; i++) {
		if (sync_state_delete_parcels_of(e->st, e->shop->name,
						 ids->v[i], &e->err) < 0)
			goto fail;
	}
	const struct engine_ids none = {NULL, 0, 0};
	if (read_by_ids(e, ids, NULL, parcels ? ids : &none) < 0)
		goto fail;
	for (unsigned int i = 0; i < ids->n; i++) {
		unsigned int j = 0;
		while (j < seen->n && seen->v[j] != ids->v[i])
			j++;
		if (j == seen->n) {
			if (sync_state_delete_order(e->st, e->shop->name,
						    ids->v[i], &e->err) < 0)
				goto fail;
			e->res->deleted++;
		}
	}
	if (sync_state_commit(e->st, &e->err) == 0)
		ret = 0;
fail:
	if (ret < 0)
		sync_state_rollback(e->st);
out:
	if (ret < 0 && e->res->error[0] == '\0')
		snprintf(e->res->error, sizeof(e->res->error), "%s",
			 e->err.msg);
	e->want_seen = false;
	return ret;
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
	e.handle_item = handle_item;
	e.api = sync_webapi_open(cfg, shop, true, 0, opts->stop_flag,
				 res->error, sizeof(res->error), NULL);
	int ret = -1;
	if (e.api != NULL) {
		ret = opts->only_orders != NULL ? refresh_ids(&e)
						: sync_shop(&e);
		const struct shoper_webapi_stats *stats =
			shoper_webapi_get_stats(e.api);
		res->calls = stats->calls;
		res->auth_calls = stats->auth_calls;
		res->throttled = stats->throttled;
		shoper_webapi_free(&e.api);
	}
	engine_free_streams(&e);
	free(e.refetch.v);
	free(e.seen.v);
	res->ok = ret == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	sync_progress_finish(opts->progress, res);
	return ret;
}
