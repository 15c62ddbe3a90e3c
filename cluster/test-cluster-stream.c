/* The change stream and the snapshot against a real redis-server: the
   codec round trip, a follower applying the leader's changes, a late node
   starting from the snapshot, and a node that missed trimmed entries
   loading the snapshot again. */
#include "cluster-private.h"
#include "test-redis.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(x)                                                                   \
	{                                                                      \
		x, sizeof(x) - 1                                               \
	}

static void make_order(struct shoper_order *o, const char *id,
		       const char *status)
{
	memset(o, 0, sizeof(*o));
	o->shop.ptr = "shop1";
	o->shop.len = 5;
	o->order_id.ptr = id;
	o->order_id.len = strlen(id);
	o->status_name.ptr = status;
	o->status_name.len = strlen(status);
	o->status_type = SHOPER_STATUS_TYPE_IN_PROGRESS;
	o->paid = true;
	o->email.ptr = "jan@example.com";
	o->email.len = 15;
}

static void test_codec(void)
{
	struct shoper_order o, back;
	char *data;
	size_t len;

	make_order(&o, "12345", "W realizacji");
	o.tracking_url = (struct shoper_str)S("https://t/{tracking_number}");
	ok(shoper_cluster_encode_order(&o, &data, &len) == 0, "encodes");
	ok(shoper_cluster_decode_order(data, len, &back) == 0, "decodes");
	ok(back.order_id.len == 5 &&
		   memcmp(back.order_id.ptr, "12345", 5) == 0 && back.paid &&
		   back.status_type == SHOPER_STATUS_TYPE_IN_PROGRESS &&
		   back.tracking_url.len == o.tracking_url.len,
	   "the same order back");
	int bad = 0;
	for (size_t cut = 0; cut < len; cut++)
		bad += shoper_cluster_decode_order(data, cut, &back) < 0;
	ok(bad == (int)len, "every truncation is refused");
	data[2] = 9;
	ok(shoper_cluster_decode_order(data, len, &back) < 0,
	   "a bad status type is refused");
	free(data);
}

static int count_cb(void *ctx, const struct shoper_change *ch)
{
	int *n = ctx;

	if (ch != NULL)
		(*n)++;
	return 0;
}

static void put(struct shoper_change *ch, char ids[][16], char **bufs, int i,
		const char *status)
{
	struct shoper_order o;

	snprintf(ids[i], 16, "%d", 1000 + i);
	make_order(&o, ids[i], status);
	shoper_cluster_encode_order(&o, &bufs[i], &ch[i].len);
	ch[i].order_id = ids[i];
	ch[i].data = bufs[i];
}

static void test_stream(struct shoper_cluster *a, struct shoper_cluster *b,
			struct shoper_cluster *c)
{
	enum { N = 1200 };
	static struct shoper_change ch[N];
	static char ids[N][16];
	static char *bufs[N];
	struct shoper_lease la = {.shop = "shop1"};
	struct shoper_replica *ra = shoper_replica_new("shop1");
	struct shoper_replica *rb = shoper_replica_new("shop1");
	struct shoper_pull res;
	struct shoper_error err = {""};
	int n = 0;

	ok(shoper_lease_acquire(a, &la, &err) == 1, "a leads shop1");
	ok(shoper_cluster_pull(b, rb, 0, count_cb, &n, &res, &err) == 0 &&
		   !res.snapshot && shoper_replica_count(rb) == 0 &&
		   shoper_replica_stream_id(rb)[0] == '\0',
	   "nothing written yet: b has no snapshot to load");
	for (int i = 0; i < N; i++)
		put(ch, ids, bufs, i, "Nowe");
	ok(shoper_cluster_publish(a, &la, ra, ch, N, &err) == 1,
	   "a publishes %d orders (%s)", N, err.msg);
	ok(shoper_replica_count(ra) == N, "a's replica has them");
	ok(shoper_cluster_pull(b, rb, 100, count_cb, &n, &res, &err) == 0 &&
		   res.snapshot,
	   "b loads the snapshot");
	ok(shoper_replica_count(rb) == N, "b has all %d (%u)", N,
	   shoper_replica_count(rb));
	/* b2 started before: it reads the stream's entries one by one */
	struct shoper_replica *rb2 = shoper_replica_new("shop1");
	cluster_replica_set_stream_id(rb2, "0-0");
	n = 0;
	for (int k = 0; k < 5; k++)
		ok(shoper_cluster_pull(b, rb2, 100, count_cb, &n, &res, &err) ==
			   0,
		   "b2 pulls");
	ok(n == N && shoper_replica_count(rb2) == N,
	   "b2 applied all %d from the stream (%d)", N, n);
	shoper_replica_free(&rb2);
	ok(res.lag_ms >= 0 && res.lag_ms < 60000, "lag %.1f ms", res.lag_ms);

