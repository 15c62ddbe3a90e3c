/* A shop's change stream and snapshot. The leader's script writes each
   batch to the snapshot hash (order id -> encoded order) and as one
   stream entry that names the entry before it (_prev), and records the
   entry as the snapshot's head, all at once and only while the writer
   holds the lease. A node loads hash and head in one MULTI, then reads
   the stream after the head; an entry whose _prev is not the one it
   applied last means it missed trimmed entries: it loads the snapshot
   again. */
#include "cluster-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* entries kept in the stream (about): a node further behind reloads */
#define STREAM_MAXLEN "1000"

/* KEYS lease, orders, changes, head, statuses; ARGV holder, maxlen,
   then pairs of order id and encoded order ("": deleted), or of
   _statuses and the shop's statuses. {id, prev}, or 0 fenced. */
static const char publish_lua[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n"
	"local prev = redis.call('GET', KEYS[4]) or '0-0'\n"
	"local a = {'XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*',\n"
	"  '_prev', prev, '_tok', ARGV[1]}\n"
	"for i = 3, #ARGV, 2 do\n"
	"  if ARGV[i] == '_statuses' then redis.call('SET', KEYS[5], ARGV[i+1])\n"
	"  elseif ARGV[i+1] == '' then redis.call('HDEL', KEYS[2], ARGV[i])\n"
	"  else redis.call('HSET', KEYS[2], ARGV[i], ARGV[i+1]) end\n"
	"  a[#a+1] = ARGV[i]; a[#a+1] = ARGV[i+1]\n"
	"end\n"
	"local id = redis.call(unpack(a))\n"
	"redis.call('SET', KEYS[4], id)\n"
	"return {id, prev}\n";

static int publish_batch(struct shoper_cluster *c, struct shoper_lease *l,
			 struct shoper_replica *r,
			 const struct shoper_change *ch, unsigned int n,
			 struct shoper_error *err)
{
	unsigned int argc = 10 + 2 * n;
	const char **argv = calloc(argc, sizeof(*argv));
	size_t *lens = calloc(argc, sizeof(*lens));
	char keys[5][256], holder[160];
	int ret = -1;

	if (argv == NULL || lens == NULL) {
		shoper_error_set(err, "out of memory");
		goto out;
	}
	snprintf(holder, sizeof(holder), "%s %llu", c->cfg.node,
		 (unsigned long long)l->token);
	cluster_key(c, l->shop, "lease", keys[0], sizeof(keys[0]));
	cluster_key(c, l->shop, "orders", keys[1], sizeof(keys[1]));
	cluster_key(c, l->shop, "changes", keys[2], sizeof(keys[2]));
	cluster_key(c, l->shop, "head", keys[3], sizeof(keys[3]));
	cluster_key(c, l->shop, "statuses", keys[4], sizeof(keys[4]));
	const char *head[] = {"EVAL",  publish_lua,  "5",     keys[0],
			      keys[1], keys[2],      keys[3], keys[4],
			      holder,  STREAM_MAXLEN};
	for (unsigned int i = 0; i < 10; i++) {
		argv[i] = head[i];
		lens[i] = strlen(head[i]);
	}
	for (unsigned int i = 0; i < n; i++) {
		argv[10 + 2 * i] = ch[i].order_id;
		lens[10 + 2 * i] = strlen(ch[i].order_id);
		argv[11 + 2 * i] = ch[i].data != NULL ? ch[i].data : "";
		lens[11 + 2 * i] = ch[i].data != NULL ? ch[i].len : 0;
	}
	redisReply *rep = cluster_command(c, (int)argc, argv, lens, err);
	if (rep == NULL)
		goto out;
	if (rep->type == REDIS_REPLY_INTEGER) {
		/* fenced: another node holds the lease */
		l->token = 0;
		l->stop_at = 0;
		ret = 0;
	} else if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2) {
		for (unsigned int i = 0; i < n; i++) {
			if (shoper_replica_put(r, ch[i].order_id, ch[i].data,
					       ch[i].len) < 0)
				r->stream_id[0] = '\0';
		}
		/* the replica follows the stream only when nothing came
		   between (else the next pull re-applies: no harm) */
		if (strcmp(rep->element[1]->str, r->stream_id) == 0)
			cluster_replica_set_stream_id(r, rep->element[0]->str);
		ret = 1;
	} else {
		shoper_error_set(
			err, "Redis %s: %s", c->server,
			rep->type == REDIS_REPLY_ERROR
				? rep->str
				: "unexpected reply to the change script");
	}
	freeReplyObject(rep);
out:
	free(argv);
	free(lens);
	return ret;
}

