/* Starts and stops the tests' redis-server. */
#include "test-redis.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void test_sleep_ms(unsigned int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int test_redis_start(struct test_redis *t)
{
	const char *tmp = getenv("TMPDIR");
	char sock[240];
	struct stat st;

	snprintf(t->dir, sizeof(t->dir), "%s/cluster-test.XXXXXX",
		 tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/redis.sock", t->dir);
	snprintf(t->addr, sizeof(t->addr), "unix:%s", sock);
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execlp("redis-server", "redis-server", "--port", "0",
		       "--unixsocket", sock, "--unixsocketperm", "700",
		       "--save", "", "--appendonly", "no", "--dir", t->dir,
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		if (stat(sock, &st) == 0)
			return 0;
		if (waitpid(t->pid, NULL, WNOHANG) == t->pid)
			return -1;
		test_sleep_ms(25);
	}
	return -1;
}

void test_redis_stop(struct test_redis *t)
{
	char cmd[600];

	if (t->pid > 0) {
		kill(t->pid, SIGCONT);
		kill(t->pid, SIGTERM);
		waitpid(t->pid, NULL, 0);
		t->pid = 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# %s failed\n", cmd);
}

void test_redis_config(const struct test_redis *t, const char *node,
		       unsigned int lease_ms, struct shoper_cluster_config *cfg)
{
	shoper_cluster_config_init(cfg);
	cfg->enabled = true;
	snprintf(cfg->redis, sizeof(cfg->redis), "%s", t->addr);
	snprintf(cfg->node, sizeof(cfg->node), "%s", node);
	cfg->lease_ms = lease_ms;
	cfg->timeout_ms = lease_ms / 4;
}
