/* The connection to Redis: plain, unix socket or TLS, found through the
   Sentinels when configured, authenticated from a 0600 password file.
   A failed command drops the connection; the next one connects again
   (asking the Sentinels anew, so a failover is followed). */
#include "cluster-private.h"
#include "config-shoper.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_HIREDIS_SSL
#include <hiredis/hiredis_ssl.h>
#include <openssl/ssl.h>
#endif
#include <ctype.h>

double shoper_cluster_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* "unix:/path", "HOST:PORT", "[V6]:PORT" or "HOST" */
static redisContext *connect_addr(const char *addr, unsigned int timeout_ms)
{
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	char host[256];
	int port = 6379;

	if (strncmp(addr, "unix:", 5) == 0)
		return redisConnectUnixWithTimeout(addr + 5, tv);
	snprintf(host, sizeof(host), "%s", addr[0] == '[' ? addr + 1 : addr);
	char *colon = strrchr(host, ':');
	char *bracket = strchr(host, ']');
	if (bracket != NULL) {
		*bracket = '\0';
		if (bracket[1] == ':')
			port = atoi(bracket + 2);
	} else if (colon != NULL) {
		*colon = '\0';
		port = atoi(colon + 1);
	}
	return redisConnectWithTimeout(host, port, tv);
}

/* key names the [cluster] key of the file, for the messages */
static int read_password(const char *key, const char *path, char *buf,
			 size_t size, struct shoper_error *err)
{
	struct stat st;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		shoper_error_set(err, "[cluster] %s %s: %s", key, path,
				 strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0077) != 0) {
		fclose(f);
		shoper_error_set(
			err,
			"[cluster] %s %s is readable by others; run chmod 600 %s",
			key, path, path);
		return -1;
	}
	if (fgets(buf, (int)size, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		shoper_error_set(err, "[cluster] %s %s is empty", key, path);
		return -1;
	}
	return 0;
}

/* AUTH [user] password from the file; the password never leaves this
   function but to Redis. */
static int auth(redisContext *rc, const char *addr, const char *key,
		const char *path, const char *user, struct shoper_error *err)
{
	char pw[512];
	redisReply *rep;

	if (read_password(key, path, pw, sizeof(pw), err) < 0)
		return -1;
	if (user[0] != '\0')
		rep = redisCommand(rc, "AUTH %s %s", user, pw);
	else
		rep = redisCommand(rc, "AUTH %s", pw);
	memset(pw, 0, sizeof(pw));
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
		shoper_error_set(err, "%s %s: AUTH: %s",
				 key[0] == 's' ? "Sentinel" : "Redis", addr,
				 rep != NULL ? rep->str : rc->errstr);
		freeReplyObject(rep);
		return -1;
	}
	freeReplyObject(rep);
	return 0;
}

#ifdef HAVE_HIREDIS_SSL
/* The host name or address of "HOST:PORT" / "[V6]:PORT" / "HOST". */
static void addr_host(const char *addr, char *host, size_t size)
{
	snprintf(host, size, "%s", addr[0] == '[' ? addr + 1 : addr);
	char *end = addr[0] == '[' ? strchr(host, ']') : strrchr(host, ':');
	if (end != NULL)
		*end = '\0';
}
#endif

/* TLS with the chain and the host name verified (hiredis's own context
   checks the chain only), on an SSL object of ours handed to hiredis. */
static int start_tls(struct shoper_cluster *c, redisContext *rc,
		     const char *addr, struct shoper_error *err)
{
#ifdef HAVE_HIREDIS_SSL
	char host[256];
	SSL *ssl;

	if (c->ssl == NULL) {
		c->ssl = SSL_CTX_new(TLS_client_method());
		if (c->ssl == NULL ||
		    SSL_CTX_set_min_proto_version(c->ssl, TLS1_2_VERSION) !=
			    1 ||
		    (c->cfg.tls_ca_file[0] != '\0'
			     ? SSL_CTX_load_verify_locations(
				       c->ssl, c->cfg.tls_ca_file, NULL)
			     : SSL_CTX_set_default_verify_paths(c->ssl)) != 1) {
			shoper_error_set(err, "Redis TLS: CA %s not usable",
					 c->cfg.tls_ca_file[0] != '\0'
						 ? c->cfg.tls_ca_file
						 : "(the system's)");
			return -1;
		}
		SSL_CTX_set_verify(c->ssl, SSL_VERIFY_PEER, NULL);
	}
	addr_host(addr, host, sizeof(host));
	ssl = SSL_new(c->ssl);
	if (ssl == NULL || SSL_set1_host(ssl, host) != 1 ||
	    (strchr(host, ':') == NULL && !isdigit((unsigned char)host[0]) &&
	     SSL_set_tlsext_host_name(ssl, host) != 1)) {
		SSL_free(ssl);
		shoper_error_set(err, "Redis TLS: out of memory");
		return -1;
	}
	/* hiredis owns ssl once the handshake succeeded, not before */
	if (redisInitiateSSL(rc, ssl) != REDIS_OK) {
		SSL_free(ssl);
		shoper_error_set(err, "Redis %s: TLS: %s", addr, rc->errstr);
		return -1;
	}
	return 0;
#else
	(void)c;
	(void)rc;
	(void)addr;
	shoper_error_set(
		err,
		"[cluster] tls = yes (or sentinel_tls), but this shoper-sync was built with a hiredis without TLS (hiredis >= 1.0 has it)");
	return -1;
#endif
}

