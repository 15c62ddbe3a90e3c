/* Status requests across backends. Every node moves the requests its
   IMAP module queued into the shop's stream PREFIX:{SHOP}:status; the
   shop's leader reads them through the consumer group "leaders" and
   takes over the pending entries of a leader that died (XAUTOCLAIM,
   idle for a lease). Exactly once: before the PUT the leader records
   the request's idempotency key as in flight (SET NX, fenced by its
   lease); a key already there means an earlier leader may have done the
   PUT (the caller looks at the order first), "posted" that the outcome
   went out already. The outcome goes to the origin's stream
   PREFIX:node:{NODE}:outcomes, in one fenced script with the XACK. */
#include "cluster-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUP "leaders"
#define OUTCOMES_MAXLEN "10000"

static bool clean_name(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch == 0x7f || ch == '/' || ch == '{' ||
		    ch == '}')
			return false;
	}
	return true;
}

static void outcomes_key(const struct shoper_cluster *c, const char *node,
			 char *buf, size_t size)
{
	snprintf(buf, size, "%s:node:{%s}:outcomes", c->cfg.key_prefix, node);
}

static redisReply *run(struct shoper_cluster *c, int argc, const char **argv,
		       const size_t *lens, struct shoper_error *err)
{
	size_t l[24];

	for (int i = 0; i < argc; i++)
		l[i] = lens != NULL && lens[i] != 0 ? lens[i] : strlen(argv[i]);
	redisReply *rep = cluster_command(c, argc, argv, l, err);
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR) {
		shoper_error_set(err, "Redis %s: %s: %s", c->server, argv[0],
				 rep->str);
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

int shoper_cluster_request_add(struct shoper_cluster *c, const char *shop,
			       const char *key, const char *req, size_t len,
			       struct shoper_error *err)
{
	char skey[256];

	if (strncmp(key, c->cfg.node, strlen(c->cfg.node)) != 0 ||
	    key[strlen(c->cfg.node)] != '/') {
		shoper_error_set(err, "idempotency key %s is not this node's",
				 key);
		return -1;
	}
	cluster_key(c, shop, "status", skey, sizeof(skey));
	const char *argv[] = {"XADD", skey, "*",   "origin", c->cfg.node,
			      "key",  key,  "req", req};
	size_t lens[] = {0, 0, 0, 0, 0, 0, 0, 0, len};
	redisReply *rep = run(c, 9, argv, lens, err);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* One stream entry as a request; r->bad says what is wrong with it. */
static void to_request(const redisReply *e, struct shoper_cluster_request *r)
{
	memset(r, 0, sizeof(*r));
	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
	    e->element[0]->type != REDIS_REPLY_STRING) {
		r->bad = "not a stream entry";
		return;
	}
	snprintf(r->id, sizeof(r->id), "%s", e->element[0]->str);
	const redisReply *f = e->element[1];
	if (f->type != REDIS_REPLY_ARRAY) {
		r->bad = "the entry was deleted";
		return;
	}
	for (size_t i = 0; i + 1 < f->elements; i += 2) {
		const char *name = f->element[i]->str;
		const redisReply *v = f->element[i + 1];
		if (strcmp(name, "origin") == 0 && r->origin == NULL)
			r->origin = v->str;
		else if (strcmp(name, "key") == 0 && r->key == NULL)
			r->key = v->str;
		else if (strcmp(name, "req") == 0 && r->req == NULL) {
			r->req = v->str;
			r->req_len = v->len;
		}
	}
	if (r->origin == NULL || r->key == NULL || r->req == NULL)
		r->bad = "origin, key or req missing";
	else if (!clean_name(r->origin, strlen(r->origin), 63))
		r->bad = "not a node name as origin";
	else if (strncmp(r->key, r->origin, strlen(r->origin)) != 0 ||
		 r->key[strlen(r->origin)] != '/' || strlen(r->key) > 400)
		r->bad = "the idempotency key is not the origin's";
}

static int deliver(const redisReply *entries, shoper_request_cb *cb, void *ctx,
		   int *n)
{
	struct shoper_cluster_request r;

	if (entries == NULL || entries->type != REDIS_REPLY_ARRAY)
		return 0;
	for (size_t i = 0; i < entries->elements; i++) {
		to_request(entries->element[i], &r);
		if (r.id[0] == '\0')
			continue;
		(*n)++;
		if (cb(ctx, &r) < 0)
			return -1;
	}
	return 0;
}

static int ensure_group(struct shoper_cluster *c, const char *skey,
			struct shoper_error *err)
{
	/* from 0: what origins added before any leader read is kept */
	const char *argv[] = {"XGROUP", "CREATE", skey, GROUP, "0", "MKSTREAM"};
	size_t lens[6];

	for (int i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	redisReply *rep = cluster_command(c, 6, argv, lens, err);
	if (rep == NULL)
		return -1;
	int ret = 0;
	if (rep->type == REDIS_REPLY_ERROR &&
	    strncmp(rep->str, "BUSYGROUP", 9) != 0) {
		shoper_error_set(err, "Redis %s: XGROUP: %s", c->server,
				 rep->str);
		ret = -1;
	}
	freeReplyObject(rep);
	return ret;
}

/* XREADGROUP from id ("0": this consumer's pending, ">": new). */
static int read_group(struct shoper_cluster *c, const char *skey,
		      const char *id, const char *count, shoper_request_cb *cb,
		      void *ctx, int *n, struct shoper_error *err)
{
	const char *argv[] = {"XREADGROUP", "GROUP", GROUP,
			      c->cfg.node,  "COUNT", count,
			      "STREAMS",    skey,    id};
	redisReply *rep = run(c, 9, argv, NULL, err);

	if (rep == NULL)
		return -1;
	int ret = 0;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 1 &&
	    rep->element[0]->elements == 2)
		ret = deliver(rep->element[0]->element[1], cb, ctx, n);
	freeReplyObject(rep);
	return ret;
}

int shoper_cluster_requests_read(struct shoper_cluster *c,
				 const struct shoper_lease *l,
				 unsigned int count, unsigned int min_idle_ms,
				 shoper_request_cb *cb, void *ctx,
				 struct shoper_error *err)
{
	char skey[256], cnt[16], idle[24];
	int n = 0;

	cluster_key(c, l->shop, "status", skey, sizeof(skey));
	snprintf(cnt, sizeof(cnt), "%u", count);
	if (ensure_group(c, skey, err) < 0 ||
	    read_group(c, skey, "0", cnt, cb, ctx, &n, err) < 0)
		return -1;
	/* a dead leader's: idle so long that its lease and any call it
	   had in flight are over */
	snprintf(idle, sizeof(idle), "%u", min_idle_ms);
	const char *argv[] = {"XAUTOCLAIM", skey, GROUP,   c->cfg.node,
			      idle,         "0",  "COUNT", cnt};
	redisReply *rep = run(c, 8, argv, NULL, err);
	if (rep == NULL)
		return -1;
	int ret = 0;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2)
		ret = deliver(rep->element[1], cb, ctx, &n);
	freeReplyObject(rep);
	if (ret < 0 || read_group(c, skey, ">", cnt, cb, ctx, &n, err) < 0)
		return -1;
	return n;
}

