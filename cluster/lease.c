/* The lease of a shop: one key "NODE TOKEN" with an expiry. The token
   comes from a counter that only grows, so every writer Redis accepts
   holds a token larger than all before it, and the stream script
   (stream.c) refuses any writer whose "NODE TOKEN" is not the key's
   value: a holder paused past its lease cannot write after the next one
   took over. Toward the shop, which knows no tokens, the holder stops
   itself: its clock starts before the request that set the expiry, and
   it stops calling a third of the lease before that expiry. */
#include "cluster-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* KEYS lease, counter; ARGV node, ms. {token, holder, ttl}: token 0
   when someone else holds it. */
static const char acquire_lua[] =
	"local cur = redis.call('GET', KEYS[1])\n"
	"if cur then return {0, cur, redis.call('PTTL', KEYS[1])} end\n"
	"local tok = redis.call('INCR', KEYS[2])\n"
	"local v = ARGV[1] .. ' ' .. tok\n"
	"redis.call('SET', KEYS[1], v, 'PX', ARGV[2])\n"
	"return {tok, v, tonumber(ARGV[2])}\n";
/* KEYS lease; ARGV holder, ms */
static const char renew_lua[] =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
	"  redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end\n"
	"return 0\n";
static const char release_lua[] =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
	"  redis.call('DEL', KEYS[1]) return 1 end\n"
	"return 0\n";

static redisReply *eval(struct shoper_cluster *c, const char *script,
			const char *shop, bool counter, const char *a1,
			const char *a2, struct shoper_error *err)
{
	char k1[256], k2[256];
	const char *argv[7];
	size_t lens[7];
	int n = 0;

	cluster_key(c, shop, "lease", k1, sizeof(k1));
	cluster_key(c, shop, "token", k2, sizeof(k2));
	argv[n++] = "EVAL";
	argv[n++] = script;
	argv[n++] = counter ? "2" : "1";
	argv[n++] = k1;
	if (counter)
		argv[n++] = k2;
	argv[n++] = a1;
	argv[n++] = a2;
	for (int i = 0; i < n; i++)
		lens[i] = strlen(argv[i]);
	redisReply *rep = cluster_command(c, n, argv, lens, err);
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR) {
		shoper_error_set(err, "Redis %s: %s", c->server, rep->str);
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

/* Asynchronous replication loses the writes a failover did not carry
   over: a lease write counts once replicas_ack replicas have it. */
static bool replicated(struct shoper_cluster *c, struct shoper_error *err)
{
	char n[16], ms[16];
	const char *argv[3] = {"WAIT", n, ms};
	size_t lens[3];

	if (c->cfg.replicas_ack <= 0)
		return true;
	snprintf(n, sizeof(n), "%d", c->cfg.replicas_ack);
	snprintf(ms, sizeof(ms), "%u", c->cfg.timeout_ms / 2);
	for (int i = 0; i < 3; i++)
		lens[i] = strlen(argv[i]);
	redisReply *rep = cluster_command(c, 3, argv, lens, err);
	bool ok = rep != NULL && rep->type == REDIS_REPLY_INTEGER &&
		  rep->integer >= c->cfg.replicas_ack;
	if (rep != NULL && !ok)
		shoper_error_set(
			err, "Redis %s: the lease reached %lld of %d replicas",
			c->server,
			rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0LL,
			c->cfg.replicas_ack);
	freeReplyObject(rep);
	return ok;
}

static void set_valid(struct shoper_cluster *c, struct shoper_lease *l,
		      double sent)
{
	l->renewed_at = sent;
	/* a third of the lease is the margin for a call in flight, the
	   clocks' drift and the renewal's own round trip */
	l->stop_at = sent + c->cfg.lease_ms * 2.0 / 3.0;
}

int shoper_lease_acquire(struct shoper_cluster *c, struct shoper_lease *l,
			 struct shoper_error *err)
{
	char ms[24];
	double sent = shoper_cluster_now_ms();

	snprintf(ms, sizeof(ms), "%u", c->cfg.lease_ms);
	redisReply *rep =
		eval(c, acquire_lua, l->shop, true, c->cfg.node, ms, err);
	if (rep == NULL)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3) {
		shoper_error_set(err, "Redis: unexpected lease reply");
		freeReplyObject(rep);
		return -1;
	}
	l->token = (uint64_t)rep->element[0]->integer;
	snprintf(l->holder, sizeof(l->holder), "%s", rep->element[1]->str);
	l->holder_ttl_ms = rep->element[2]->integer;
	freeReplyObject(rep);
	if (l->token == 0)
		return 0;
	/* held, but not to be used before a renewal reached the replicas */
	l->renewed_at = 0;
	l->stop_at = 0;
	if (!replicated(c, err))
		return -1;
	set_valid(c, l, sent);
	return 1;
}

int shoper_lease_renew(struct shoper_cluster *c, struct shoper_lease *l,
		       struct shoper_error *err)
{
	char ms[24], holder[160];
	double sent = shoper_cluster_now_ms();

	if (l->token == 0)
		return 0;
	snprintf(ms, sizeof(ms), "%u", c->cfg.lease_ms);
	snprintf(holder, sizeof(holder), "%s %llu", c->cfg.node,
		 (unsigned long long)l->token);
	redisReply *rep = eval(c, renew_lua, l->shop, false, holder, ms, err);
	if (rep == NULL)
		return -1;
	int ok = rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
	freeReplyObject(rep);
	if (!ok) {
		l->token = 0;
		l->stop_at = 0;
		return 0;
	}
	if (!replicated(c, err))
		return -1;
	set_valid(c, l, sent);
	l->holder_ttl_ms = c->cfg.lease_ms;
	return 1;
}

void shoper_lease_release(struct shoper_cluster *c, struct shoper_lease *l)
{
	char holder[160];
	struct shoper_error err;

	if (l->token == 0)
		return;
	snprintf(holder, sizeof(holder), "%s %llu", c->cfg.node,
		 (unsigned long long)l->token);
	freeReplyObject(
		eval(c, release_lua, l->shop, false, holder, "0", &err));
	l->token = 0;
	l->stop_at = 0;
}

bool shoper_lease_valid(const struct shoper_lease *l)
{
	return l->token != 0 && shoper_cluster_now_ms() < l->stop_at;
}

int shoper_lease_read(struct shoper_cluster *c, struct shoper_lease *l,
		      struct shoper_error *err)
{
	char key[256];
	const char *argv[2] = {"GET", key};
	size_t lens[2];

	cluster_key(c, l->shop, "lease", key, sizeof(key));
	lens[0] = 3;
	lens[1] = strlen(key);
	redisReply *rep = cluster_command(c, 2, argv, lens, err);
	if (rep == NULL)
		return -1;
	snprintf(l->holder, sizeof(l->holder), "%s",
		 rep->type == REDIS_REPLY_STRING ? rep->str : "");
	freeReplyObject(rep);
	argv[0] = "PTTL";
	lens[0] = 4;
	rep = cluster_command(c, 2, argv, lens, err);
	if (rep == NULL)
		return -1;
	l->holder_ttl_ms = rep->type == REDIS_REPLY_INTEGER ? rep->integer : -1;
	freeReplyObject(rep);
	return 0;
}
