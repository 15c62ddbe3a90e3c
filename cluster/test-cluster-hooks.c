/* The webhook hand-over stream against a real redis-server: a follower's
   order ids reach the leader without duplicates, long lists are split,
   an entry that is no list of ids is dropped (counted), only the lease
   holder deletes what it read, the stream stays bounded, and a hand-over
   to a Redis that is gone fails at once (the node keeps the hint). */
#include "cluster-private.h"
#include "test-redis.h"
#include "tap.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static unsigned int xlen(struct shoper_cluster *c, const char *shop)
{
	char key[256];
	struct shoper_error err;

	cluster_key(c, shop, "hooks", key, sizeof(key));
	const char *argv[] = {"XLEN", key};
	size_t lens[] = {4, strlen(key)};
	redisReply *rep = cluster_command(c, 2, argv, lens, &err);
	unsigned int n = rep != NULL && rep->type == REDIS_REPLY_INTEGER
				 ? (unsigned int)rep->integer
				 : 0;
	freeReplyObject(rep);
	return n;
}

static void raw_entry(struct shoper_cluster *c, const char *shop,
		      const char *field, const char *value)
{
	char key[256];
	struct shoper_error err;

	cluster_key(c, shop, "hooks", key, sizeof(key));
	const char *argv[] = {"XADD", key, "*", field, value};
	size_t lens[5];
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	freeReplyObject(cluster_command(c, 5, argv, lens, &err));
}

static void test_hand_read(struct shoper_cluster *a, struct shoper_cluster *b)
{
	struct shoper_lease la = {.shop = "h1"}, fake = {.shop = "h1"};
	struct shoper_hook_batch hb;
	struct shoper_error err;
	const long long first[] = {11, 12}, second[] = {12, 13};

	ok(shoper_lease_acquire(a, &la, &err) == 1, "a leads h1");
	ok(shoper_hooks_read(a, "h1", &hb, &err) == 0 && hb.n_entries == 0,
	   "nothing handed over yet");
	shoper_hook_batch_free(&hb);
	ok(shoper_hooks_hand(b, "h1", first, 2, &err) == 0 &&
		   shoper_hooks_hand(b, "h1", second, 2, &err) == 0,
	   "b hands over two webhooks' ids");
	raw_entry(b, "h1", "orders", "14 x15");
	raw_entry(b, "h1", "orders", "0");
	raw_entry(b, "h1", "order", "16");
	ok(shoper_hooks_read(a, "h1", &hb, &err) == 0, "a reads them");
	ok(hb.n_entries == 5 && hb.n_orders == 3 && hb.orders[0] == 11 &&
		   hb.orders[1] == 12 && hb.orders[2] == 13,
	   "orders 11 12 13 once each, from 5 entries (%u orders, %u entries)",
	   hb.n_orders, hb.n_entries);
	ok(hb.dropped == 3 && hb.dropped_id[0] != '\0',
	   "the three entries that are no list of ids are dropped (%u)",
	   hb.dropped);
	fake.token = la.token + 1;
	ok(shoper_hooks_ack(b, &fake, &hb, &err) == 0 && xlen(a, "h1") == 5,
	   "b, not the holder, cannot delete them");
	ok(shoper_hooks_ack(a, &la, &hb, &err) == 1 && xlen(a, "h1") == 0,
	   "the holder deletes what it read");
	shoper_hook_batch_free(&hb);

	long long many[450];
	for (int i = 0; i < 450; i++)
		many[i] = 1000 + i;
	ok(shoper_hooks_hand(b, "h1", many, 450, &err) == 0 &&
		   xlen(a, "h1") == 3,
	   "450 ids go in 3 entries of at most %d", SHOPER_HOOKS_MAX_IDS);
	int ret = shoper_hooks_read(a, "h1", &hb, &err);
	ok(ret == 0 && hb.n_orders == 450 && hb.dropped == 0 &&
		   hb.orders[449] == 1449,
	   "and come back whole (%u)", hb.n_orders);
	shoper_lease_release(a, &la);
	ok(shoper_hooks_ack(a, &la, &hb, &err) == 0 && xlen(a, "h1") == 3,
	   "after its lease a node deletes nothing: the next holder reads them");
	shoper_hook_batch_free(&hb);
}

static void test_bounded(struct shoper_cluster *b)
{
	struct shoper_error err;
	long long id = 7;
	int failed = 0;

	for (int i = 0; i < 10300 && !failed; i++)
		failed = shoper_hooks_hand(b, "h2", &id, 1, &err) < 0;
	unsigned int n = xlen(b, "h2");
	ok(!failed && n >= 10000 && n <= 10200,
	   "with no reader the stream stays bounded (%u of 10300)", n);
}

int main(void)
{
	struct test_redis t = {0};
	struct shoper_cluster_config cfg;
	struct shoper_error err;

	signal(SIGPIPE, SIG_IGN); /* as the daemon: a Redis gone is an error */
	if (test_redis_start(&t) < 0) {
		printf("1..0 # SKIP redis-server not startable\n");
		return 0;
	}
	test_redis_config(&t, "node-a", 5000, &cfg);
	struct shoper_cluster *a = shoper_cluster_connect(&cfg, &err);
	test_redis_config(&t, "node-b", 5000, &cfg);
	struct shoper_cluster *b = shoper_cluster_connect(&cfg, &err);
	ok(a != NULL && b != NULL, "two nodes connect");
	if (a != NULL && b != NULL) {
		test_hand_read(a, b);
		test_bounded(b);
		test_redis_stop(&t);
		long long id = 5;
		double t0 = shoper_cluster_now_ms();
		ok(shoper_hooks_hand(b, "h1", &id, 1, &err) < 0,
		   "Redis gone: the hand-over fails (%s) in %.0f ms", err.msg,
		   shoper_cluster_now_ms() - t0);
	} else {
		test_redis_stop(&t);
	}
	shoper_cluster_free(&a);
	shoper_cluster_free(&b);
	return tap_done();
}