/* KEYS lease, inflight; ARGV holder, ttl. */
static const char begin_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end\n"
	"local v = redis.call('GET', KEYS[2])\n"
	"if v == 'posted' then return 2 end\n"
	"if v then return 0 end\n"
	"redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])\n"
	"return 1\n";

static void inflight_key(struct shoper_cluster *c, const char *shop,
			 const char *key, char *buf, size_t size)
{
	char what[480];

	snprintf(what, sizeof(what), "status:key:%s", key);
	cluster_key(c, shop, what, buf, size);
}

static void holder_of(const struct shoper_cluster *c,
		      const struct shoper_lease *l, char *buf, size_t size)
{
	snprintf(buf, size, "%s %llu", c->cfg.node,
		 (unsigned long long)l->token);
}

int shoper_cluster_request_begin(struct shoper_cluster *c,
				 struct shoper_lease *l, const char *key,
				 unsigned int ttl_s, struct shoper_error *err)
{
	char lkey[256], ikey[800], holder[160], ttl[24];

	if (l->token == 0)
		return SHOPER_REQUEST_FENCED;
	cluster_key(c, l->shop, "lease", lkey, sizeof(lkey));
	inflight_key(c, l->shop, key, ikey, sizeof(ikey));
	holder_of(c, l, holder, sizeof(holder));
	snprintf(ttl, sizeof(ttl), "%llu", (unsigned long long)ttl_s * 1000);
	const char *argv[] = {"EVAL", begin_lua, "2", lkey, ikey, holder, ttl};
	redisReply *rep = run(c, 7, argv, NULL, err);
	if (rep == NULL)
		return -1;
	int ret = rep->type == REDIS_REPLY_INTEGER ? (int)rep->integer : -9;
	freeReplyObject(rep);
	if (ret == -9) {
		shoper_error_set(err, "Redis %s: unexpected reply to SET NX",
				 c->server);
		return -1;
	}
	if (ret == -1) {
		l->token = 0; /* another node leads now */
		return SHOPER_REQUEST_FENCED;
	}
	return ret == 1   ? SHOPER_REQUEST_NEW
	       : ret == 2 ? SHOPER_REQUEST_POSTED
			  : SHOPER_REQUEST_REPLAY;
}

