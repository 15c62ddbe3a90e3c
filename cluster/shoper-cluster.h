#ifndef SHOPER_CLUSTER_H
#define SHOPER_CLUSTER_H

/* Many backends, one shop connection (doc/design.md, "Many backends"):
   the shoper-sync nodes of several Dovecot backends share one Redis. Per
   shop one node holds a lease with a fencing token and alone calls the
   shop; it writes every changed order to the shop's change stream and
   to its snapshot hash, in one script that refuses a writer whose lease
   is gone. Every node applies the stream to its own local index, which
   deliveries read as before: no network at delivery. Plain C11 on
   hiredis, the index and the ground floor. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoper-index.h"

/* [cluster] of shoper-sync.conf */
struct shoper_cluster_config {
	bool enabled; /* the section is there */
	/* "unix:/path", "HOST:PORT" or "HOST" (6379): Redis itself ... */
	char redis[256];
	/* ... or "HOST:PORT[,HOST:PORT...]" of Sentinels asked for the
	   master named sentinel_master */
	char sentinel[512];
	char sentinel_master[64];
	/* the Sentinels' own TLS and AUTH (their requirepass / ACL user):
	   apart from the master's, as Redis keeps them apart */
	bool sentinel_tls;
	char sentinel_password_file[256]; /* "": no AUTH; else 0600 */
	char sentinel_user[64];
	bool tls;
	char tls_ca_file[256]; /* "": the system's CAs */
	char password_file[256]; /* "": no AUTH; else a 0600 file */
	char user[64]; /* ACL user, "": the default user */
	char node[64]; /* this node's name: "" the host name */
	char key_prefix[64]; /* "shoper": keys are shoper:{SHOP}:... */
	unsigned int lease_ms; /* default 30000 */
	unsigned int timeout_ms; /* one Redis command, default 2000 */
	/* replicas that must have a lease write (WAIT) before it counts:
	   a failover then keeps it. Default 1 with sentinel, else 0. */
	int replicas_ack;
};

/* Defaults into cfg (enabled stays false). */
void shoper_cluster_config_init(struct shoper_cluster_config *cfg);
/* One key = value line of [cluster]: 0, or -1 with a message naming the
   fix (an unknown key lists the known ones). */
int shoper_cluster_config_set(struct shoper_cluster_config *cfg,
			      const char *key, const char *value,
			      struct shoper_error *err);
/* After the section: what is missing or contradicts (0 or -1). */
int shoper_cluster_config_check(struct shoper_cluster_config *cfg,
				struct shoper_error *err);

/* ---- the connection (conn.c) ---- */

struct shoper_cluster;

/* Connects (through the Sentinels to their master when configured),
   authenticates with the password file and checks the server answers.
   NULL with err. The connection reconnects by itself on the next
   command after a failure. */
struct shoper_cluster *shoper_cluster_connect(
	const struct shoper_cluster_config *cfg, struct shoper_error *err);
/* The same without connecting now (NULL: out of memory): the first
   command connects, so a daemon starts while Redis is away. */
struct shoper_cluster *shoper_cluster_new(
	const struct shoper_cluster_config *cfg);
void shoper_cluster_free(struct shoper_cluster **c);
/* This node's name. */
const char *shoper_cluster_node(const struct shoper_cluster *c);
/* The address of the server connected to ("" when not connected). */
const char *shoper_cluster_server(const struct shoper_cluster *c);

/* ---- the lease of one shop (lease.c) ---- */

struct shoper_lease {
	char shop[72];
	uint64_t token; /* fencing token, 0: not held */
	/* monotonic ms: the node calls the shop no more from here on,
	   a third of the lease before Redis lets the lease go */
	double stop_at;
	double renewed_at; /* monotonic ms of the last renewal sent */
	char holder[160]; /* "NODE TOKEN" of whoever holds it, "" none */
	long long holder_ttl_ms; /* the holder's lease left (-1 unknown) */
};

/* Takes the shop's lease when nobody holds it: 1 taken (l->token is the
   new fencing token, larger than any before it), 0 someone holds it
   (l->holder says who), -1 Redis not reachable (err), or the lease
   not on replicas_ack replicas: then l->token is set but the lease not
   valid until a renewal reaches them. */
