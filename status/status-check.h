#ifndef SHOPER_SYNC_STATUS_CHECK_H
#define SHOPER_SYNC_STATUS_CHECK_H

/* shoper-sync's own checks of a queued status request (the queue dir is
   writable by the whole mail group, so nothing in a request is taken on
   trust), and the one before a kept request is carried out. */

#include <stdbool.h>
#include "config.h"
#include "state.h"
#include "shoper-queue.h"
#include "shoper-webapi.h"
#include "status-run.h"

/* Everything shoper-sync checks before it asks the shop: the request's
   age (status_request_max_age), shop configured, its writer or user (an
   exact user whose shoper_shops has the shop), the order in the index
   (in_index: 1 found, 0 not, -1 index unavailable), the status an
   active one of the shop; out->status_name gets the status's name from
   the state. 1 passed, 0 refused (out->reason), -1 to be tried again
   later (out->retry; doveadm could not tell). */
int sync_status_check(const struct shoper_sync_config *cfg,
		      struct sync_state *st,
		      const struct shoper_queue_request *req, int in_index,
		      struct sync_status_outcome *out);

/* The same in two parts, for a request queued on one node and carried
   out by the shop's leader on another ([cluster]): the origin's (age,
   shop configured, the writer or exact user with the shop in
   shoper_shops: what needs the user's Dovecot) and the leader's (age,
   shop configured, the order in the index, the status an active one;
   out->status_name from the state). Same returns. */
int sync_status_check_origin(const struct shoper_sync_config *cfg,
			     const struct shoper_queue_request *req,
			     struct sync_status_outcome *out);
int sync_status_check_leader(const struct shoper_sync_config *cfg,
			     struct sync_state *st,
			     const struct shoper_queue_request *req,
			     int in_index, struct sync_status_outcome *out);

/* A kept request: the order as the shop has it now. 1 go on (PUT), 0
   settled (out->done: the order already has that status; else refused:
   changed in the shop after the request, or gone), -1 try again later
   (out->retry). */
int sync_status_reread(struct shoper_webapi *api, struct sync_state *st,
		       const struct shoper_queue_request *req,
		       struct sync_status_outcome *out);

/* Whether the message req names may be marked (keyword, notice): an
   exact user the userdb knows (never a mask), a configured shop, a
   mailbox inside that user's shoper_status_folder (no pattern), a UID. */
bool sync_status_target_ok(const struct shoper_sync_config *cfg,
			   const struct shoper_queue_request *req);

#endif