int shoper_cluster_publish(struct shoper_cluster *c, struct shoper_lease *l,
			   struct shoper_replica *r,
			   const struct shoper_change *changes, unsigned int n,
			   struct shoper_error *err)
{
	if (l->token == 0)
		return 0;
	for (unsigned int i = 0; i < n; i += SHOPER_CLUSTER_BATCH) {
		unsigned int m = n - i < SHOPER_CLUSTER_BATCH
					 ? n - i
					 : SHOPER_CLUSTER_BATCH;
		int ret = publish_batch(c, l, r, changes + i, m, err);
		if (ret <= 0)
			return ret;
	}
	return 1;
}

int shoper_cluster_publish_statuses(struct shoper_cluster *c,
				    struct shoper_lease *l,
				    struct shoper_replica *r, const char *data,
				    size_t len, struct shoper_error *err)
{
	struct shoper_change ch = {SHOPER_CLUSTER_STATUSES, data, len};

	return shoper_cluster_publish(c, l, r, &ch, 1, err);
}

static int simple(struct shoper_cluster *c, const char *cmd,
		  struct shoper_error *err)
{
	const char *argv[1] = {cmd};
	size_t lens[1] = {strlen(cmd)};
	redisReply *rep = cluster_command(c, 1, argv, lens, err);

	if (rep == NULL)
		return -1;
	int ret = rep->type == REDIS_REPLY_ERROR ? -1 : 0;
	if (ret < 0)
		shoper_error_set(err, "Redis %s: %s: %s", c->server, cmd,
				 rep->str);
	freeReplyObject(rep);
	return ret;
}

static int load_snapshot(struct shoper_cluster *c, struct shoper_replica *r,
			 struct shoper_error *err)
{
	char k_orders[256], k_head[256], k_st[256];
	const char *a1[2] = {"HGETALL", k_orders}, *a2[2] = {"GET", k_head};
	const char *a3[2] = {"GET", k_st};
	size_t l1[2], l2[2], l3[2];

	cluster_key(c, r->shop, "orders", k_orders, sizeof(k_orders));
	cluster_key(c, r->shop, "head", k_head, sizeof(k_head));
	cluster_key(c, r->shop, "statuses", k_st, sizeof(k_st));
	l1[0] = 7;
	l1[1] = strlen(k_orders);
	l2[0] = 3;
	l2[1] = strlen(k_head);
	l3[0] = 3;
	l3[1] = strlen(k_st);
	if (simple(c, "MULTI", err) < 0)
		return -1;
	freeReplyObject(cluster_command(c, 2, a1, l1, err));
	freeReplyObject(cluster_command(c, 2, a2, l2, err));
	freeReplyObject(cluster_command(c, 2, a3, l3, err));
	const char *ex[1] = {"EXEC"};
	size_t exl[1] = {4};
	redisReply *rep = cluster_command(c, 1, ex, exl, err);
	if (rep == NULL)
		return -1;
	int ret = -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
	    rep->element[0]->type != REDIS_REPLY_ARRAY) {
		shoper_error_set(err, "Redis %s: the snapshot of %s: %s",
				 c->server, r->shop,
				 rep->type == REDIS_REPLY_ERROR
					 ? rep->str
					 : "unexpected reply");
		goto out;
	}
	/* no head: the shop was never written (or Redis lost its data):
	   nothing to load, what the node has stays */
	ret = 0;
	if (rep->element[1]->type != REDIS_REPLY_STRING)
		goto out;
	ret = -1;
	shoper_replica_clear(r);
	redisReply *h = rep->element[0];
	for (size_t i = 0; i + 1 < h->elements; i += 2) {
		if (shoper_replica_put(r, h->element[i]->str,
				       h->element[i + 1]->str,
				       h->element[i + 1]->len) < 0) {
			shoper_error_set(err, "out of memory");
			shoper_replica_clear(r);
			goto out;
		}
	}
	if (rep->element[2]->type == REDIS_REPLY_STRING &&
	    shoper_replica_put(r, SHOPER_CLUSTER_STATUSES, rep->element[2]->str,
			       rep->element[2]->len) < 0) {
		shoper_error_set(err, "out of memory");
		shoper_replica_clear(r);
		goto out;
	}
	cluster_replica_set_stream_id(r, rep->element[1]->str);
	ret = 1;