int shoper_lease_acquire(struct shoper_cluster *c, struct shoper_lease *l,
			 struct shoper_error *err);
/* Renews a held lease: 1 renewed, 0 lost (another holds it or it
   expired: l->token is 0 now), -1 Redis not reachable or the renewal
   not replicated (the lease is still held until l->stop_at, and maybe
   not after). */
int shoper_lease_renew(struct shoper_cluster *c, struct shoper_lease *l,
		       struct shoper_error *err);
/* Gives it up (shutdown): the next node need not wait for the expiry. */
void shoper_lease_release(struct shoper_cluster *c, struct shoper_lease *l);
/* Whether the holder may still call the shop now. */
bool shoper_lease_valid(const struct shoper_lease *l);
/* Who holds the shop's lease (holder "" when none). 0 or -1. */
int shoper_lease_read(struct shoper_cluster *c, struct shoper_lease *l,
		      struct shoper_error *err);

double shoper_cluster_now_ms(void);

/* ---- one order in Redis (codec.c) ---- */

/* The order as bytes (the stream's and the snapshot's value); malloc'd
   into *out_r, NULL on out of memory. */
int shoper_cluster_encode_order(const struct shoper_order *o, char **out_r,
				size_t *len_r);
/* The bytes back: the strings point into data. 0, or -1 when they are
   not an encoded order (a node never trusts another blindly). */
int shoper_cluster_decode_order(const char *data, size_t len,
				struct shoper_order *o_r);

/* ---- a shop's statuses in Redis (codec-statuses.c) ---- */

/* One status; its names (per language) follow it. */
struct shoper_cluster_status {
	long long status_id;
	int type; /* 0..4 as the state keeps it */
	bool active;
	long long position; /* -1: none */
};
/* A growing buffer: failed after an allocation failed. */
struct shoper_cluster_buf {
	char *data;
	size_t len, alloc;
	bool failed;
};
/* The shop's statuses as bytes: begin, then per status add and its
   names, in an order that gives the same bytes for the same statuses. */
void shoper_cluster_statuses_begin(struct shoper_cluster_buf *b,
				   const char *shop);
void shoper_cluster_statuses_add(struct shoper_cluster_buf *b,
				 const struct shoper_cluster_status *s);
void shoper_cluster_statuses_name(struct shoper_cluster_buf *b,
				  const char *lang, const char *name,
				  size_t name_len);
void shoper_cluster_buf_free(struct shoper_cluster_buf *b);
/* Called per status (lang and name NULL), then per name of it (lang
   and name point into the data). */
typedef int shoper_cluster_status_cb(void *ctx,
				     const struct shoper_cluster_status *s,
				     const struct shoper_str *lang,
				     const struct shoper_str *name);
/* -1 when data is not a status list of shop (then cb was not called);
   else cb's first nonzero return, or 0. */
int shoper_cluster_decode_statuses(const char *data, size_t len,
				   const char *shop,
				   shoper_cluster_status_cb *cb, void *ctx);

/* ---- a shop's orders as the cluster has them (replica.c) ---- */

/* What a node knows of one shop's orders: the encoded order of each id,
   and how far into the change stream it has applied. */
struct shoper_replica;

struct shoper_replica *shoper_replica_new(const char *shop);
void shoper_replica_free(struct shoper_replica **r);
const char *shoper_replica_shop(const struct shoper_replica *r);
/* The stream id applied last ("" none: load the snapshot). */
const char *shoper_replica_stream_id(const struct shoper_replica *r);
unsigned int shoper_replica_count(const struct shoper_replica *r);
/* Sets (data != NULL) or deletes an order. 1 changed, 0 it was so
   already, -1 out of memory. */
int shoper_replica_put(struct shoper_replica *r, const char *order_id,
		       const char *data, size_t len);
/* 1 and the encoded order, or 0 none. */
int shoper_replica_get(const struct shoper_replica *r, const char *order_id,
		       const char **data_r, size_t *len_r);
typedef int shoper_replica_cb(void *ctx, const char *order_id, const char *data,
			      size_t len);
