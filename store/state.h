#ifndef SHOPER_SYNC_STATE_H
#define SHOPER_SYNC_STATE_H

/* shoper-sync's private state: SQLite (WAL) in state_dir/state.db. Per
   shop: orders, parcels, statuses (names per language), currencies,
   shipping methods and the cursors of the incremental sync. */

#include <stdbool.h>
#include "shoper-index.h"
#include "order-parse.h"

struct sync_state;

struct sync_cursors {
	long long max_order_id; /* highest order id stored */
	long long max_parcel_id; /* highest parcel id stored */
	long long min_order_id; /* lowest order id in the window (parcels) */
	char status_since[20]; /* highest status_date seen */
	long long last_full_pass; /* unix time of the last complete pass */
	long long last_good_sync; /* unix time of the last successful sync */
	long long pass; /* number of the current/last full pass */
	bool backfill_done; /* the first complete pass happened */
	char window_start[20]; /* window used by the last sync */
	char cred_fp[160]; /* login, url and password file identity */
};

/* Create dir (0700) if missing, refuse it if group/others have access,
   take the state lock (another shoper-sync holding it is an error unless
   readonly) and open or create the database. */
int sync_state_open(const char *dir, bool readonly, struct sync_state **st_r,
		    struct shoper_error *err);
void sync_state_close(struct sync_state **st);

int sync_state_begin(struct sync_state *st, struct shoper_error *err);
int sync_state_commit(struct sync_state *st, struct shoper_error *err);
void sync_state_rollback(struct sync_state *st);

int sync_state_get_cursors(struct sync_state *st, const char *shop,
			   struct sync_cursors *c, struct shoper_error *err);
int sync_state_set_cursors(struct sync_state *st, const char *shop,
			   const struct sync_cursors *c,
			   struct shoper_error *err);

/* Insert or replace; *changed_r: new order, or status id/date differ. */
int sync_state_put_order(struct sync_state *st, const char *shop,
			 const struct sync_order *o, long long pass,
			 const char *synced, bool *changed_r,
			 struct shoper_error *err);
int sync_state_put_parcel(struct sync_state *st, const char *shop,
			  const struct sync_parcel *p, long long pass,
			  struct shoper_error *err);
int sync_state_delete_parcels_of(struct sync_state *st, const char *shop,
				 long long order_id, struct shoper_error *err);

/* Reference data: clear(table) then put rows; table is "statuses",
   "currencies" or "shippings". */
int sync_state_clear_refs(struct sync_state *st, const char *shop,
			  const char *table, struct shoper_error *err);
int sync_state_put_status(struct sync_state *st, const char *shop,
			  const struct sync_status *s,
			  struct shoper_error *err);
int sync_state_put_ref(struct sync_state *st, const char *shop,
		       const char *table, long long id, const char *name,
		       size_t name_len, struct shoper_error *err);

/* A shipping method (table "shippings"): name and tracking URL template. */
int sync_state_put_shipping(struct sync_state *st, const char *shop,
			    const struct sync_shipping *sh,
			    struct shoper_error *err);

/* Delete orders dated before window_start (and their parcels). Returns
   the number deleted or -1. */
long long sync_state_prune(struct sync_state *st, const char *shop,
			   const char *window_start, struct shoper_error *err);
/* After a complete pass: delete orders and parcels (of orders from
   parcel_min on) not seen in pass. Returns orders deleted or -1. */
long long sync_state_sweep(struct sync_state *st, const char *shop,
			   long long pass, long long parcel_min,
			   struct shoper_error *err);

/* What full pass `pass` has not seen so far, by id ascending: orders, or
   (parcels) the orders of the parcels from order parcel_min on. Returns
   how many ids cb got, or -1. */
typedef void sync_state_id_cb(void *ctx, long long id);
long long sync_state_unseen(struct sync_state *st, const char *shop,
			    long long pass, bool parcels, long long parcel_min,
			    sync_state_id_cb *cb, void *ctx,
			    struct shoper_error *err);

/* The shop's time zone (application-config's locale_timezone, "" when
   the shop gave none this host knows) and when it was last asked for
   (unix time; 0 never). */
int sync_state_get_zone(struct sync_state *st, const char *shop, char *zone,
			size_t size, long long *checked_r,
			struct shoper_error *err);
int sync_state_set_zone(struct sync_state *st, const char *shop,
			const char *zone, long long checked,
			struct shoper_error *err);

long long sync_state_count_orders(struct sync_state *st, const char *shop);
long long sync_state_min_order_id(struct sync_state *st, const char *shop);

/* Every order of shop dated >= window_start, as the index wants it
   (status name in lang, currency code, tracking numbers, admin URL built
   from base_url, delivery_email, shipping name and tracking URL
   template). Pointers are valid during the callback only. */
typedef int sync_state_order_cb(void *ctx, const struct shoper_order *o,
				struct shoper_error *err);
int sync_state_export(struct sync_state *st, const char *shop,
		      const char *base_url, const char *lang,
		      const char *window_start, sync_state_order_cb *cb,
		      void *ctx, struct shoper_error *err);
