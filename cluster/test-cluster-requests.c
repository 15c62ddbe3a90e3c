/* Status requests across backends against a real redis-server: a
   request from one node reaches the shop's leader through the consumer
   group and its outcome comes back to the origin once; a new leader
   takes a dead leader's pending entry after a lease and sees it as a
   replay (SET NX); a request added twice (the origin died before it
   removed its file) is carried out once; a late leader is fenced; a
   forged or garbled entry is refused. */
#include "cluster-private.h"
#include "test-redis.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEASE 600
#define TTL 3600

struct seen {
	int n, bad;
	char id[48], key[400], req[200], why[100];
};

static int on_request(void *ctx, const struct shoper_cluster_request *r)
{
	struct seen *s = ctx;

	s->n++;
	snprintf(s->id, sizeof(s->id), "%s", r->id);
	if (r->bad != NULL) {
		s->bad++;
		snprintf(s->why, sizeof(s->why), "%s", r->bad);
		return 0;
	}
	snprintf(s->key, sizeof(s->key), "%s", r->key);
	snprintf(s->req, sizeof(s->req), "%.*s", (int)r->req_len, r->req);
	return 0;
}

struct outs {
	int n, bad, done;
	char key[400], reason[100], req[200];
};

static int on_outcome(void *ctx, const char *id,
		      const struct shoper_cluster_outcome *o)
{
	struct outs *s = ctx;

	(void)id;
	s->n++;
	if (o->bad != NULL) {
		s->bad++;
		return 0;
	}
	s->done += o->done;
	snprintf(s->key, sizeof(s->key), "%s", o->key);
	snprintf(s->reason, sizeof(s->reason), "%s", o->reason);
	snprintf(s->req, sizeof(s->req), "%.*s", (int)o->req_len, o->req);
	return 0;
}

/* Reads the shop's stream as l's holder once; the entry is kept in r. */
static int read_one(struct shoper_cluster *c, struct shoper_lease *l,
		    struct seen *s)
{
	struct shoper_error err;

	memset(s, 0, sizeof(*s));
	return shoper_cluster_requests_read(c, l, 10, LEASE, on_request, s,
					    &err);
}

static void finish(struct shoper_cluster *c, struct shoper_lease *l,
		   const struct seen *s, bool done, int expect)
{
	struct shoper_cluster_request r = {.origin = "node-a",
					   .key = s->key,
					   .req = s->req,
					   .req_len = strlen(s->req)};
	struct shoper_cluster_outcome o = {.done = done,
					   .reason = done ? "" : "locked",
					   .status_name = "Wysłane"};
	struct shoper_error err;

	snprintf(r.id, sizeof(r.id), "%s", s->id);
	ok(shoper_cluster_request_finish(c, l, &r, &o, TTL, &err) == expect,
	   "finish of %s gives %d", s->key, expect);
}

