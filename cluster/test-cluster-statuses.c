/* A shop's statuses through Redis: the codec round trip and what it
   refuses; the holder's write fenced like the orders; a follower gets
   them from the stream (told apart from orders), a late node from the
   snapshot, and the stream stays one chain with orders between. */
#include "cluster-private.h"
#include "test-redis.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* what a decode handed on, as text */
static int dump_cb(void *ctx, const struct shoper_cluster_status *s,
		   const struct shoper_str *lang, const struct shoper_str *name)
{
	char *out = ctx;
	size_t n = strlen(out);

	if (lang == NULL)
		snprintf(out + n, 512 - n, "S%lld/%d/%d/%lld;", s->status_id,
			 s->type, s->active, s->position);
	else
		snprintf(out + n, 512 - n, "%.*s=%.*s;", (int)lang->len,
			 lang->ptr, (int)name->len, name->ptr);
	return 0;
}

static void encode(struct shoper_cluster_buf *b, const char *shop,
		   const char *second_name)
{
	struct shoper_cluster_status s1 = {1, 1, true, 0};
	struct shoper_cluster_status s2 = {7, 3, false, -1};

	shoper_cluster_statuses_begin(b, shop);
	shoper_cluster_statuses_add(b, &s1);
	shoper_cluster_statuses_name(b, "en_US", "New", 3);
	shoper_cluster_statuses_name(b, "pl_PL", "Nowe", 4);
	shoper_cluster_statuses_add(b, &s2);
	shoper_cluster_statuses_name(b, "pl_PL", second_name,
				     strlen(second_name));
}

static void test_codec(void)
{
	struct shoper_cluster_buf b = {NULL, 0, 0, false};
	char out[512] = "";

	encode(&b, "shop1", "Wysłane");
	ok(!b.failed && shoper_cluster_decode_statuses(b.data, b.len, "shop1",
						       dump_cb, out) == 0,
	   "encodes and decodes");
	ok(strcmp(out,
		  "S1/1/1/0;en_US=New;pl_PL=Nowe;S7/3/0/-1;pl_PL=Wysłane;") ==
		   0,
	   "the same statuses and names back (%s)", out);
	ok(shoper_cluster_decode_statuses(b.data, b.len, "shop2", NULL, NULL) <
		   0,
	   "another shop's list is refused");
	int bad = 0, cuts = 0;
	/* a cut between records is a shorter list; any other is refused */
	for (size_t cut = 0; cut < b.len; cut++) {
		out[0] = '\0';
		int ret = shoper_cluster_decode_statuses(b.data, cut, "shop1",
							 dump_cb, out);
		bad += ret < 0 && out[0] == '\0';
		cuts += ret == 0;
	}
	ok(bad + cuts == (int)b.len && cuts == 5,
	   "a truncation is refused with nothing handed on, but at the 5 record ends (%d)",
	   cuts);
	char *copy = malloc(b.len);
	memcpy(copy, b.data, b.len);
	size_t s_at = 2 + 4 + 5; /* "T1", the shop */
	copy[s_at + 9] = 9;
	ok(shoper_cluster_decode_statuses(copy, b.len, "shop1", NULL, NULL) < 0,
	   "a bad status type is refused");
	memcpy(copy, b.data, b.len);
	copy[s_at] = 'N';
	ok(shoper_cluster_decode_statuses(copy, b.len, "shop1", NULL, NULL) < 0,
	   "a name before any status is refused");
	memcpy(copy, b.data, b.len);
	copy[s_at + 1 + 8 + 2 + 8 + 1 + 4] = ' '; /* "en_US" -> " n_US" */
	ok(shoper_cluster_decode_statuses(copy, b.len, "shop1", NULL, NULL) < 0,
	   "a language that is not a language code is refused");
	memcpy(copy, b.data, b.len);
	copy[b.len - 1] = '\0';
	ok(shoper_cluster_decode_statuses(copy, b.len, "shop1", NULL, NULL) < 0,
	   "a NUL byte in a name is refused");
	free(copy);
	shoper_cluster_buf_free(&b);
}

static int count_cb(void *ctx, const struct shoper_change *ch)
{
	int *n = ctx;

	if (ch != NULL)
		(*n)++;
	return 0;
}

