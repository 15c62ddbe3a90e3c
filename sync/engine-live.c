/* What live shops need of the engine: refused sub-requests (400, 403
   insufficient_scope, 404 for a filter field the shop does not support)
   are final, so a refused reference stream degrades the data and a
   refused filter is replaced by a way without it; and recent orders are
   re-read, a slice a sync, so edits other than a status change (payment,
   tracking, a corrected total) arrive without waiting for the full pass. */
#include "engine-private.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct degr_info {
	const char *what; /* kept in the state, shown by check */
	const char *lost; /* what the headers lack meanwhile */
	const char *fix;
};

static const struct degr_info degr[D_COUNT] = {
	[D_STATUSES] = {"statuses",
			"X-Shoper-Order-Status carries no status name or type",
			"grant the webapi account access to order statuses"},
	[D_CURRENCIES] = {"currencies",
			  "X-Shoper-Order-Total carries no currency",
			  "grant the webapi account access to currencies"},
	[D_SHIPPINGS] = {"shippings", "no shipping method name",
			 "grant the webapi account access to shipping "
			 "methods (dostawy)"},
	[D_PARCELS] = {"parcels",
		       "X-Shoper-Order-Tracking is missing (no tracking "
		       "numbers)",
		       "grant the webapi account access to parcels "
		       "(przesyłki)"},
	[D_APP_CONFIG] = {"application-config",
			  "the history window is counted in this host's time "
			  "zone",
			  "grant the webapi account access to the shop's "
			  "configuration"},
	[D_STATUS_DATE] = {"orders.status_date",
			   "status changes arrive by re-reading recent orders "
			   "and at the daily full pass, not at once",
			   "nothing to grant: the shop does not filter on "
			   "status_date"},
	[D_PARCEL_ORDER_ID] = {"parcels.order_id",
			       "parcels are read by parcel id; a tracking "
			       "number added to an existing parcel arrives at "
			       "the daily full pass",
			       "nothing to grant: the shop does not filter "
			       "parcels on order_id"},
};

static bool has_filter(const struct stream *s, const char *field)
{
	json_object *v;

	return s->filters != NULL &&
	       json_object_object_get_ex(s->filters, field, &v);
}

void engine_degrade(struct engine *e, enum engine_degr d, int code,
		    const char *text)
{
	e->probed |= 1u << d;
	e->refused |= 1u << d;
	e->refused_code[d] = code;
	snprintf(e->refused_text[d], sizeof(e->refused_text[d]), "%s", text);
}

void engine_served(struct engine *e, const struct stream *s)
{
	switch (s->kind) {
	case SK_STATUSES:
	case SK_CURRENCIES:
	case SK_SHIPPINGS:
		e->probed |= 1u << (D_STATUSES + (s->kind - SK_STATUSES));
		break;
	case SK_STATUS_CHANGES:
		e->probed |= 1u << D_STATUS_DATE;
		break;
	case SK_PARCELS:
	case SK_PARCELS_OF:
		e->probed |= 1u << D_PARCELS;
		if (has_filter(s, "order_id"))
			e->probed |= 1u << D_PARCEL_ORDER_ID;
		break;
	default:
		break;
	}
}

/* A refused filter: the stream goes on without it. */
static void drop_filter(struct stream *s, const char *field)
{
	json_object_object_del(s->filters, field);
	s->remaining = -1;
	s->failures = 0;
}

static int refused_orders(struct engine *e, const struct stream *s, int code,
			  const char *text)
{
	snprintf(e->res->error, sizeof(e->res->error),
		 "%s: the shop refuses to list orders (HTTP %d: %s); %s",
		 s->path, code, text,
		 code == 403 ? "grant the webapi account access to orders"
			     : "the shop does not take the order filters "
			       "shoper-sync needs (date, order_id)");
	shoper_error_set(&e->err, "%s", e->res->error);
	return -1;
}

int engine_refused(struct engine *e, struct stream *s, int code,
		   const char *text)
{
	bool scope = code == 403;

	switch (s->kind) {
	case SK_STATUSES:
	case SK_CURRENCIES:
	case SK_SHIPPINGS:
		/* the names known before stay */
		engine_degrade(e, D_STATUSES + (s->kind - SK_STATUSES), code,
			       text);
		s->done = true;
		return 0;
	case SK_STATUS_CHANGES:
		if (scope)
			return refused_orders(e, s, code, text);
		engine_degrade(e, D_STATUS_DATE, code, text);
		e->status_fallback = true;
		s->done = true;
		engine_add_refresh(e, SHOPER_SYNC_DEFAULT_RECENT_DAYS);
		return 0;
	case SK_PARCELS:
	case SK_PARCELS_OF:
		if (!scope && has_filter(s, "order_id")) {
			engine_degrade(e, D_PARCEL_ORDER_ID, code, text);
			e->parcels_unfiltered = true;
			if (s->kind == SK_PARCELS) {
				drop_filter(s, "order_id");
				return 0;
			}
			s->done = true; /* by id only with the filter */
			return 0;
		}
		engine_degrade(e, D_PARCELS, code, text);
		s->done = true;
		return 0;
	default:
		return refused_orders(e, s, code, text);
	}
}

