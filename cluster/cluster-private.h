#ifndef SHOPER_CLUSTER_PRIVATE_H
#define SHOPER_CLUSTER_PRIVATE_H

#include "shoper-cluster.h"

#include <hiredis/hiredis.h>

struct ssl_ctx_st;

struct shoper_cluster {
	struct shoper_cluster_config cfg;
	redisContext *rc; /* NULL: connect at the next command */
	struct ssl_ctx_st *ssl; /* OpenSSL's SSL_CTX, with tls */
	char server[300];
	double sentinel_checked; /* monotonic ms the Sentinels were asked */
};

/* Drops the connection and connects again (asking the Sentinels). */
int cluster_reconnect(struct shoper_cluster *c, struct shoper_error *err);
/* One command; NULL with err when Redis could not be asked (the
   connection is dropped then). An error reply is returned as a reply. */
redisReply *cluster_command(struct shoper_cluster *c, int argc,
			    const char **argv, const size_t *lens,
			    struct shoper_error *err);
struct slot {
	char *id; /* NULL: empty; id and data in one allocation */
	const char *data;
	size_t len;
};

struct shoper_replica {
	char shop[72];
	char stream_id[48];
	struct slot *slots;
	unsigned int size, count; /* size: a power of two */
	char *statuses; /* NULL: none */
	size_t statuses_len;
	unsigned int statuses_gen;
};

void cluster_replica_set_stream_id(struct shoper_replica *r, const char *id);
/* PREFIX:{SHOP}:WHAT */
void cluster_key(const struct shoper_cluster *c, const char *shop,
		 const char *what, char *buf, size_t size);

#endif
