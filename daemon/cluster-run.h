#ifndef SHOPER_SYNC_CLUSTER_RUN_H
#define SHOPER_SYNC_CLUSTER_RUN_H

/* The daemon with [cluster] (doc/design.md, "Many backends"): per shop
   the lease holder alone syncs the shop and writes its changes to
   Redis; every node applies the shops' change streams to its local
   index. */

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include "config.h"
#include "shoper-cluster.h"
#include "state.h"

struct cluster_shop {
	const struct shoper_shop_config *cfg;
	struct shoper_lease lease; /* under the daemon's mutex */
	struct shoper_replica *rep;
	volatile int stop; /* the engine's stop flag: set by the keeper */
	bool ready; /* the replica was loaded from Redis at least once */
	double lag_ms; /* of the last entry applied */
	double next_try; /* monotonic ms of the next lease attempt */
	unsigned int calls; /* HTTP requests this node made to the shop */
	unsigned int refs_gen; /* the replica's statuses in the state */
};

struct hook_cluster;

struct cluster_daemon {
	const struct shoper_sync_config *cfg;
	struct shoper_cluster *c; /* the main thread's connection */
	struct shoper_cluster *kc; /* the lease keeper's */
	struct cluster_shop *shops;
	unsigned int n_shops;
	pthread_t keeper;
	pthread_mutex_t mtx;
	volatile int quit;
	volatile int *stop_flag;
	bool need_full; /* the index needs a full publish */
	bool refs_dirty; /* the status list and filters to write again */
	bool quiet;
	char redis_error[512]; /* the last one, "" while Redis answers */
	struct hook_cluster *hooks; /* the webhooks (hook-cluster.c) */
	struct cluster_requests *requests; /* cluster-requests.c */
};

/* Runs the daemon's cycles, and the webhook listener when configured,
   until stop or reload is set. Returns an exit code (3: the listener
   cannot listen). */
int cluster_daemon_loop(const struct shoper_sync_config *cfg,
			struct sync_state *st, volatile int *stop_flag,
			volatile sig_atomic_t *reload_flag, bool quiet);

/* cluster-apply.c */
/* Pulls the shop's stream and applies what came to the local index. */
int cluster_apply_pull(struct cluster_daemon *d, struct cluster_shop *s,
		       struct shoper_error *err);
/* Leader: the state's orders of the shop against the replica; writes
   the difference to Redis and the local index. 1 written (or nothing to
   write), 0 fenced, -1 error. */
int cluster_apply_leader(struct cluster_daemon *d, struct cluster_shop *s,
			 struct sync_state *st, struct shoper_error *err);
/* A full publish from the replicas when every shop's is loaded. */
void cluster_apply_full(struct cluster_daemon *d, struct sync_state *st);
/* cluster-refs.c */
/* Leader: the shop's statuses from the state to Redis when they differ
   from the replica's. 1 (written or nothing to write), 0 fenced, -1. */
int cluster_refs_publish(struct cluster_daemon *d, struct cluster_shop *s,
			 struct sync_state *st, struct shoper_error *err);
/* The statuses of the shops this node does not lead from the replicas
   into the state; then the status list and the filters when changed. */
void cluster_refs_update(struct cluster_daemon *d, struct sync_state *st);
/* state_dir/cluster.status: role, lease and lag per shop, for check. */
void cluster_write_status(struct cluster_daemon *d);

/* cluster-requests.c */
/* Status requests: this node's queue into the shops' streams, the
   requests of the shops it leads carried out, the outcomes sent to this
   node marked on their messages. */
void cluster_requests_step(struct cluster_daemon *d, struct sync_state *st);
void cluster_requests_free(struct cluster_daemon *d);

#endif