static bool same_statuses(const struct shoper_replica *r,
			  const struct shoper_cluster_buf *b)
{
	const char *d;
	size_t len;

	(void)shoper_replica_statuses(r, &d, &len);
	return d != NULL && len == b->len && memcmp(d, b->data, len) == 0;
}

static void test_redis(struct shoper_cluster *a, struct shoper_cluster *b,
		       struct shoper_cluster *c)
{
	struct shoper_cluster_buf v1 = {NULL, 0, 0, false};
	struct shoper_cluster_buf v2 = {NULL, 0, 0, false};
	struct shoper_lease la = {.shop = "shop1"}, lc = {.shop = "shop1"};
	struct shoper_replica *ra = shoper_replica_new("shop1");
	struct shoper_replica *rb = shoper_replica_new("shop1");
	struct shoper_replica *rc = shoper_replica_new("shop1");
	struct shoper_pull res;
	struct shoper_error err = {""};
	const char *d;
	size_t len;
	int n = 0;

	encode(&v1, "shop1", "Wysłane");
	encode(&v2, "shop1", "W drodze");
	ok(shoper_lease_acquire(a, &la, &err) == 1, "a leads shop1");
	ok(shoper_cluster_publish_statuses(a, &la, ra, v1.data, v1.len, &err) ==
		   1,
	   "a writes the statuses (%s)", err.msg);
	ok(same_statuses(ra, &v1) && shoper_replica_count(ra) == 0,
	   "a's replica has them, and no order");
	ok(shoper_cluster_pull(b, rb, 100, count_cb, &n, &res, &err) == 0 &&
		   res.snapshot && res.statuses && same_statuses(rb, &v1),
	   "b gets them with the snapshot");
	unsigned int gen = shoper_replica_statuses(rb, &d, &len);

	/* an order, then renamed statuses: one chain, no reload */
	struct shoper_change o = {"1001", "O1xx", 4};
	ok(shoper_cluster_publish(a, &la, ra, &o, 1, &err) == 1 &&
		   shoper_cluster_publish_statuses(a, &la, ra, v2.data, v2.len,
						   &err) == 1,
	   "an order and renamed statuses written");
	n = 0;
	ok(shoper_cluster_pull(b, rb, 100, count_cb, &n, &res, &err) == 0 &&
		   !res.snapshot && res.entries == 2 && res.statuses &&
		   res.changes == 1 && n == 1,
	   "b applies both entries from the stream; the statuses are not an order");
	ok(same_statuses(rb, &v2) && shoper_replica_count(rb) == 1 &&
		   shoper_replica_statuses(rb, &d, &len) != gen,
	   "b has the new names, and its counter moved");
	gen = shoper_replica_statuses(rb, &d, &len);
	ok(shoper_cluster_pull(b, rb, 0, NULL, NULL, &res, &err) == 0 &&
		   !res.statuses &&
		   shoper_replica_statuses(rb, &d, &len) == gen,
	   "nothing new: the statuses unchanged, the counter too");

	/* a late node: the statuses with the snapshot */
	ok(shoper_cluster_pull(c, rc, 0, NULL, NULL, &res, &err) == 0 &&
		   res.snapshot && same_statuses(rc, &v2) &&
		   shoper_replica_count(rc) == 1,
	   "a late node gets the statuses and the order from the snapshot");

	/* a writer whose lease is gone is fenced */
	lc = la;
	snprintf(lc.shop, sizeof(lc.shop), "shop1");
	lc.token = la.token + 1000;
	ok(shoper_cluster_publish_statuses(c, &lc, rc, v1.data, v1.len, &err) ==
			   0 &&
		   lc.token == 0,
	   "a writer that does not hold the lease is refused");
	ok(shoper_cluster_pull(b, rb, 0, NULL, NULL, &res, &err) == 0 &&
		   res.entries == 0 && same_statuses(rb, &v2),
	   "and nothing of it reaches b");
	shoper_cluster_buf_free(&v1);
	shoper_cluster_buf_free(&v2);
	shoper_replica_free(&ra);
	shoper_replica_free(&rb);
	shoper_replica_free(&rc);
}

int main(void)
{
	test_codec();
	test_redis_three(test_redis);
	return tap_done();
}
