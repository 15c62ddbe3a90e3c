/* The [cluster] section: without it nothing changes, with it the keys
   are read, and every bad one is refused with FILE:LINE: problem; fix. */
#include "config.h"
#include "shoper-cluster.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test-store-config-cluster.XXXXXX";
static char conf[512], pw[512];

static struct shoper_sync_config *load(const char *cluster, char **errors)
{
	char text[2048];
	FILE *f = fopen(conf, "w");

	snprintf(text, sizeof(text),
		 "[sync]\n[shop s]\nurl = https://s.example.pl\nlogin = a\n"
		 "password_file = %s\n%s",
		 pw, cluster);
	fputs(text, f);
	fclose(f);
	*errors = NULL;
	return shoper_config_load(conf, errors);
}

static void refused(const char *what, const char *cluster, int line,
		    const char *needle)
{
	char *errors, prefix[600];
	struct shoper_sync_config *cfg = load(cluster, &errors);

	if (line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", conf, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", conf);
	ok(cfg == NULL && errors != NULL && strstr(errors, prefix) != NULL &&
		   strstr(errors, needle) != NULL &&
		   strchr(errors, ';') != NULL,
	   "%s refused", what);
	if (errors != NULL && strstr(errors, needle) == NULL)
		printf("# got: %s", errors);
	free(errors);
	shoper_config_free(&cfg);
}

int main(void)
{
	struct shoper_sync_config *cfg;
	char *errors;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(conf, sizeof(conf), "%s/shoper-sync.conf", dir);
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	FILE *f = fopen(pw, "w");
	fputs("secret\n", f);
	fclose(f);
	chmod(pw, 0600);

	cfg = load("", &errors);
	ok(cfg != NULL && cfg->cluster == NULL,
	   "no [cluster]: a single server, as before");
	shoper_config_free(&cfg);
	free(errors);

	cfg = load("[cluster]\nredis = unix:/run/redis/redis.sock\n", &errors);
	ok(cfg != NULL && cfg->cluster != NULL && cfg->cluster->enabled &&
		   strcmp(cfg->cluster->redis, "unix:/run/redis/redis.sock") ==
			   0 &&
		   cfg->cluster->lease_ms == 30000 && !cfg->cluster->tls &&
		   strcmp(cfg->cluster->key_prefix, "shoper") == 0,
	   "redis alone: the defaults (lease 30 s, no TLS, prefix shoper)");
	shoper_config_free(&cfg);
	free(errors);

	cfg = load("[cluster]\nsentinel = 10.0.0.1:26379, 10.0.0.2:26379\n"
		   "sentinel_master = mail\ntls = yes\npassword_file = /x\n"
		   "node = mx1\nlease_ms = 9000\ntimeout_ms = 1000\n"
		   "sentinel_tls = yes\nsentinel_password_file = /y\n"
		   "sentinel_user = mon\n",
		   &errors);
	ok(cfg != NULL && cfg->cluster->tls && cfg->cluster->sentinel_tls &&
		   strcmp(cfg->cluster->sentinel_password_file, "/y") == 0 &&
		   strcmp(cfg->cluster->sentinel_user, "mon") == 0 &&
		   strcmp(cfg->cluster->sentinel_master, "mail") == 0 &&
		   strcmp(cfg->cluster->node, "mx1") == 0 &&
		   cfg->cluster->lease_ms == 9000,
	   "sentinel, TLS, password files, node, lease and the Sentinels' own TLS and AUTH read");
	shoper_config_free(&cfg);
	free(errors);

	refused("an unknown key", "[cluster]\nredis = x\nfoo = 1\n", 8,
		"unknown key 'foo' in [cluster]");
	refused("no Redis", "[cluster]\nnode = a\n", 6, "names no Redis");
	refused("both redis and sentinel",
		"[cluster]\nredis = a\nsentinel = b:1\n", 6, "names no Redis");
	refused("a lease too short", "[cluster]\nredis = a\nlease_ms = 10\n", 8,
		"lease_ms = 10 is not milliseconds");
	refused("a timeout over a third of the lease",
		"[cluster]\nredis = a\nlease_ms = 3000\ntimeout_ms = 2000\n", 6,
		"raise lease_ms");
	refused("Sentinel keys without sentinel",
		"[cluster]\nredis = a\nsentinel_password_file = /x\n", 6,
		"but no sentinel; set sentinel = HOST:PORT");
	refused("sentinel_user without a password",
		"[cluster]\nsentinel = a:1\nsentinel_user = mon\n", 6,
		"set sentinel_password_file");
	refused("sentinel_tls = 1",
		"[cluster]\nsentinel = a:1\nsentinel_tls = 1\n", 8,
		"sentinel_tls = 1; write yes or no");
	refused("tls = maybe", "[cluster]\nredis = a\ntls = maybe\n", 8,
		"write yes or no");
	refused("a second [cluster]", "[cluster]\nredis = a\n[cluster]\n", 8,
		"second [cluster]");
	unlink(conf);
	unlink(pw);
	rmdir(dir);
	return tap_done();
}
