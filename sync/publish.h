#ifndef SHOPER_SYNC_PUBLISH_H
#define SHOPER_SYNC_PUBLISH_H

/* State -> order index. Every configured shop whose first backfill has
   completed is included with what the state holds for it, so a shop whose
   latest sync failed keeps its last good data. */

#include "config.h"
#include "state.h"

/* Orders of a shop from elsewhere than the state (many backends: the
   cluster's replica): returns 1 when it gave every order of the shop to
   add(add_ctx, ...), 0 when the state's orders go in, -1 error (no
   publish). One source per process, set by the daemon. */
typedef int sync_publish_source_cb(void *ctx, const char *shop,
				   sync_state_order_cb *add, void *add_ctx,
				   struct shoper_error *err);
void sync_publish_set_source(sync_publish_source_cb *cb, void *ctx);

struct sync_publish_result {
	long long orders; /* in the index */
	/* left out: their data cannot be indexed (listed in the state for
	   `check`) */
	long long unindexed;
};

/* Removes temporary files a killed publish left (the caller holds the
   state lock, so none is in use), then publishes.
   Returns 1 published, 0 nothing to publish yet (no shop was ever synced;
   the old index, if any, stays), -1 error: the state could not be read
   or the writer ran out of memory (an index now would lack orders; the
   old one stays), or the index could not be written. */
int sync_publish_counted(const struct shoper_sync_config *cfg,
			 struct sync_state *st, struct sync_publish_result *r,
			 struct shoper_error *err);
/* The same, counting only the orders published. */
int sync_publish(const struct shoper_sync_config *cfg, struct sync_state *st,
		 long long *orders_r, struct shoper_error *err);

/* True when a publish of this process failed (an incremental one, or a
   full one) after its state changed, and no full publish has succeeded
   since: the index may lack a change the state has, so the daemon's next
   cycle publishes the whole index rather than only its own orders. */
bool sync_publish_owed(void);

/* An incremental publish whose delta would hold more changed or deleted
   orders than this folds them into a full publish instead. */
#define SYNC_DELTA_FOLD 1000

/* Publishes the current state of a few orders of one shop (a webhook's
   trigger) without rebuilding the index: each listed order that the state
   holds and the shop's window includes replaces the index's record; one
   the state no longer holds (or the window left) is deleted. The caller
   holds the state lock and has written the orders into the state first.
   The change goes into the index's delta (doc/index-format.md §10) in
   milliseconds; when the index cannot take it so (no base yet, an
   unusable delta, an order the index cannot hold) or the delta would
   outgrow SYNC_DELTA_FOLD, this does a full publish (the fold), so what
   readers see is always what sync_publish() would give. The list of
   orders left out (`check`) is renewed by full publishes only.
   Returns 1 published, 0 nothing to publish (shop never backfilled),
   -1 error (the old index stays). */
int sync_publish_orders(const struct shoper_sync_config *cfg,
			struct sync_state *st, const char *shop,
			const long long *order_ids, unsigned int n,
			struct shoper_error *err);

/* The daemon's fold threshold (webhook rounds and incremental poll
   cycles): folding there makes the webhooks queued meanwhile wait for a
   full publish (seconds at 1M orders), so the delta grows up to this and
   is folded by the daily full pass (or a cycle past it). */
#define SYNC_DELTA_FOLD_DAEMON 20000

/* sync_publish_orders() with another fold threshold than
   SYNC_DELTA_FOLD. */
int sync_publish_orders_fold(const struct shoper_sync_config *cfg,
			     struct sync_state *st, const char *shop,
			     const long long *order_ids, unsigned int n,
			     unsigned int fold, struct shoper_error *err);

#endif
