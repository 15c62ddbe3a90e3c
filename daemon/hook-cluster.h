#ifndef SHOPER_SYNC_HOOK_CLUSTER_H
#define SHOPER_SYNC_HOOK_CLUSTER_H

/* Webhooks with [cluster] (doc/design.md, "Many backends"): every node
   runs the listener; a verified webhook for a shop this node leads is
   re-read here, one for a shop another node leads goes to the shop's
   hand-over stream in Redis, which its leader reads each round. A
   follower never calls the shop. */

#include "cluster-run.h"

/* The listener of d->cfg, when webhook_listen is set. -1 (logged): it
   cannot listen. */
int hook_cluster_start(struct cluster_daemon *d);
/* One round: the leader's webhooks (its own and those handed over) are
   re-read and written; a follower's kept ones handed over. */
void hook_cluster_round(struct cluster_daemon *d, struct sync_state *st);
/* Stops the listener; what it still held goes to the hand-over streams
   (the next holder, maybe this node after a reload, reads it). */
void hook_cluster_stop(struct cluster_daemon *d);

#endif