static void test_path(struct shoper_cluster *a, struct shoper_cluster *b)
{
	struct shoper_lease lb = {.shop = "s1"};
	struct shoper_error err;
	struct seen s;
	struct outs o = {0};
	long long waiting, pending;

	ok(shoper_cluster_request_add(a, "s1", "node-b/x", "r", 1, &err) < 0,
	   "a node cannot add under another node's key");
	ok(shoper_cluster_request_add(a, "s1", "node-a/73313.42.req/100",
				      "REQ42", 5, &err) == 0,
	   "the origin adds its request");
	ok(shoper_lease_acquire(b, &lb, &err) == 1, "b leads s1");
	ok(read_one(b, &lb, &s) == 1 && s.bad == 0, "the leader reads it");
	ok(strcmp(s.key, "node-a/73313.42.req/100") == 0 &&
		   strcmp(s.req, "REQ42") == 0,
	   "with its key and request (%s)", s.key);
	ok(shoper_cluster_requests_count(b, "s1", &waiting, &pending, &err) ==
			   0 &&
		   waiting == 1 && pending == 1,
	   "one entry, pending (%lld, %lld)", waiting, pending);
	ok(shoper_cluster_request_begin(b, &lb, s.key, TTL, &err) ==
		   SHOPER_REQUEST_NEW,
	   "in flight now");
	ok(read_one(b, &lb, &s) == 1, "until finished it is b's pending entry");
	finish(b, &lb, &s, false, 1);
	ok(shoper_cluster_requests_count(b, "s1", &waiting, &pending, &err) ==
			   0 &&
		   waiting == 0 && pending == 0,
	   "finished: nothing waits, nothing pending");
	ok(shoper_cluster_outcomes_read(a, on_outcome, &o, &err) == 1 &&
		   o.bad == 0 && o.done == 0 &&
		   strcmp(o.reason, "locked") == 0 &&
		   strcmp(o.req, "REQ42") == 0,
	   "the origin gets the refusal with the request");
	memset(&o, 0, sizeof(o));
	ok(shoper_cluster_outcomes_read(a, on_outcome, &o, &err) == 0, "once");
	ok(shoper_cluster_outcomes_read(b, on_outcome, &o, &err) == 0,
	   "and no other node gets it");

	/* the origin died after the XADD, before removing its file: the
	   same request again */
	ok(shoper_cluster_request_add(a, "s1", "node-a/73313.42.req/100",
				      "REQ42", 5, &err) == 0,
	   "the same request is added again");
	ok(read_one(b, &lb, &s) == 1, "read");
	ok(shoper_cluster_request_begin(b, &lb, s.key, TTL, &err) ==
		   SHOPER_REQUEST_POSTED,
	   "its key says the outcome was posted");
	ok(shoper_cluster_request_drop(b, "s1", s.id, &err) == 0 &&
		   read_one(b, &lb, &s) == 0,
	   "dropped");
	ok(shoper_cluster_outcomes_read(a, on_outcome, &o, &err) == 0,
	   "no second outcome");
	shoper_lease_release(b, &lb);
}

/* b dies holding the entry: c leads after b's lease, claims the entry
   when it has been idle for a lease, and sees it may have been done. */
static void test_takeover(struct shoper_cluster *a, struct shoper_cluster *b,
			  struct shoper_cluster *c)
{
	struct shoper_lease lb = {.shop = "s2"}, lc = {.shop = "s2"};
	struct shoper_error err;
	struct seen s;
	struct outs o = {0};

	ok(shoper_cluster_request_add(a, "s2", "node-a/73323.7.req/200", "REQ7",
				      4, &err) == 0,
	   "a request for s2");
	ok(shoper_lease_acquire(b, &lb, &err) == 1 && read_one(b, &lb, &s) == 1,
	   "b leads s2 and reads it");
	ok(shoper_cluster_request_begin(b, &lb, s.key, TTL, &err) ==
		   SHOPER_REQUEST_NEW,
	   "b begins it (and dies)");
	test_sleep_ms(LEASE + 100);
	ok(shoper_lease_acquire(c, &lc, &err) == 1,
	   "c leads s2 after b's lease");
	ok(read_one(c, &lc, &s) == 1 && strcmp(s.req, "REQ7") == 0,
	   "c claims b's pending entry");
	ok(shoper_cluster_request_begin(c, &lc, s.key, TTL, &err) ==
		   SHOPER_REQUEST_REPLAY,
	   "as a replay: b may have done the PUT");
	ok(shoper_cluster_request_begin(b, &lb, s.key, TTL, &err) ==
		   SHOPER_REQUEST_FENCED,
	   "b, back late, is fenced");
	finish(b, &lb, &s, true, 0);
	finish(c, &lc, &s, true, 1);
	ok(shoper_cluster_outcomes_read(a, on_outcome, &o, &err) == 1 &&
		   o.done == 1 && strcmp(o.key, "node-a/73323.7.req/200") == 0,
	   "the origin gets one outcome: done");
	shoper_lease_release(c, &lc);
}

