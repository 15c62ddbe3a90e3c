/* The connection's secrets and TLS against a real redis-server: the
   password from a 0600 file (a file others can read is refused, a wrong
   password too), and, when hiredis has TLS, a verified TLS connection:
   a certificate from another CA is refused. */
#include "test-redis.h"
#include "config-shoper.h"
#include "tap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t spawn_redis(const char *const argv[])
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

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

static void test_password(const char *dir)
{
	char sock[200], pw[200];
	struct shoper_cluster_config cfg;
	struct shoper_error err;
	struct shoper_cluster *c;
	struct stat st;

	snprintf(sock, sizeof(sock), "%s/pw.sock", dir);
	const char *argv[] = {"redis-server", "--port", "0", "--unixsocket",
			      sock,           "--save", "",  "--requirepass",
			      "s3cret-pw",    NULL};
	pid_t pid = spawn_redis(argv);
	for (int i = 0; i < 100 && stat(sock, &st) < 0; i++)
		test_sleep_ms(50);
	shoper_cluster_config_init(&cfg);
	snprintf(cfg.redis, sizeof(cfg.redis), "unix:%s", sock);
	snprintf(cfg.node, sizeof(cfg.node), "n");
	c = shoper_cluster_connect(&cfg, &err);
	struct shoper_lease l = {.shop = "s"};
	ok(c == NULL || shoper_lease_acquire(c, &l, &err) < 0,
	   "no password: Redis refuses");
	shoper_cluster_free(&c);
	snprintf(pw, sizeof(pw), "%s/redis.password", dir);
	snprintf(cfg.password_file, sizeof(cfg.password_file), "%s", pw);
	write_file(pw, "s3cret-pw\n", 0644);
	c = shoper_cluster_connect(&cfg, &err);
	ok(c == NULL && strstr(err.msg, "chmod 600") != NULL &&
		   strstr(err.msg, "s3cret") == NULL,
	   "a password file others can read is refused (%s)", err.msg);
	write_file(pw, "wrong\n", 0600);
	c = shoper_cluster_connect(&cfg, &err);
	ok(c == NULL && strstr(err.msg, "AUTH") != NULL,
	   "a wrong password is refused (%s)", c == NULL ? err.msg : "");
	shoper_cluster_free(&c);
	write_file(pw, "s3cret-pw\n", 0600);
	c = shoper_cluster_connect(&cfg, &err);
	ok(c != NULL, "the 0600 file's password is taken");
	ok(c != NULL && shoper_lease_acquire(c, &l, &err) == 1,
	   "and commands work");
	shoper_cluster_free(&c);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

#ifdef HAVE_HIREDIS_SSL
static void test_tls(const char *dir)
{
	const char *src = getenv("TOP_SRCDIR");
	char cmd[600], port[16], ca[200], cert[200], key[200], wrong[200];
	struct shoper_cluster_config cfg;
	struct shoper_error err;

	snprintf(cmd, sizeof(cmd), "sh '%s/tests/shop/make-ca.sh' '%s/ca'",
		 src != NULL ? src : "..", dir);
	if (system(cmd) != 0) {
		ok(0, "make-ca.sh ran");
		return;
	}
	snprintf(ca, sizeof(ca), "%s/ca/ca.pem", dir);
	snprintf(wrong, sizeof(wrong), "%s/ca/wrong-ca.pem", dir);
	snprintf(cert, sizeof(cert), "%s/ca/server.pem", dir);
	snprintf(key, sizeof(key), "%s/ca/server.key", dir);
	snprintf(port, sizeof(port), "%d", 21000 + getpid() % 20000 + 7);
	const char *argv[] = {"redis-server",
			      "--port",
			      "0",
			      "--tls-port",
			      port,
			      "--bind",
			      "127.0.0.1",
			      "127.0.0.2",
			      "--tls-cert-file",
			      cert,
			      "--tls-key-file",
			      key,
			      "--tls-ca-cert-file",
			      ca,
			      "--tls-auth-clients",
			      "no",
			      "--save",
			      "",
			      NULL};
	pid_t pid = spawn_redis(argv);
	test_sleep_ms(500);
	shoper_cluster_config_init(&cfg);
	snprintf(cfg.redis, sizeof(cfg.redis), "127.0.0.1:%s", port);
	snprintf(cfg.node, sizeof(cfg.node), "n");
	cfg.tls = true;
	snprintf(cfg.tls_ca_file, sizeof(cfg.tls_ca_file), "%s", ca);
	struct shoper_cluster *c = NULL;
	for (int i = 0; i < 40 && c == NULL; i++) {
		c = shoper_cluster_connect(&cfg, &err);
		if (c == NULL)
			test_sleep_ms(100);
	}
	struct shoper_lease l = {.shop = "s"};
	ok(c != NULL && shoper_lease_acquire(c, &l, &err) == 1,
	   "TLS to Redis, its certificate verified (%s)",
	   c != NULL ? "" : err.msg);
	shoper_cluster_free(&c);
	snprintf(cfg.tls_ca_file, sizeof(cfg.tls_ca_file), "%s", wrong);
	c = shoper_cluster_connect(&cfg, &err);
	ok(c == NULL, "a certificate of another CA is refused (%s)", err.msg);
	shoper_cluster_free(&c);
	snprintf(cfg.tls_ca_file, sizeof(cfg.tls_ca_file), "%s", ca);
	snprintf(cfg.redis, sizeof(cfg.redis), "127.0.0.2:%s", port);
	c = shoper_cluster_connect(&cfg, &err);
	ok(c == NULL,
	   "an address the certificate does not name is refused (%s)", err.msg);
	shoper_cluster_free(&c);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
#endif

int main(void)
{
	char dir[] = "/tmp/cluster-tls.XXXXXX", cmd[100];

	if (mkdtemp(dir) == NULL ||
	    system("redis-server --version >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP redis-server not installed\n");
		return 0;
	}
	test_password(dir);
#ifdef HAVE_HIREDIS_SSL
	test_tls(dir);
#else
	/* the TLS part's three checks (test_tls) */
	tap_skip(3, "hiredis without TLS (Debian 12's 0.14)");
#endif
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# %s failed\n", cmd);
	return tap_done();
}