/* TLS and AUTH on a fresh connection to addr: a Sentinel with the
   sentinel_* keys, Redis with the others. */
static redisContext *open_server(struct shoper_cluster *c, const char *addr,
				 bool is_sentinel, struct shoper_error *err)
{
	const struct shoper_cluster_config *cfg = &c->cfg;
	struct timeval tv = {cfg->timeout_ms / 1000,
			     (cfg->timeout_ms % 1000) * 1000};
	redisContext *rc = connect_addr(addr, cfg->timeout_ms);
	bool tls = is_sentinel ? cfg->sentinel_tls : cfg->tls;
	const char *pw_file =
		is_sentinel ? cfg->sentinel_password_file : cfg->password_file;

	if (rc == NULL || rc->err != 0) {
		shoper_error_set(err, "Redis %s: %s", addr,
				 rc != NULL ? rc->errstr : "out of memory");
		goto fail;
	}
	redisSetTimeout(rc, tv);
	if (tls && strncmp(addr, "unix:", 5) != 0 &&
	    start_tls(c, rc, addr, err) < 0)
		goto fail;
	if (pw_file[0] != '\0' &&
	    auth(rc, addr,
		 is_sentinel ? "sentinel_password_file" : "password_file",
		 pw_file, is_sentinel ? cfg->sentinel_user : cfg->user,
		 err) < 0)
		goto fail;
	return rc;
fail:
	if (rc != NULL)
		redisFree(rc);
	return NULL;
}

/* The master the Sentinels name, as "HOST:PORT" into addr. */
static int ask_sentinels(struct shoper_cluster *c, char *addr, size_t size,
			 struct shoper_error *err)
{
	char list[512], *save = NULL;

	snprintf(list, sizeof(list), "%s", c->cfg.sentinel);
	for (char *s = strtok_r(list, ", ", &save); s != NULL;
	     s = strtok_r(NULL, ", ", &save)) {
		redisContext *rc = open_server(c, s, true, err);
		if (rc == NULL)
			continue;
		redisReply *rep =
			redisCommand(rc, "SENTINEL get-master-addr-by-name %s",
				     c->cfg.sentinel_master);
		if (rep != NULL && rep->type == REDIS_REPLY_ARRAY &&
		    rep->elements == 2) {
			snprintf(addr, size, "%s:%s", rep->element[0]->str,
				 rep->element[1]->str);
			freeReplyObject(rep);
			redisFree(rc);
			return 0;
		}
		/* NOAUTH and the like: its words, not "no master" */
		if (rep != NULL && rep->type == REDIS_REPLY_ERROR)
			shoper_error_set(err, "Sentinel %s: %s", s, rep->str);
		else
			shoper_error_set(err, "Sentinel %s knows no master %s",
					 s, c->cfg.sentinel_master);
		freeReplyObject(rep);
		redisFree(rc);
	}
	return -1;
}

/* The server must be a master: after a failover the old one may answer
   as a replica until the Sentinels reconfigure it. */
static int check_master(redisContext *rc, const char *addr,
			struct shoper_error *err)
{
	redisReply *rep = redisCommand(rc, "ROLE");
	int ret = 0;

	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY ||
	    rep->elements == 0 || rep->element[0]->type != REDIS_REPLY_STRING ||
	    strcmp(rep->element[0]->str, "master") != 0) {
		shoper_error_set(err, "Redis %s: not a master (%s)", addr,
				 rep == NULL ? rc->errstr
				 : rep->type == REDIS_REPLY_ERROR
					 ? rep->str
					 : "a replica");
		ret = -1;
	}
	freeReplyObject(rep);
	return ret;
}