out:
	freeReplyObject(rep);
	return ret;
}

static double entry_lag(const char *id)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	double now = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
	double lag = now - strtod(id, NULL);
	return lag > 0 ? lag : 0;
}

/* One entry: 1 applied, 0 a gap (reload), -1 error */
static int apply_entry(struct shoper_replica *r, const redisReply *e,
		       shoper_pull_cb *cb, void *ctx, struct shoper_pull *res,
		       struct shoper_error *err)
{
	const redisReply *id = e->element[0], *f = e->element[1];

	if (f->elements < 4 || strcmp(f->element[0]->str, "_prev") != 0)
		return 0;
	if (strcmp(f->element[1]->str, r->stream_id) != 0)
		return 0;
	for (size_t i = 4; i + 1 < f->elements; i += 2) {
		struct shoper_change ch = {f->element[i]->str,
					   f->element[i + 1]->str,
					   f->element[i + 1]->len};
		if (ch.len == 0)
			ch.data = NULL;
		int ret = shoper_replica_put(r, ch.order_id, ch.data, ch.len);
		if (ret < 0) {
			shoper_error_set(err, "out of memory");
			return -1;
		}
		if (ret > 0 &&
		    strcmp(ch.order_id, SHOPER_CLUSTER_STATUSES) == 0) {
			res->statuses = true;
		} else if (ret > 0) {
			res->changes++;
			if (cb != NULL && cb(ctx, &ch) < 0) {
				shoper_error_set(err, "applying %s: failed",
						 r->shop);
				return -1;
			}
		}
	}
	cluster_replica_set_stream_id(r, id->str);
	res->entries++;
	res->lag_ms = entry_lag(id->str);
	return 1;
}

static redisReply *xread(struct shoper_cluster *c, struct shoper_replica *r,
			 unsigned int block_ms, struct shoper_error *err)
{
	char key[256], ms[16];
	const char *argv[8];
	size_t lens[8];
	int n = 0;

	cluster_key(c, r->shop, "changes", key, sizeof(key));
	snprintf(ms, sizeof(ms), "%u", block_ms);
	argv[n++] = "XREAD";
	argv[n++] = "COUNT";
	argv[n++] = "100";
	if (block_ms > 0) {
		argv[n++] = "BLOCK";
		argv[n++] = ms;
	}
	argv[n++] = "STREAMS";
	argv[n++] = key;
	argv[n++] = r->stream_id;
	for (int i = 0; i < n; i++)
		lens[i] = strlen(argv[i]);
	return cluster_command(c, n, argv, lens, err);
}

int shoper_cluster_pull(struct shoper_cluster *c, struct shoper_replica *r,
			unsigned int block_ms, shoper_pull_cb *cb, void *ctx,
			struct shoper_pull *res, struct shoper_error *err)
{
	memset(res, 0, sizeof(*res));
	for (int round = 0; round < 2; round++) {
		if (r->stream_id[0] == '\0') {
			int ret = load_snapshot(c, r, err);
			if (ret <= 0)
				return ret;
			res->snapshot = true;
			res->statuses = true;
			if (cb != NULL && cb(ctx, NULL) < 0)
				return -1;
		}
		redisReply *rep = xread(c, r, block_ms, err);
		if (rep == NULL)
			return -1;
		if (rep->type == REDIS_REPLY_NIL) {
			freeReplyObject(rep);
			return 0;
		}
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 1) {
			shoper_error_set(err, "Redis %s: XREAD: %s", c->server,
					 rep->type == REDIS_REPLY_ERROR
						 ? rep->str
						 : "unexpected reply");
			freeReplyObject(rep);
			return -1;
		}
		const redisReply *entries = rep->element[0]->element[1];
		int ret = 1;
		for (size_t i = 0; i < entries->elements && ret > 0; i++)
			ret = apply_entry(r, entries->element[i], cb, ctx, res,
					  err);
		freeReplyObject(rep);
		if (ret < 0)
			return -1;
		if (ret > 0)
			return 0;
		/* missed entries: the snapshot again */
		r->stream_id[0] = '\0';
		block_ms = 0;
	}
	return 0;
}