static void xadd_raw(struct shoper_cluster *c, const char *key,
		     const char **fields, int n)
{
	const char *argv[16] = {"XADD", key, "*"};
	size_t lens[16];
	struct shoper_error err;

	for (int i = 0; i < n; i++)
		argv[3 + i] = fields[i];
	for (int i = 0; i < 3 + n; i++)
		lens[i] = strlen(argv[i]);
	freeReplyObject(cluster_command(c, 3 + n, argv, lens, &err));
}

static void test_forged(struct shoper_cluster *a, struct shoper_cluster *b)
{
	struct shoper_lease lb = {.shop = "s3"};
	struct shoper_error err;
	struct seen s;
	struct outs o = {0};
	char key[256];
	const char *no_req[] = {"origin", "node-a", "key", "node-a/1/1"};
	const char *other[] = {"origin",     "node-a", "key",
			       "node-c/1/1", "req",    "R"};
	const char *odd[] = {"origin", "no de", "key", "no de/1/1", "req", "R"};

	cluster_key(a, "s3", "status", key, sizeof(key));
	xadd_raw(a, key, no_req, 4);
	ok(shoper_lease_acquire(b, &lb, &err) == 1 &&
		   read_one(b, &lb, &s) == 1 && s.bad == 1,
	   "an entry without a request is refused (%s)", s.why);
	shoper_cluster_request_drop(b, "s3", s.id, &err);
	xadd_raw(a, key, other, 6);
	ok(read_one(b, &lb, &s) == 1 && s.bad == 1,
	   "a key of another node than the origin is refused (%s)", s.why);
	shoper_cluster_request_drop(b, "s3", s.id, &err);
	xadd_raw(a, key, odd, 6);
	ok(read_one(b, &lb, &s) == 1 && s.bad == 1,
	   "an origin that is no node name is refused (%s)", s.why);
	shoper_cluster_request_drop(b, "s3", s.id, &err);
	ok(read_one(b, &lb, &s) == 0, "all dropped");

	const char *forged[] = {"key",         "node-b/1/1", "result", "done",
				"by",          "shop",       "reason", "",
				"status_name", "x",          "req",    "R"};
	const char *garbled[] = {"key", "node-a/1/1", "result", "maybe"};
	snprintf(key, sizeof(key), "shoper:node:{node-a}:outcomes");
	xadd_raw(a, key, forged, 12);
	xadd_raw(a, key, garbled, 4);
	ok(shoper_cluster_outcomes_read(a, on_outcome, &o, &err) == 2 &&
		   o.bad == 2,
	   "outcomes with another node's key or no result are refused");
	shoper_lease_release(b, &lb);
}

int main(void)
{
	struct test_redis t = {0};
	struct shoper_cluster_config cfg;
	struct shoper_error err;

	if (test_redis_start(&t) < 0) {
		printf("# redis-server not startable\n");
		return tap_done();
	}
	test_redis_config(&t, "node-a", LEASE, &cfg);
	struct shoper_cluster *a = shoper_cluster_connect(&cfg, &err);
	test_redis_config(&t, "node-b", LEASE, &cfg);
	struct shoper_cluster *b = shoper_cluster_connect(&cfg, &err);
	test_redis_config(&t, "node-c", LEASE, &cfg);
	struct shoper_cluster *c = shoper_cluster_connect(&cfg, &err);
	ok(a != NULL && b != NULL && c != NULL, "three nodes connect");
	if (a != NULL && b != NULL && c != NULL) {
		test_path(a, b);
		test_takeover(a, b, c);
		test_forged(a, b);
	}
	shoper_cluster_free(&a);
	shoper_cluster_free(&b);
	shoper_cluster_free(&c);
	test_redis_stop(&t);
	return tap_done();
}
