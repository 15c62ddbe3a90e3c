#ifndef SHOPER_SYNC_PUBLISH_H
#define SHOPER_SYNC_PUBLISH_H

/* State -> order index. Every configured shop whose first backfill has
   completed is included with what the state holds for it, so a shop whose
   latest sync failed keeps its last good data. */

#include "config.h"
#include "state.h"

/* A temporary file of a writer that holds no lock (the IMAP processes'
   queue requests, `shoper-sync filters`) is stale when it is this old:
   such a file is written in milliseconds. */
#define SYNC_STALE_TMP_SECS 3600

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

#endif
