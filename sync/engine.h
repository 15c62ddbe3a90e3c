#ifndef SHOPER_SYNC_ENGINE_H
#define SHOPER_SYNC_ENGINE_H

/* Syncs one shop into the state: reference data, then orders (backfill,
   new, status changes, full pass), then parcels, all in bulk calls. */

#include <stdbool.h>
#include <time.h>
#include "config.h"
#include "state.h"
#include "shop-time.h"

struct sync_progress;

/* A growing list of order ids. */
struct engine_ids {
	long long *v;
	unsigned int n, alloc;
};
struct shoper_webapi;

/* The webapi client of shop, logged in with its password_file (the
   password is wiped once the client has it). keep_token: the token is
   kept in state_dir/<shop>.token; max_retries 0: the client's default.
   NULL with the reason in why; *password_failed_r (if not NULL) tells
   whether the password could not be read. */
struct shoper_webapi *sync_webapi_open(const struct shoper_sync_config *cfg,
				       const struct shoper_shop_config *shop,
				       bool keep_token,
				       unsigned int max_retries,
				       volatile int *stop_flag, char *why,
				       size_t why_size,
				       bool *password_failed_r);

struct sync_shop_result {
	char shop[72];
	bool ok;
	bool full; /* a full pass of the window was made */
	char error[600];
	/* one line per stream the shop refused ("degraded"): the data the
	   headers lack and what to grant */
	char warnings[1600];
	long long total; /* orders to fetch as the shop counted them */
	long long fetched; /* order objects received */
	long long changed; /* new orders or status changes */
	long long deleted; /* gone from the shop (full pass) */
	long long pruned; /* older than the window */
	long long skipped; /* unusable order objects */
	long long parcels;
	long long refreshed; /* recent orders re-read */
	long long in_state; /* orders held for this shop afterwards */
	/* a hash of the reference data read (statuses, currencies,
	   shippings): the index holds their names, so a change means every
	   order may have changed */
	unsigned long long refs_hash;
	unsigned int calls; /* HTTP requests made */
	unsigned int auth_calls;
	unsigned int throttled;
	double secs;
};

struct sync_engine_opts {
	bool full;
	/* not NULL: only these orders are re-read (a webhook's trigger) */
	const struct engine_ids *only_orders;
	/* not NULL: the id of every order this run wrote (read, new or
	   changed, a parcel of it read) is appended, duplicates included: an
	   incremental publish's list. A full pass (res->full) or deletions
	   (res->deleted) are not listed: those want a full publish. */
	struct engine_ids *touched;
	volatile int *stop_flag;
	struct sync_progress *progress;
};

/* Returns 0 when the shop synced; -1 when it failed (res->error says why,
   the shop's state is as it was before, except for committed backfill
   chunks of a shop that was never published). */
int sync_engine_run_shop(const struct shoper_sync_config *cfg,
			 const struct shoper_shop_config *shop,
			 struct sync_state *st,
			 const struct sync_engine_opts *opts,
			 struct sync_shop_result *res);

/* A degraded stream's name as the state keeps it ("shippings",
   "orders.status_date"): what the headers lack (returned), what to do
   (*fix_r) and whether granting a permission fixes it (*grant_r). */
const char *sync_degraded_explain(const char *what, const char **fix_r,
				  bool *grant_r);

#endif
