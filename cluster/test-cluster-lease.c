/* The lease and its fencing against a real redis-server: one holder at
   a time, tokens that grow, a holder that cannot renew stops before
   Redis lets the lease go, a fenced writer is refused, and another node
   takes over within two lease periods. */
#include "test-redis.h"
#include "tap.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#define LEASE 600

static void test_one_holder(struct shoper_cluster *a, struct shoper_cluster *b)
{
	struct shoper_lease la = {.shop = "s1"}, lb = {.shop = "s1"};
	struct shoper_error err;

	ok(shoper_lease_acquire(a, &la, &err) == 1, "a takes the free lease");
	ok(la.token >= 1, "with a token (%llu)", (unsigned long long)la.token);
	ok(shoper_lease_valid(&la), "a may call the shop");
	ok(shoper_lease_acquire(b, &lb, &err) == 0, "b does not get it");
	ok(strncmp(lb.holder, "node-a ", 7) == 0, "b sees a holds it (%s)",
	   lb.holder);
	ok(shoper_lease_renew(b, &lb, &err) == 0,
	   "b cannot renew what it lacks");
	ok(shoper_lease_renew(a, &la, &err) == 1, "a renews");
	uint64_t old = la.token;
	shoper_lease_release(a, &la);
	ok(!shoper_lease_valid(&la), "released: a stops");
	ok(shoper_lease_acquire(b, &lb, &err) == 1, "b takes it at once");
	ok(lb.token > old, "with a larger token (%llu > %llu)",
	   (unsigned long long)lb.token, (unsigned long long)old);
	shoper_lease_release(b, &lb);
}

/* a stops renewing (paused, cut off): it stops calling the shop before
   its lease ends; b takes over within two lease periods; a's late write
   and renewal are refused. */
static void test_takeover(struct shoper_cluster *a, struct shoper_cluster *b)
{
	struct shoper_lease la = {.shop = "s2"}, lb = {.shop = "s2"};
	struct shoper_replica *r = shoper_replica_new("s2");
	struct shoper_change ch = {"1", "O1xx", 4};
	struct shoper_error err;
	double t0, stopped = 0, taken = 0;

	ok(shoper_lease_acquire(a, &la, &err) == 1, "a leads s2");
	t0 = la.renewed_at;
	ok(shoper_cluster_publish(a, &la, r, &ch, 1, &err) == 1,
	   "the leader's write is taken");
	while (taken == 0 && shoper_cluster_now_ms() - t0 < 3 * LEASE) {
		if (stopped == 0 && !shoper_lease_valid(&la))
			stopped = shoper_cluster_now_ms();
		/* b tries every third of the lease, like the daemon */
		if (shoper_lease_acquire(b, &lb, &err) == 1)
			taken = shoper_cluster_now_ms();
		test_sleep_ms(LEASE / 3);
	}
	ok(stopped > 0 && taken > 0 && stopped < taken,
	   "a stopped calling the shop (%.0f ms) before b took over (%.0f ms)",
	   stopped - t0, taken - t0);
	ok(taken > 0 && taken - t0 < 2 * LEASE,
	   "b took over within two lease periods (%.0f ms)", taken - t0);
	ok(lb.token > la.token, "b's token is larger");
	ok(shoper_cluster_publish(a, &la, r, &ch, 1, &err) == 0,
	   "a's late write is fenced");
	ok(la.token == 0, "and a knows it lost the lease");
	la.token = lb.token - 1;
	ok(shoper_lease_renew(a, &la, &err) == 0,
	   "a's late renewal is refused");
	ok(shoper_cluster_publish(b, &lb, r, &ch, 1, &err) == 1,
	   "b's write is taken");
	shoper_replica_free(&r);
}

/* Redis stops answering: the holder's renewal fails and it stops calling
   the shop within its lease, without an answer from Redis. */
static void test_unreachable(struct test_redis *t, struct shoper_cluster *a)
{
	struct shoper_lease la = {.shop = "s3"};
	struct shoper_error err;

	ok(shoper_lease_acquire(a, &la, &err) == 1, "a leads s3");
	double t0 = la.renewed_at;
	kill(t->pid, SIGSTOP);
	int ret = shoper_lease_renew(a, &la, &err);
	ok(ret == -1, "renewal fails while Redis is stopped (%s)", err.msg);
	while (shoper_lease_valid(&la) &&
	       shoper_cluster_now_ms() - t0 < 2 * LEASE)
		test_sleep_ms(20);
	double stopped = shoper_cluster_now_ms() - t0;
	ok(!shoper_lease_valid(&la) && stopped < LEASE,
	   "a stopped calling the shop within its lease (%.0f of %d ms)",
	   stopped, LEASE);
	/* the renewal sent before the stop may run when Redis goes on: it
	   can only make the lease longer than a believes */
	kill(t->pid, SIGCONT);
	test_sleep_ms(2 * LEASE);
	ok(shoper_lease_renew(a, &la, &err) == 0 && la.token == 0,
	   "back, the expired lease is not renewed");
}

int main(void)
{
	struct test_redis t = {0};
	struct shoper_cluster_config ca, cb;
	struct shoper_error err;

	if (test_redis_start(&t) < 0) {
		printf("1..0 # SKIP redis-server not startable\n");
		return 0;
	}
	test_redis_config(&t, "node-a", LEASE, &ca);
	test_redis_config(&t, "node-b", LEASE, &cb);
	struct shoper_cluster *a = shoper_cluster_connect(&ca, &err);
	ok(a != NULL, "a connects (%s)", a == NULL ? err.msg : t.addr);
	struct shoper_cluster *b = shoper_cluster_connect(&cb, &err);
	ok(b != NULL, "b connects");
	if (a != NULL && b != NULL) {
		test_one_holder(a, b);
		test_takeover(a, b);
		test_unreachable(&t, a);
	}
	shoper_cluster_free(&a);
	shoper_cluster_free(&b);
	test_redis_stop(&t);
	return tap_done();
}