/* Every order (any sequence); stops at and returns the first nonzero. */
int shoper_replica_foreach(const struct shoper_replica *r,
			   shoper_replica_cb *cb, void *ctx);
void shoper_replica_clear(struct shoper_replica *r);
/* The field of a change that carries the shop's statuses (encoded as
   above) in place of an order: order ids are digits. */
#define SHOPER_CLUSTER_STATUSES "_statuses"
/* The shop's statuses as the cluster has them (*data_r NULL: none yet);
   returns a counter that moves each time they change. */
unsigned int shoper_replica_statuses(const struct shoper_replica *r,
				     const char **data_r, size_t *len_r);

/* ---- the change stream and the snapshot (stream.c) ---- */

/* One change: order_id with its encoded order, or its deletion
   (data NULL). */
struct shoper_change {
	const char *order_id;
	const char *data;
	size_t len;
};

/* Leader: writes changes[0..n) to the shop's snapshot hash and stream
   (in entries of at most SHOPER_CLUSTER_BATCH changes), fenced: Redis
   refuses it unless l still holds the lease. Applies them to r too.
   1 written, 0 fenced (the lease is lost: l->token becomes 0), -1 error. */
#define SHOPER_CLUSTER_BATCH 500
int shoper_cluster_publish(struct shoper_cluster *c, struct shoper_lease *l,
			   struct shoper_replica *r,
			   const struct shoper_change *changes, unsigned int n,
			   struct shoper_error *err);

/* Leader: the shop's statuses (encoded as above), fenced like the
   orders: one stream entry of its own. 1, 0 fenced, -1 error. */
int shoper_cluster_publish_statuses(struct shoper_cluster *c,
				    struct shoper_lease *l,
				    struct shoper_replica *r, const char *data,
				    size_t len, struct shoper_error *err);

/* What one pull brought. */
struct shoper_pull {
	bool snapshot; /* the snapshot was loaded (all orders changed) */
	unsigned int changes; /* orders changed or deleted */
	unsigned int entries; /* stream entries applied */
	bool statuses; /* the shop's statuses changed */
	double lag_ms; /* now - the newest applied entry's time (0: none) */
};
/* Called for each order changed in the replica (data NULL: deleted),
   and once with order_id NULL before a snapshot replaces it all; not
   for the statuses (res->statuses says). */
typedef int shoper_pull_cb(void *ctx, const struct shoper_change *change);

/* Follower: brings r up to date: the snapshot when r has nothing yet
   or missed trimmed entries, then the stream from there, waiting at
   most block_ms (0: no wait) for a new entry. 0, or -1 with err. */
int shoper_cluster_pull(struct shoper_cluster *c, struct shoper_replica *r,
			unsigned int block_ms, shoper_pull_cb *cb, void *ctx,
			struct shoper_pull *res, struct shoper_error *err);

/* ---- webhooks handed to the leader (hooks.c) ---- */

/* order ids in one hand-over entry at most (a longer list is split) */
#define SHOPER_HOOKS_MAX_IDS 200

/* What a leader read of a shop's hand-over stream. */
struct shoper_hook_batch {
	long long *orders; /* the verified order ids, without duplicates */
	unsigned int n_orders;
	char (*entries)[48]; /* the stream ids read, to acknowledge */
	unsigned int n_entries;
	unsigned int dropped; /* entries that were no list of order ids */
	char dropped_id[48]; /* the last of them */
};

/* A node that received verified webhooks for a shop another node leads
   (or none does): their order ids onto the shop's hand-over stream.
   0, or -1 with err (Redis not reachable). */
int shoper_hooks_hand(struct shoper_cluster *c, const char *shop,
		      const long long *orders, unsigned int n,
		      struct shoper_error *err);
/* Leader: the oldest entries of the shop's hand-over stream (up to 100)
   into b, which is freed with shoper_hook_batch_free. 0 or -1. */
int shoper_hooks_read(struct shoper_cluster *c, const char *shop,
		      struct shoper_hook_batch *b, struct shoper_error *err);
/* Leader, once the batch's orders were re-read (or dropped): deletes
   its entries, fenced: 1 done, 0 l no longer holds the lease (they stay
   for the next holder), -1 error. */
