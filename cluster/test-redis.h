#ifndef SHOPER_TEST_REDIS_H
#define SHOPER_TEST_REDIS_H

/* A private redis-server for the cluster's unit tests: a unix socket in
   a fresh directory under TMPDIR, no persistence. */

#include <sys/types.h>

#include "shoper-cluster.h"

struct test_redis {
	pid_t pid;
	char dir[200];
	char addr[250]; /* "unix:DIR/redis.sock" */
};

/* 0, or -1 when redis-server cannot be started (the test skips). */
int test_redis_start(struct test_redis *t);
void test_redis_stop(struct test_redis *t);
/* A [cluster] for node name on it. */
void test_redis_config(const struct test_redis *t, const char *node,
		       unsigned int lease_ms,
		       struct shoper_cluster_config *cfg);
void test_sleep_ms(unsigned int ms);
/* Nodes node-a, node-b, node-c (lease 5 s) connected to it: 0, or -1
   with those that did connect freed. */
int test_redis_three(const struct test_redis *t, struct shoper_cluster *c[3]);
void test_redis_free_three(struct shoper_cluster *c[3]);

#endif
