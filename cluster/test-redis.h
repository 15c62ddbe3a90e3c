#ifndef SHOPER_TEST_REDIS_H
#define SHOPER_TEST_REDIS_H

/* A private redis-server for the cluster's unit tests: a unix socket in
   a fresh directory under TMPDIR, no persistence. */

#include <sys/types.h>

#include "shoper-cluster.h"
#include "tap.h"

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
typedef void test_redis_three_fn(struct shoper_cluster *a,
				 struct shoper_cluster *b,
				 struct shoper_cluster *c);
/* A private redis-server with nodes node-a, node-b, node-c (lease 5 s)
   connected to it, for run; "three nodes connect" is one check. Inline:
   the checks count in the test's own file (tap.h). */
static inline void test_redis_three(test_redis_three_fn *run)
{
	static const char *const names[3] = {"node-a", "node-b", "node-c"};
	struct test_redis t = {0};
	struct shoper_cluster_config cfg;
	struct shoper_cluster *c[3];
	struct shoper_error err;
	bool up = true;

	if (test_redis_start(&t) < 0) {
		printf("# redis-server not startable\n");
		return;
	}
	for (int i = 0; i < 3; i++) {
		test_redis_config(&t, names[i], 5000, &cfg);
		c[i] = shoper_cluster_connect(&cfg, &err);
		up = up && c[i] != NULL;
	}
	ok(up, "three nodes connect");
	if (up)
		run(c[0], c[1], c[2]);
	for (int i = 0; i < 3; i++)
		shoper_cluster_free(&c[i]);
	test_redis_stop(&t);
}

#endif
