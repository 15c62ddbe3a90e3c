#ifndef SHOPER_SYNC_ENGINE_PRIVATE_H
#define SHOPER_SYNC_ENGINE_PRIVATE_H

/* Shared by engine.c (what a sync does) and engine-bulk.c (how lists are
   read through bulk calls). */

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

/* A growing list of ids. */
struct engine_ids {
	long long *v;
	unsigned int n, alloc;
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
	struct shoper_error err;
};

struct stream *engine_add_stream(struct engine *e, enum stream_kind kind,
				 long long cursor, json_object *filters);
/* {"field": {op: value}} merged into obj (created when NULL). */
json_object *engine_filter_add(json_object *obj, const char *field,
			       const char *op, json_object *value);
/* Bulk calls until every active stream is done; 0 or -1 (res->error). */
int engine_run_streams(struct engine *e);
void engine_free_streams(struct engine *e);
void engine_activate_parcels(struct engine *e);
/* One list item of stream s (in engine.c). */
int engine_handle_item(struct engine *e, struct stream *s, json_object *item);

#endif