int shoper_hooks_ack(struct shoper_cluster *c, const struct shoper_lease *l,
		     const struct shoper_hook_batch *b,
		     struct shoper_error *err);
void shoper_hook_batch_free(struct shoper_hook_batch *b);

/* ---- status requests across backends (requests.c) ---- */

/* One entry of a shop's request stream; the strings point into the
   reply and live until the callback returns. */
struct shoper_cluster_request {
	char id[48]; /* the stream entry's */
	const char *origin; /* the node that queued it */
	const char *key; /* idempotency key: "ORIGIN/FILE/TIME" */
	const char *req; /* the request in the queue's text format */
	size_t req_len;
	const char *bad; /* not NULL: a garbled or forged entry, why */
};

/* Where a request stands (shoper_cluster_request_begin). */
enum {
	SHOPER_REQUEST_FENCED = -2, /* this node no longer leads the shop */
	SHOPER_REQUEST_REPLAY = 0, /* an earlier leader began it: it may
				      have done the PUT, look first */
	SHOPER_REQUEST_NEW = 1, /* in flight now, under this node */
	SHOPER_REQUEST_POSTED = 2 /* its outcome went out already */
};

/* Origin: adds a request (req, the queue's text of it, len bytes) to the
   shop's stream with key, which must begin with this node's name and
   "/". 0, or -1 with err (Redis away: the request stays queued). */
int shoper_cluster_request_add(struct shoper_cluster *c, const char *shop,
			       const char *key, const char *req, size_t len,
			       struct shoper_error *err);
typedef int shoper_request_cb(void *ctx,
			      const struct shoper_cluster_request *r);
/* Leader of l->shop: hands cb this node's pending entries, those
   another consumer has held for min_idle_ms (a dead leader's,
   XAUTOCLAIM: at least its lease plus its longest call to the shop),
   then new ones, at most count of each. The number handed, or -1. */
int shoper_cluster_requests_read(struct shoper_cluster *c,
				 const struct shoper_lease *l,
				 unsigned int count, unsigned int min_idle_ms,
				 shoper_request_cb *cb, void *ctx,
				 struct shoper_error *err);
/* Before the PUT: records key in flight under this leader for ttl_s
   (SET NX, only while l holds the lease). SHOPER_REQUEST_*, or -1. */
int shoper_cluster_request_begin(struct shoper_cluster *c,
				 struct shoper_lease *l, const char *key,
				 unsigned int ttl_s, struct shoper_error *err);

/* A request's outcome as it travels to its origin. */
struct shoper_cluster_outcome {
	const char *key;
	bool done; /* else refused */
	bool by_shop; /* refused by the shop, else by shoper-sync */
	const char *reason, *status_name;
	const char *req; /* the request's text, to mark its message */
	size_t req_len;
	const char *bad; /* reading: not NULL when garbled, why */
};
/* After the outcome is known: sends it to r->origin's outcome stream,
   marks key "posted" (for ttl_s) and acknowledges and deletes the entry,
   all at once and only while l holds the lease. 1, 0 fenced, -1. */
int shoper_cluster_request_finish(struct shoper_cluster *c,
				  struct shoper_lease *l,
				  const struct shoper_cluster_request *r,
				  const struct shoper_cluster_outcome *o,
				  unsigned int ttl_s, struct shoper_error *err);
/* Acknowledges and deletes a garbled entry (nobody to answer). */
int shoper_cluster_request_drop(struct shoper_cluster *c, const char *shop,
				const char *id, struct shoper_error *err);
typedef int shoper_outcome_cb(void *ctx, const char *id,
			      const struct shoper_cluster_outcome *o);
/* Origin: hands cb each outcome sent to this node, then deletes it (cb
   returning -1 keeps it and stops). The number handled, or -1. */
int shoper_cluster_outcomes_read(struct shoper_cluster *c,
				 shoper_outcome_cb *cb, void *ctx,
				 struct shoper_error *err);
/* The shop's request stream: entries in it, and of them read by a
   leader but not finished. 0 or -1. */
int shoper_cluster_requests_count(struct shoper_cluster *c, const char *shop,
				  long long *waiting_r, long long *pending_r,
				  struct shoper_error *err);

#endif