/* KEYS lease, inflight, status stream, outcomes; ARGV holder, entry id,
   ttl ms, maxlen, then the outcome's field/value pairs. */
static const char finish_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n"
	"local a = {'XADD', KEYS[4], 'MAXLEN', '~', ARGV[4], '*'}\n"
	"for i = 5, #ARGV do a[#a+1] = ARGV[i] end\n"
	"redis.call(unpack(a))\n"
	"redis.call('SET', KEYS[2], 'posted', 'PX', ARGV[3])\n"
	"redis.call('XACK', KEYS[3], 'leaders', ARGV[2])\n"
	"redis.call('XDEL', KEYS[3], ARGV[2])\n"
	"return 1\n";

int shoper_cluster_request_finish(struct shoper_cluster *c,
				  struct shoper_lease *l,
				  const struct shoper_cluster_request *r,
				  const struct shoper_cluster_outcome *o,
				  unsigned int ttl_s, struct shoper_error *err)
{
	char lkey[256], ikey[800], skey[256], okey[256], holder[160], ttl[24];

	if (l->token == 0)
		return 0;
	cluster_key(c, l->shop, "lease", lkey, sizeof(lkey));
	inflight_key(c, l->shop, r->key, ikey, sizeof(ikey));
	cluster_key(c, l->shop, "status", skey, sizeof(skey));
	outcomes_key(c, r->origin, okey, sizeof(okey));
	holder_of(c, l, holder, sizeof(holder));
	snprintf(ttl, sizeof(ttl), "%llu", (unsigned long long)ttl_s * 1000);
	const char *argv[] = {"EVAL",
			      finish_lua,
			      "4",
			      lkey,
			      ikey,
			      skey,
			      okey,
			      holder,
			      r->id,
			      ttl,
			      OUTCOMES_MAXLEN,
			      "key",
			      r->key,
			      "result",
			      o->done ? "done" : "failed",
			      "by",
			      o->by_shop ? "shop" : "shoper-sync",
			      "reason",
			      o->reason,
			      "status_name",
			      o->status_name,
			      "req",
			      r->req};
	size_t lens[23] = {0};
	lens[22] = r->req_len;
	redisReply *rep = run(c, 23, argv, lens, err);
	if (rep == NULL)
		return -1;
	int ret = rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
	freeReplyObject(rep);
	if (!ret)
		l->token = 0;
	return ret;
}