/* The same for one order: 1 exported, 0 the state has no such order in
   the window, -1 error. */
int sync_state_export_order(struct sync_state *st, const char *shop,
			    const char *base_url, const char *lang,
			    const char *window_start, long long order_id,
			    sync_state_order_cb *cb, void *ctx,
			    struct shoper_error *err);

/* The orders the published index lacks because their data cannot be
   indexed (a value over the index's limit): replaced with every publish,
   listed by `check`. begin clears the list in a savepoint, put adds one,
   end keeps the new list (keep: the index was published) or goes back to
   the old one. */
int sync_state_unindexed_begin(struct sync_state *st, struct shoper_error *err);
int sync_state_put_unindexed(struct sync_state *st, const char *shop,
			     long long order_id, const char *reason,
			     struct shoper_error *err);
int sync_state_unindexed_end(struct sync_state *st, bool keep,
			     struct shoper_error *err);
typedef void sync_state_unindexed_cb(void *ctx, const char *shop,
				     long long order_id, const char *reason);
/* Calls cb for each, by shop and order id; returns how many or -1. */
long long sync_state_list_unindexed(struct sync_state *st,
				    sync_state_unindexed_cb *cb, void *ctx,
				    struct shoper_error *err);

/* Streams the shop refused (400/403/404): what (e.g. "shippings",
   "orders.status_date"), the HTTP code, the shop's words and when it was
   first refused. Kept until a sync is served that stream again. */
struct sync_degraded_row {
	const char *shop, *what, *detail;
	int code;
	long long since;
};
typedef void sync_state_degraded_cb(void *ctx,
				    const struct sync_degraded_row *r);
int sync_state_set_degraded(struct sync_state *st, const char *shop,
			    const char *what, int code, const char *detail,
			    long long now, struct shoper_error *err);
int sync_state_clear_degraded(struct sync_state *st, const char *shop,
			      const char *what, struct shoper_error *err);
/* Every shop's (shop NULL) or one shop's; returns how many or -1. */
long long sync_state_list_degraded(struct sync_state *st, const char *shop,
				   sync_state_degraded_cb *cb, void *ctx,
				   struct shoper_error *err);

/* Where the re-reading of recent orders goes on (an order id; 0: from
   the start of the recent window). */
long long sync_state_refresh_cursor(struct sync_state *st, const char *shop);
int sync_state_set_refresh_cursor(struct sync_state *st, const char *shop,
				  long long cursor, struct shoper_error *err);
/* A status change the shop accepted (PUT answered 1): the order shows it
   at once, before the shop's status_date says so (if it ever does). */
int sync_state_set_order_status(struct sync_state *st, const char *shop,
				const char *order_id, long long status_id,
				struct shoper_error *err);
/* Lowest order id of an order dated since (0: none). */
long long sync_state_first_order_since(struct sync_state *st, const char *shop,
				       const char *since);

struct sync_status_row {
	long long status_id;
	int type;
	bool active;
	const char *name;
};
typedef void sync_state_status_cb(void *ctx, const struct sync_status_row *r);
/* in the shop's own order ("order"; by id where it has none) */
int sync_state_list_statuses(struct sync_state *st, const char *shop,
			     const char *lang, sync_state_status_cb *cb,
			     void *ctx, struct shoper_error *err);

/* Every status of the shop with each of its names, by status id and
   language (lang and name NULL: a status without names). cb returns 0,
   or -1 to stop (out of memory). */
struct sync_status_name_row {
	long long status_id;
	int type;
	bool active;
	long long position; /* -1: the shop gives none */
	const char *lang, *name;
	size_t name_len;
};
typedef int sync_state_status_name_cb(void *ctx,
				      const struct sync_status_name_row *r);
int sync_state_export_statuses(struct sync_state *st, const char *shop,
			       sync_state_status_name_cb *cb, void *ctx,
			       struct shoper_error *err);
/* One name of a status (after sync_state_put_status without names). */
int sync_state_put_status_name(struct sync_state *st, const char *shop,
			       long long status_id, const char *lang,
			       const char *name, size_t name_len,
			       struct shoper_error *err);

/* An order the shop no longer has (a webhook's re-read found none):
   gone from the state with its parcels. */
int sync_state_delete_order(struct sync_state *st, const char *shop,
			    long long order_id, struct shoper_error *err);

/* Webhooks received by the daemon, per shop, for `check`. */
enum sync_hook_outcome {
	SYNC_HOOK_OK,
	SYNC_HOOK_BAD_SIGNATURE, /* unknown id or X-Webhook-Sha1 wrong */
	SYNC_HOOK_REFUSED, /* too big, too many, not a POST */
};
struct sync_hook_stats {
	long long last_ok; /* unix time of the last accepted one, 0: none */
	long long accepted, bad_signature, refused;
};
int sync_state_hook_count(struct sync_state *st, const char *shop,
			  enum sync_hook_outcome outcome, long long now,
			  struct shoper_error *err);
/* Zeros when none arrived (or the database predates webhooks). */
int sync_state_hook_stats(struct sync_state *st, const char *shop,
			  struct sync_hook_stats *r, struct shoper_error *err);

#endif
