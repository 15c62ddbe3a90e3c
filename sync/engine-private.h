#ifndef SHOPER_SYNC_ENGINE_PRIVATE_H
#define SHOPER_SYNC_ENGINE_PRIVATE_H

/* Shared by engine.c (what a sync does), engine-bulk.c (how lists are
   read through bulk calls), engine-stream.c (the lists) and engine-live.c
   (what a live shop refuses). */

#include "engine.h"
#include "order-parse.h"
#include "progress.h"
#include "shoper-webapi.h"

#define PAGE_LIMIT 50
#define MAX_STREAMS 32
#define STATUS_OVERLAP_SECS 600
#define FULL_PASS_EVERY_SECS 86400
#define MAX_ITEM_FAILURES 6
/* how often the shop's time zone is asked for again */
#define ZONE_CHECK_EVERY_SECS 86400
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
	/* orders by id (at most a page of ids): what a full pass missed */
	SK_ORDERS_OF,
	/* recent orders re-read by id, a slice of the window a sync */
	SK_RECENT,
};

/* What a shop may refuse (400/403/404 sub-requests, final): a reference
   resource (the headers lose what it gives) or an incremental filter (a
   way without it is taken). Kept in the state for `check`. */
enum engine_degr {
	D_STATUSES,
	D_CURRENCIES,
	D_SHIPPINGS,
	D_PARCELS,
	D_APP_CONFIG,
	D_STATUS_DATE, /* filter status_date on orders */
	D_PARCEL_ORDER_ID, /* filter order_id on parcels */
	D_COUNT
};

struct stream {
	enum stream_kind kind;
	const char *path;
	const char *key;
	json_object *filters; /* base filters, owned */
	long long cursor;
	long long remaining; /* -1: unknown */
	bool active, done, greedy, started;
	bool wrapped; /* SK_RECENT: read to the end of its window */
	int budget; /* pages left this sync, -1: no limit */
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
	char zone[64]; /* the shop's time zone, "" unknown: the host's */
	struct stream streams[MAX_STREAMS];
	unsigned int n_streams;
	long long parcel_min; /* parcels of orders from this id on (full) */
	struct engine_ids refetch; /* orders whose parcels are read again */
	bool want_seen; /* every order id read goes into seen */
	struct engine_ids seen;
	struct shoper_error err;
	char window[20]; /* history window start: older orders are dropped */
	/* D_* bits: streams served (or refused) this run, and refused */
	unsigned int probed, refused;
	int refused_code[D_COUNT];
	char refused_text[D_COUNT][160];
	bool status_fallback; /* no status_date filter: SK_RECENT instead */
	bool parcels_unfiltered; /* no order_id filter on parcels */
	/* One list item of stream s: what it means is engine.c's, the bulk
	   reader (engine-bulk.c) hands each item over through this. */
	int (*handle_item)(struct engine *e, struct stream *s,
			   json_object *item);
};

/* engine-stream.c */
struct stream *engine_add_stream(struct engine *e, enum stream_kind kind,
				 long long cursor, json_object *filters);
/* {"field": {op: value}} merged into obj (created when NULL). */
json_object *engine_filter_add(json_object *obj, const char *field,
			       const char *op, json_object *value);
void engine_free_streams(struct engine *e);

/* engine-bulk.c: bulk calls until every active stream is done; 0 or -1
   (res->error). */
int engine_run_streams(struct engine *e);
void engine_activate_parcels(struct engine *e);

/* engine-live.c: a stream the shop refused with code (400/403/404):
   degraded or taken another way (0), or the sync cannot go on (-1, with
   res->error). */
int engine_refused(struct engine *e, struct stream *s, int code,
		   const char *text);
/* A page of s was served: what it depends on works. */
void engine_served(struct engine *e, const struct stream *s);
/* application-config refused (the time zone). */
void engine_degrade(struct engine *e, enum engine_degr d, int code,
		    const char *text);
/* Filters refused before: not tried again until the next full pass. */
int engine_load_degraded(struct engine *e);
/* Keeps this run's findings in the state and puts one warning per
   degraded stream in res->warnings. */
int engine_save_degraded(struct engine *e);
/* The re-reading of recent orders (recent_days, at least min_days). */
void engine_add_refresh(struct engine *e, unsigned int min_days);
/* Where the next sync's slice starts. */
int engine_save_refresh(struct engine *e);

#endif
