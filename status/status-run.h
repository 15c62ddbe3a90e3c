#ifndef SHOPER_SYNC_STATUS_RUN_H
#define SHOPER_SYNC_STATUS_RUN_H

/* Status changes: the queue written by the IMAP module (queue/), carried
   out here with PUT orders/{id}; the outcome is logged once per request
   and shown on the moved message as a keyword (set with doveadm). Also
   writes the status list the IMAP module builds its folders from. */

#include <stdbool.h>
#include <time.h>
#include "config.h"
#include "state.h"
#include "shoper-queue.h"

#define SYNC_STATUS_KEYWORD_DONE "$ShoperStatusDone"
#define SYNC_STATUS_KEYWORD_FAILED "$ShoperStatusFailed"
#define SYNC_STATUS_RETRY_FIRST 60
#define SYNC_STATUS_RETRY_MAX 3600
#define SYNC_STATUS_KEEP_DIR "status-kept"

struct sync_status_outcome {
	bool done; /* the shop accepted the change */
	bool retry; /* keep the request for later: */
	bool unreachable; /* the shop could not be reached (else doveadm) */
	bool by_shop; /* refused by the shop (else by shoper-sync) */
	char reason[600]; /* why not, as the shop or the check said */
	char status_name[256]; /* the new status's, from the state */
};

/* Checks req (status-check.h), and when it passed PUTs it (a kept one
   after a fresh look at the order), logs one line and marks the message
   named in req with the outcome, if that is one of its user's status
   folders. shop_down: the shop was found out of reach earlier in this
   run; a request that passed the checks is then kept without a try. */
void sync_status_apply(const struct shoper_sync_config *cfg,
		       struct sync_state *st,
		       const struct shoper_queue_request *req,
		       volatile int *stop_flag, bool shop_down,
		       struct sync_status_outcome *out);

/* [cluster]: the leader's part of sync_status_apply for a request
   another node queued and checked (sync_status_check_origin): the
   leader's checks (sync_status_check_leader), the PUT (req->tries > 0:
   after a fresh look at the order), the log line; no mark (the origin
   marks). out->retry: the shop could not be reached, try later. */
void sync_status_carry(const struct shoper_sync_config *cfg,
		       struct sync_state *st,
		       const struct shoper_queue_request *req,
		       volatile int *stop_flag,
		       struct sync_status_outcome *out);
/* The outcome on the moved message: keyword, and for a refusal a notice
   saying who refused and why. Only a message in one of its user's own
   status folders is touched (the request may come from any process of
   the mail group), and only by exact names. */
void sync_status_mark(const struct shoper_sync_config *cfg,
		      const struct shoper_queue_request *req,
		      const struct sync_status_outcome *out);
/* The one log line of a change (old: the order's status before). */
void sync_status_log(const struct shoper_queue_request *req, const char *old,
		     const struct sync_status_outcome *out);

/* The queue's next request, claimed into work (a .work file): 1, 0 when
   none is left, -1 when the queue can't be read (logged); unreadable
   ones are set aside as .bad (logged) and skipped. */
int sync_status_claim_next(const char *dir, const char *keep,
			   struct shoper_queue_request *req, char *work,
			   size_t work_size);

/* Carries out every queued request. One whose shop can't be reached is
   set aside (kept in state_dir/SYNC_STATUS_KEEP_DIR, never in the shared
   queue, next try after SYNC_STATUS_RETRY_FIRST seconds,
   doubling up to SYNC_STATUS_RETRY_MAX) and the others go on; the other
   requests for that shop in this run wait likewise without a new try.
   Returns the number carried out (done or failed), or -1 when the queue
   can't be read. */
int sync_status_run_queue(const struct shoper_sync_config *cfg,
			  struct sync_state *st, volatile int *stop_flag);

/* true when a request arrived in the queue at or after since (NULL: a
   request waits at all). The daemon polls this with the time its last
   cycle began, so requests that cycle could not carry out don't start
   the next one at once. */
/* Publishes these orders of shop after status changes the shop took
   (they show at once, not after the shops' syncs), incrementally
   (sync_publish_orders); a failure is only logged. */
void sync_status_publish(const struct shoper_sync_config *cfg,
			 struct sync_state *st, const char *shop,
			 const long long *order_ids, unsigned int n);
bool sync_status_pending(const struct shoper_sync_config *cfg,
			 const struct timespec *since);

/* Writes <index>.statuses from the state and creates the queue dir
   (2770, group of the index dir) when missing. */
int sync_status_write_list(const struct shoper_sync_config *cfg,
			   struct sync_state *st, struct shoper_error *err);

/* Finds the status of shop named by id or (case-insensitively) name among
   its active statuses; fills id_r/name_r. 1 found, 0 not, -1 error. */
int sync_status_resolve(const struct shoper_shop_config *shop,
			struct sync_state *st, const char *status, char *id_r,
			size_t id_size, char *name_r, size_t name_size,
			struct shoper_error *err);

#endif
