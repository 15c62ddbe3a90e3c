/* Sentinel: a node finds the master through a redis-sentinel that asks
   for a password (requirepass: refused without it, with a wrong one and
   from a file others may read), and after the master fails over it
   follows to the new one; the lease and the snapshot written before the
   failover are still there (replicated). */
#include "cluster-private.h"
#include "test-redis.h"
#include "tap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t pids[3];
static char dir[200];
static int sentinel_port;
#define SENTINEL_PW "sentinel-secret"

static pid_t spawn(const char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static redisContext *raw(int port)
{
	struct timeval tv = {1, 0};

	for (int i = 0; i < 100; i++) {
		redisContext *rc =
			redisConnectWithTimeout("127.0.0.1", port, tv);
		if (rc != NULL && rc->err == 0 && port == sentinel_port) {
			/* the Sentinel asks for its password */
			redisReply *rep =
				redisCommand(rc, "AUTH %s", SENTINEL_PW);
			bool in =
				rep != NULL && rep->type == REDIS_REPLY_STATUS;
			freeReplyObject(rep);
			if (in)
				return rc;
		} else if (rc != NULL && rc->err == 0) {
			return rc;
		}
		if (rc != NULL)
			redisFree(rc);
		test_sleep_ms(50);
	}
	return NULL;
}

static int start(int base)
{
	char p1[8], p2[8], p3[8], conf[300];
	snprintf(p1, sizeof(p1), "%d", base);
	snprintf(p2, sizeof(p2), "%d", base + 1);
	snprintf(p3, sizeof(p3), "%d", base + 2);
	const char *m[] = {
		"redis-server", "--port", p1,      "--bind", "127.0.0.1",
		"--save",       "",       "--dir", dir,      NULL};
	const char *r[] = {
		"redis-server", "--port", p2,      "--bind", "127.0.0.1",
		"--save",       "",       "--dir", dir,      "--replicaof",
		"127.0.0.1",    p1,       NULL};
	snprintf(conf, sizeof(conf), "%s/sentinel.conf", dir);
	FILE *f = fopen(conf, "w");
	if (f == NULL)
		return -1;
	sentinel_port = base + 2;
	fprintf(f,
		"port %s\nbind 127.0.0.1\ndir %s\nrequirepass " SENTINEL_PW "\n"
		"sentinel monitor mymaster 127.0.0.1 %s 1\n"
		"sentinel down-after-milliseconds mymaster 1000\n"
		"sentinel failover-timeout mymaster 5000\n",
		p3, dir, p1);
	fclose(f);
	const char *s[] = {"redis-sentinel", conf, NULL};
	pids[0] = spawn(m);
	pids[1] = spawn(r);
	redisContext *rc = raw(base);
	if (rc == NULL)
		return -1;
	redisFree(rc);
	pids[2] = spawn(s);
	rc = raw(base + 2);
	if (rc == NULL)
		return -1;
	redisFree(rc);
	return 0;
}

/* the replica has caught up with the master */
static bool replica_synced(int port)
{
	redisContext *rc = raw(port);
	bool ok = false;

	if (rc == NULL)
		return false;
	redisReply *rep = redisCommand(rc, "INFO replication");
	ok = rep != NULL && rep->type == REDIS_REPLY_STRING &&
	     strstr(rep->str, "master_link_status:up") != NULL;
	freeReplyObject(rep);
	redisFree(rc);
	return ok;
}

static char *master_port(int sentinel_port, char *buf, size_t size)
{
	redisContext *rc = raw(sentinel_port);
	buf[0] = '\0';
	if (rc == NULL)
		return buf;
	redisReply *rep =
		redisCommand(rc, "SENTINEL get-master-addr-by-name mymaster");
	if (rep != NULL && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2)
		snprintf(buf, size, "%s", rep->element[1]->str);
	freeReplyObject(rep);
	redisFree(rc);
	return buf;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

/* Refused: no password, a wrong one, one others may read. Then cfg has
   the right one. */
static int sentinel_auth(struct shoper_cluster_config *cfg)
{
	struct shoper_error err;
	struct shoper_cluster *c;

	c = shoper_cluster_connect(cfg, &err);
	ok(c == NULL && strstr(err.msg, "NOAUTH") != NULL,
	   "a Sentinel with requirepass: no password, no master (%s)", err.msg);
	shoper_cluster_free(&c);
	snprintf(cfg->sentinel_password_file,
		 sizeof(cfg->sentinel_password_file), "%s/sentinel.pw", dir);
	if (write_file(cfg->sentinel_password_file, "wrong\n", 0600) < 0)
		return -1;
	c = shoper_cluster_connect(cfg, &err);
	ok(c == NULL && strstr(err.msg, "AUTH") != NULL &&
		   strstr(err.msg, "wrong") == NULL,
	   "a wrong password is refused, and not shown (%s)", err.msg);
	shoper_cluster_free(&c);
	if (write_file(cfg->sentinel_password_file, SENTINEL_PW "\n", 0644) < 0)
		return -1;
	c = shoper_cluster_connect(cfg, &err);
	ok(c == NULL && strstr(err.msg, "sentinel_password_file") != NULL &&
		   strstr(err.msg, "chmod 600") != NULL &&
		   strstr(err.msg, SENTINEL_PW) == NULL,
	   "a password file others may read is refused (%s)", err.msg);
	shoper_cluster_free(&c);
	return chmod(cfg->sentinel_password_file, 0600);
}

int main(void)
{
	struct shoper_cluster_config cfg;
	struct shoper_error err;
	char port[16], before[16];
	int base = 21000 + getpid() % 20000;

	snprintf(dir, sizeof(dir), "/tmp/cluster-sentinel.XXXXXX");
	if (mkdtemp(dir) == NULL || start(base) < 0) {
		printf("1..0 # SKIP redis-server/redis-sentinel not startable\n");
		return 0;
	}
	for (int i = 0; i < 100 && !replica_synced(base + 1); i++)
		test_sleep_ms(100);
	shoper_cluster_config_init(&cfg);
	snprintf(cfg.sentinel, sizeof(cfg.sentinel),
		 "127.0.0.1:1, 127.0.0.1:%d", base + 2);
	snprintf(cfg.node, sizeof(cfg.node), "n1");
	cfg.lease_ms = 20000;
	cfg.timeout_ms = 1000;
	if (sentinel_auth(&cfg) < 0)
		goto out;
	struct shoper_cluster *c = shoper_cluster_connect(&cfg, &err);
	ok(c != NULL,
	   "connects through the second Sentinel (the first is down): %s",
	   c != NULL ? shoper_cluster_server(c) : err.msg);
	if (c == NULL)
		goto out;
	snprintf(before, sizeof(before), "%d", base);
	ok(strstr(shoper_cluster_server(c), before) != NULL,
	   "to the master the Sentinel names");
	struct shoper_lease l = {.shop = "s"};
	struct shoper_replica *r = shoper_replica_new("s");
	struct shoper_change ch = {"7", "O1zz", 4};
	ok(shoper_lease_acquire(c, &l, &err) == 1, "takes a lease");
	ok(shoper_cluster_publish(c, &l, r, &ch, 1, &err) == 1, "writes");
	test_sleep_ms(500); /* replicated */

	/* the Sentinel learns of the replica from the master's INFO (every
	   10 s): the failover is refused until it has */
	redisContext *sc = raw(base + 2);
	bool asked = false;
	for (int i = 0; i < 300 && !asked; i++) {
		redisReply *rep =
			redisCommand(sc, "SENTINEL FAILOVER mymaster");
		asked = rep != NULL && rep->type == REDIS_REPLY_STATUS;
		freeReplyObject(rep);
		if (!asked)
			test_sleep_ms(100);
	}
	redisFree(sc);
	ok(asked, "the Sentinel takes the failover request");
	for (int i = 0;
	     i < 100 &&
	     strcmp(master_port(base + 2, port, sizeof(port)), before) == 0;
	     i++)
		test_sleep_ms(100);
	ok(strcmp(port, before) != 0, "the Sentinel fails over to %s", port);
	/* the node follows within a second, though the old master still
	   answers as one until the Sentinel turns it into a replica */
	test_sleep_ms(1100);
	int ret = -1;
	for (int i = 0; i < 100 && ret < 0; i++) {
		ret = shoper_lease_renew(c, &l, &err);
		if (ret < 0)
			test_sleep_ms(100);
	}
	ok(ret == 1, "the lease is renewed on the new master (%s)",
	   shoper_cluster_server(c));
	ok(l.token != 0 && shoper_lease_valid(&l), "and valid");
	ok(strstr(shoper_cluster_server(c), port) != NULL,
	   "the node follows the failover");
	struct shoper_replica *r2 = shoper_replica_new("s");
	struct shoper_pull res;
	ok(shoper_cluster_pull(c, r2, 0, NULL, NULL, &res, &err) == 0 &&
		   shoper_replica_count(r2) == 1,
	   "the snapshot written before the failover is there");
	shoper_replica_free(&r);
	shoper_replica_free(&r2);
	shoper_cluster_free(&c);
out:
	for (int i = 0; i < 3; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGTERM);
			waitpid(pids[i], NULL, 0);
		}
	}
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# %s failed\n", cmd);
	return tap_done();
}