int shoper_cluster_request_drop(struct shoper_cluster *c, const char *shop,
				const char *id, struct shoper_error *err)
{
	char skey[256];

	cluster_key(c, shop, "status", skey, sizeof(skey));
	const char *a1[] = {"XACK", skey, GROUP, id};
	redisReply *rep = run(c, 4, a1, NULL, err);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	const char *a2[] = {"XDEL", skey, id};
	rep = run(c, 3, a2, NULL, err);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* One outcome entry; o->bad says what is wrong with it. */
static void to_outcome(const struct shoper_cluster *c, const redisReply *f,
		       struct shoper_cluster_outcome *o)
{
	const char *result = NULL, *by = NULL;
	size_t n = strlen(c->cfg.node);

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; f->type == REDIS_REPLY_ARRAY && i + 1 < f->elements;
	     i += 2) {
		const char *name = f->element[i]->str,
			   *v = f->element[i + 1]->str;
		if (strcmp(name, "key") == 0)
			o->key = v;
		else if (strcmp(name, "result") == 0)
			result = v;
		else if (strcmp(name, "by") == 0)
			by = v;
		else if (strcmp(name, "reason") == 0)
			o->reason = v;
		else if (strcmp(name, "status_name") == 0)
			o->status_name = v;
		else if (strcmp(name, "req") == 0) {
			o->req = v;
			o->req_len = f->element[i + 1]->len;
		}
	}
	if (o->key == NULL || result == NULL || by == NULL ||
	    o->reason == NULL || o->status_name == NULL || o->req == NULL)
		o->bad = "a field is missing";
	else if (strncmp(o->key, c->cfg.node, n) != 0 || o->key[n] != '/')
		o->bad = "the idempotency key is not this node's";
	else if (strcmp(result, "done") != 0 && strcmp(result, "failed") != 0)
		o->bad = "no result";
	o->done = result != NULL && strcmp(result, "done") == 0;
	o->by_shop = by != NULL && strcmp(by, "shop") == 0;
}

int shoper_cluster_outcomes_read(struct shoper_cluster *c,
				 shoper_outcome_cb *cb, void *ctx,
				 struct shoper_error *err)
{
	char okey[256];
	struct shoper_cluster_outcome o;
	int n = 0;

	outcomes_key(c, c->cfg.node, okey, sizeof(okey));
	const char *argv[] = {"XRANGE", okey, "-", "+", "COUNT", "50"};
	redisReply *rep = run(c, 6, argv, NULL, err);
	if (rep == NULL)
		return -1;
	for (size_t i = 0; rep->type == REDIS_REPLY_ARRAY && i < rep->elements;
	     i++) {
		const redisReply *e = rep->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
			continue;
		to_outcome(c, e->element[1], &o);
		int ret = cb(ctx, e->element[0]->str, &o);
		if (ret < 0) {
			n = -1;
			break;
		}
		/* handled (or garbled): gone, so it is handled once */
		const char *d[] = {"XDEL", okey, e->element[0]->str};
		redisReply *dr = run(c, 3, d, NULL, err);
		if (dr == NULL) {
			n = -1;
			break;
		}
		freeReplyObject(dr);
		n++;
	}
	freeReplyObject(rep);
	return n;
}

int shoper_cluster_requests_count(struct shoper_cluster *c, const char *shop,
				  long long *waiting_r, long long *pending_r,
				  struct shoper_error *err)
{
	char skey[256];

	cluster_key(c, shop, "status", skey, sizeof(skey));
	*waiting_r = *pending_r = 0;
	const char *a1[] = {"XLEN", skey};
	redisReply *rep = run(c, 2, a1, NULL, err);
	if (rep == NULL)
		return -1;
	*waiting_r = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0;
	freeReplyObject(rep);
	const char *a2[] = {"XPENDING", skey, GROUP};
	size_t lens[3] = {strlen(a2[0]), strlen(skey), strlen(GROUP)};
	rep = cluster_command(c, 3, a2, lens, err);
	if (rep == NULL)
		return -1;
	/* no group yet (an error reply): nothing pending */
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 1 &&
	    rep->element[0]->type == REDIS_REPLY_INTEGER)
		*pending_r = rep->element[0]->integer;
	freeReplyObject(rep);
	return 0;
}