	/* a change and a deletion */
	free(bufs[5]);
	put(ch, ids, bufs, 5, "Wysłane");
	struct shoper_change two[2] = {ch[5], {ids[7], NULL, 0}};
	ok(shoper_cluster_publish(a, &la, ra, two, 2, &err) == 1,
	   "a publishes a change and a deletion");
	n = 0;
	ok(shoper_cluster_pull(b, rb, 100, count_cb, &n, &res, &err) == 0 &&
		   n == 2 && res.entries == 1 && !res.snapshot,
	   "b applies exactly those two");
	const char *d;
	size_t len;
	ok(shoper_replica_get(rb, ids[7], &d, &len) == 0, "1007 gone on b");
	ok(shoper_replica_get(rb, ids[5], &d, &len) == 1 && len == ch[5].len &&
		   memcmp(d, ch[5].data, len) == 0,
	   "1005 changed on b");
	n = 0;
	ok(shoper_cluster_pull(b, rb, 0, count_cb, &n, &res, &err) == 0 &&
		   n == 0 && res.entries == 0,
	   "nothing new: nothing applied");

	/* a late node: the snapshot, then the stream */
	struct shoper_replica *rc = shoper_replica_new("shop1");
	ok(shoper_cluster_pull(c, rc, 0, NULL, NULL, &res, &err) == 0 &&
		   res.snapshot && shoper_replica_count(rc) == N - 1,
	   "c starts from the snapshot (%u orders)", shoper_replica_count(rc));
	ok(strcmp(shoper_replica_stream_id(rc), shoper_replica_stream_id(rb)) ==
		   0,
	   "at the stream's head");

	/* c misses entries the stream no longer has: it reloads */
	free(bufs[9]);
	put(ch, ids, bufs, 9, "Zamknięte");
	ok(shoper_cluster_publish(a, &la, ra, &ch[9], 1, &err) == 1 &&
		   shoper_cluster_publish(a, &la, ra, &ch[8], 1, &err) == 1,
	   "two more entries");
	char key[256];
	cluster_key(a, "shop1", "changes", key, sizeof(key));
	const char *argv[4] = {"XTRIM", key, "MAXLEN", "0"};
	size_t lens[4] = {5, strlen(key), 6, 1};
	freeReplyObject(cluster_command(a, 4, argv, lens, &err));
	ok(shoper_cluster_publish(a, &la, ra, &ch[10], 1, &err) == 1,
	   "and one after the trim");
	ok(shoper_cluster_pull(c, rc, 0, NULL, NULL, &res, &err) == 0 &&
		   res.snapshot,
	   "c sees the gap and loads the snapshot again");
	ok(shoper_replica_get(rc, ids[9], &d, &len) == 1 && len == ch[9].len &&
		   memcmp(d, ch[9].data, len) == 0,
	   "with the change it missed");
	for (int i = 0; i < N; i++)
		free(bufs[i]);
	shoper_replica_free(&ra);
	shoper_replica_free(&rb);
	shoper_replica_free(&rc);
}

static void test_replica(void)
{
	struct shoper_replica *r = shoper_replica_new("x");
	char id[16];
	int ok_all = 1;

	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "%d", i);
		ok_all &= shoper_replica_put(r, id, id, strlen(id)) == 1;
	}
	for (int i = 0; i < 5000; i += 2) {
		snprintf(id, sizeof(id), "%d", i);
		ok_all &= shoper_replica_put(r, id, NULL, 0) == 1;
	}
	for (int i = 0; i < 5000; i++) {
		const char *d;
		size_t len;
		snprintf(id, sizeof(id), "%d", i);
		ok_all &= shoper_replica_get(r, id, &d, &len) == (i % 2);
	}
	ok(ok_all && shoper_replica_count(r) == 2500,
	   "the replica table keeps 2500 of 5000 after deleting the even ones");
	shoper_replica_free(&r);
}

int main(void)
{
	test_codec();
	test_replica();
	test_redis_three(test_stream);
	return tap_done();
}