int cluster_reconnect(struct shoper_cluster *c, struct shoper_error *err)
{
	char addr[300];

	if (c->rc != NULL)
		redisFree(c->rc);
	c->rc = NULL;
	c->server[0] = '\0';
	if (c->cfg.sentinel[0] != '\0') {
		c->sentinel_checked = shoper_cluster_now_ms();
		if (ask_sentinels(c, addr, sizeof(addr), err) < 0)
			return -1;
	} else {
		snprintf(addr, sizeof(addr), "%s", c->cfg.redis);
	}
	c->rc = open_server(c, addr, false, err);
	if (c->rc == NULL)
		return -1;
	if (check_master(c->rc, addr, err) < 0) {
		redisFree(c->rc);
		c->rc = NULL;
		return -1;
	}
	snprintf(c->server, sizeof(c->server), "%s", addr);
	return 0;
}

/* A failover the Sentinels made while the old master still answers
   (a forced one, a partition): follow it within a second, not at the
   old master's first refusal, which may come late. */
static void follow_sentinels(struct shoper_cluster *c)
{
	struct shoper_error err;
	char addr[300];
	double now = shoper_cluster_now_ms();

	if (c->cfg.sentinel[0] == '\0' || c->rc == NULL ||
	    now - c->sentinel_checked < 1000)
		return;
	c->sentinel_checked = now;
	if (ask_sentinels(c, addr, sizeof(addr), &err) == 0 &&
	    strcmp(addr, c->server) != 0) {
		redisFree(c->rc);
		c->rc = NULL;
	}
}

redisReply *cluster_command(struct shoper_cluster *c, int argc,
			    const char **argv, const size_t *lens,
			    struct shoper_error *err)
{
	follow_sentinels(c);
	if (c->rc == NULL && cluster_reconnect(c, err) < 0)
		return NULL;
	redisReply *rep = redisCommandArgv(c->rc, argc, argv, lens);
	if (rep == NULL) {
		shoper_error_set(err, "Redis %s: %s", c->server, c->rc->errstr);
		redisFree(c->rc);
		c->rc = NULL;
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR &&
	    strncmp(rep->str, "READONLY", 8) == 0) {
		/* failed over under us: the next command asks again */
		shoper_error_set(err, "Redis %s: %s", c->server, rep->str);
		freeReplyObject(rep);
		redisFree(c->rc);
		c->rc = NULL;
		return NULL;
	}
	return rep;
}

struct shoper_cluster *shoper_cluster_new(
	const struct shoper_cluster_config *cfg)
{
	struct shoper_cluster *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->cfg = *cfg;
	if (c->cfg.node[0] == '\0' &&
	    gethostname(c->cfg.node, sizeof(c->cfg.node) - 1) < 0)
		snprintf(c->cfg.node, sizeof(c->cfg.node), "node");
	return c;
}

struct shoper_cluster *shoper_cluster_connect(
	const struct shoper_cluster_config *cfg, struct shoper_error *err)
{
	struct shoper_cluster *c = shoper_cluster_new(cfg);

	if (c == NULL) {
		shoper_error_set(err, "out of memory");
		return NULL;
	}
	if (cluster_reconnect(c, err) < 0) {
		shoper_cluster_free(&c);
		return NULL;
	}
	return c;
}

void shoper_cluster_free(struct shoper_cluster **_c)
{
	struct shoper_cluster *c = *_c;

	if (c == NULL)
		return;
	*_c = NULL;
	if (c->rc != NULL)
		redisFree(c->rc);
#ifdef HAVE_HIREDIS_SSL
	if (c->ssl != NULL)
		SSL_CTX_free(c->ssl);
#endif
	free(c);
}

const char *shoper_cluster_node(const struct shoper_cluster *c)
{
	return c->cfg.node;
}

const char *shoper_cluster_server(const struct shoper_cluster *c)
{
	return c->server;
}

void cluster_key(const struct shoper_cluster *c, const char *shop,
		 const char *what, char *buf, size_t size)
{
	/* the hash tag keeps a shop's keys in one slot of a Redis Cluster */
	snprintf(buf, size, "%s:{%s}:%s", c->cfg.key_prefix, shop, what);
}