static void degraded_row(void *ctx, const struct sync_degraded_row *r)
{
	struct engine *e = ctx;

	if (strcmp(r->what, degr[D_STATUS_DATE].what) == 0)
		e->status_fallback = true;
	else if (strcmp(r->what, degr[D_PARCEL_ORDER_ID].what) == 0)
		e->parcels_unfiltered = true;
}

int engine_load_degraded(struct engine *e)
{
	/* a full pass asks the shop again: it may have learnt the filter */
	if (e->full)
		return 0;
	return sync_state_list_degraded(e->st, e->shop->name, degraded_row, e,
					&e->err) < 0
		       ? -1
		       : 0;
}

static void add_warning(struct engine *e, enum engine_degr d)
{
	size_t len = strlen(e->res->warnings);

	snprintf(e->res->warnings + len, sizeof(e->res->warnings) - len,
		 "%sthe shop refuses %s (HTTP %d: %.100s): %s; %s",
		 len > 0 ? "\n" : "", degr[d].what, e->refused_code[d],
		 e->refused_text[d], degr[d].lost, degr[d].fix);
}

int engine_save_degraded(struct engine *e)
{
	const char *shop = e->shop->name;

	for (unsigned int d = 0; d < D_COUNT; d++) {
		int ret = 0;
		if ((e->refused & (1u << d)) != 0) {
			add_warning(e, d);
			ret = sync_state_set_degraded(
				e->st, shop, degr[d].what, e->refused_code[d],
				e->refused_text[d], time(NULL), &e->err);
		} else if ((e->probed & (1u << d)) != 0 ||
			   (d == D_STATUS_DATE && e->full)) {
			/* a full pass uses no status_date filter: the next
			   incremental sync tries it again (a warning a day
			   while the shop still refuses it) */
			ret = sync_state_clear_degraded(e->st, shop,
							degr[d].what, &e->err);
		}
		if (ret < 0)
			return -1;
	}
	return 0;
}

void engine_add_refresh(struct engine *e, unsigned int min_days)
{
	unsigned int days = e->cfg->recent_days;
	char since[20];

	if (days < min_days)
		days = min_days;
	for (unsigned int i = 0; i < e->n_streams; i++) {
		if (e->streams[i].kind == SK_RECENT)
			return;
	}
	if (days == 0 || e->full || e->n_streams >= MAX_STREAMS ||
	    e->c.max_order_id == 0)
		return;
	sync_local_time(e->zone, -(long long)days * 86400, since);
	long long first =
		sync_state_first_order_since(e->st, e->shop->name, since);
	if (first == 0)
		return;
	long long cursor = sync_state_refresh_cursor(e->st, e->shop->name);
	if (cursor < first - 1 || cursor >= e->c.max_order_id)
		cursor = first - 1;
	/* up to the newest order known when the sync began: newer ones come
	   with SK_ORDERS. No date filter: an order without a date (zero) is
	   only ever found by id. */
	struct stream *s = engine_add_stream(
		e, SK_RECENT, cursor,
		engine_filter_add(NULL, "order_id", "<=",
				  json_object_new_int64(e->c.max_order_id)));
	s->budget = (int)e->cfg->recent_pages;
}

int engine_save_refresh(struct engine *e)
{
	for (unsigned int i = 0; i < e->n_streams; i++) {
		const struct stream *s = &e->streams[i];
		if (s->kind != SK_RECENT)
			continue;
		return sync_state_set_refresh_cursor(e->st, e->shop->name,
						     s->wrapped ? 0 : s->cursor,
						     &e->err);
	}
	return 0;
}

const char *sync_degraded_explain(const char *what, const char **fix_r,
				  bool *grant_r)
{
	for (unsigned int d = 0; d < D_COUNT; d++) {
		if (strcmp(degr[d].what, what) != 0)
			continue;
		*fix_r = degr[d].fix;
		*grant_r = d < D_STATUS_DATE;
		return degr[d].lost;
	}
	*fix_r = "";
	*grant_r = false;
	return "";
}
