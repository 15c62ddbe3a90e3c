/* The delta over an index (doc/index-format.md §10): changes and
   deletions seen through it, carried from one incremental publish to the
   next, a delta of another base or a damaged one ignored with the base
   still served, and a full publish folding it away. */
#include "test-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir, path[4096], dpath[4096];
static struct shoper_error err;
static struct shoper_index_result res;

static struct shoper_order o[4];

static void base_orders(void)
{
	o[0] = test_order("sklep1", "100", "2026-11-01 10:00:00",
			  "jan@example.pl");
	o[1] = test_order("sklep1", "101", "2026-11-02 10:00:00",
			  "jan@example.pl");
	o[2] = test_order("sklep2", "7", "2026-11-03 10:00:00",
			  "ewa@example.pl");
}

static int email(struct shoper_index_reader *r, const char *addr)
{
	int ret = shoper_index_lookup_email(r, addr, NULL, 0, 0, &res, &err);

	return ret < 0 ? -1 : (int)res.count;
}

static bool has_order(struct shoper_index_reader *r, const char *shop,
		      const char *id, const struct shoper_order *want)
{
	struct shoper_order got;

	return shoper_index_lookup_order(r, shop, id, &got, &err) == 1 &&
	       (want == NULL || test_order_eq(&got, want));
}

static void test_changes(void)
{
	struct shoper_index_reader *r;
	struct shoper_order chg[2];
	struct shoper_order_ref del;
	struct shoper_index_delta_info info;

	base_orders();
	ok(test_publish(o, 3, 0, path) == 0, "base published");
	r = shoper_index_reader_new(path);
	ok(email(r, "jan@example.pl") == 2, "base: jan has 2 orders");
	chg[0] = o[0];
	chg[0].paid = true;
	chg[0].status_name = test_str("Opłacone");
	chg[1] = test_order("sklep1", "102", "2026-11-04 10:00:00",
			    "jan@example.pl");
	ok(shoper_index_publish_changes(path, chg, 2, NULL, 0, &info, &err) ==
			   1 &&
		   info.orders == 2 && info.deleted == 0,
	   "one change and one new order published as a delta (%s)", err.msg);
	ok(access(dpath, F_OK) == 0, "the delta is a file next to the index");
	ok(email(r, "jan@example.pl") == 3 &&
		   test_order_eq(&res.orders[0], &chg[1]) &&
		   test_order_eq(&res.orders[1], &o[1]) &&
		   test_order_eq(&res.orders[2], &chg[0]),
	   "e-mail lookup: the changed order replaces the base's, the new "
	   "one joins, newest first");
	ok(has_order(r, "sklep1", "100", &chg[0]) &&
		   has_order(r, "sklep1", "102", &chg[1]) &&
		   has_order(r, "sklep2", "7", &o[2]),
	   "order lookup: delta first, base for the rest");
	ok(shoper_index_lookup_email(r, "jan@example.pl", NULL, 0, 2, &res,
				     &err) == 1 &&
		   res.count == 2 && test_order_eq(&res.orders[0], &chg[1]),
	   "max_orders applies over base and delta");

	/* the order moves to another address, another is deleted */
	chg[0] = o[1];
	chg[0].email = test_str("nowy@example.pl");
	del.shop = test_str("sklep2");
	del.order_id = test_str("7");
	ok(shoper_index_publish_changes(path, chg, 1, &del, 1, &info, &err) ==
			   1 &&
		   info.orders == 3 && info.deleted == 1,
	   "second incremental publish carries the first's changes");
	ok(email(r, "jan@example.pl") == 2 &&
		   email(r, "nowy@example.pl") == 1 &&
		   test_order_eq(&res.orders[0], &chg[0]),
	   "an order whose e-mail changed leaves the old address's record");
	ok(email(r, "ewa@example.pl") == 0 &&
		   !has_order(r, "sklep2", "7", NULL),
	   "a deletion hides the base's order under both kinds of key");
	ok(has_order(r, "sklep1", "102", NULL) &&
		   has_order(r, "sklep1", "100", NULL),
	   "the first delta's changes are still there");
	ok(shoper_index_publish_changes(path, &o[2], 1, NULL, 0, &info, &err) ==
			   1 &&
		   info.deleted == 0 && has_order(r, "sklep2", "7", &o[2]),
	   "a deleted order that comes back replaces its deletion");
	shoper_index_reader_free(&r);
}

static unsigned char *slurp(const char *p, size_t *len)
{
	return test_read_file(p, len);
}

static void test_foreign_and_corrupt(void)
{
	struct shoper_index_reader *r = shoper_index_reader_new(path);
	struct shoper_order chg = o[2];
	unsigned char *old, *bytes;
	size_t old_len, len;

	chg.paid = !chg.paid;
	ok(shoper_index_publish_changes(path, &chg, 1, NULL, 0, NULL, &err) ==
		   1,
	   "delta for the next tests");
	old = slurp(dpath, &old_len);
	base_orders();
	ok(test_publish(o, 3, 0, path) == 0 && access(dpath, F_OK) != 0,
	   "a full publish (the fold) removes the delta");
	ok(has_order(r, "sklep2", "7", &o[2]) &&
		   email(r, "jan@example.pl") == 2,
	   "after the fold the reader serves the new base alone");
	ok(old != NULL && test_write_file(dpath, old, old_len) == 0,
	   "the old delta put back over the new base");
	ok(has_order(r, "sklep2", "7", &o[2]),
	   "a delta naming another base is ignored");
	ok(shoper_index_publish_changes(path, &chg, 1, NULL, 0, NULL, &err) ==
		   0,
	   "an incremental publish over an unusable delta asks for a full "
	   "one (%s)",
	   err.msg);
	ok(unlink(dpath) == 0 &&
		   shoper_index_publish_changes(path, &chg, 1, NULL, 0, NULL,
						&err) == 1 &&
		   has_order(r, "sklep2", "7", &chg),
	   "a fresh delta over the new base is used");
	bytes = slurp(dpath, &len);
	ok(bytes != NULL && len > 2048, "delta read");
	if (bytes != NULL && len > 2048) {
		memset(bytes, 0xff, 64);
		ok(test_write_file(dpath, bytes, len) == 0 &&
			   has_order(r, "sklep2", "7", &o[2]) &&
			   email(r, "jan@example.pl") == 2,
		   "a delta with a damaged header is ignored, the base served");
		ok(test_write_file(dpath, bytes, 2050) == 0 &&
			   has_order(r, "sklep2", "7", &o[2]),
		   "a truncated delta is ignored");
	}
	free(bytes);
	ok(old != NULL && test_write_file(path, old, old_len) == 0 &&
		   email(r, "jan@example.pl") == -1,
	   "a delta in the index's place is refused as an index");
	free(old);
	shoper_index_reader_free(&r);
}

int main(void)
{
	dir = test_tmpdir();
	snprintf(path, sizeof(path), "%s/orders.cdb", dir);
	snprintf(dpath, sizeof(dpath), "%s/orders.cdb.delta", dir);
	test_changes();
	test_foreign_and_corrupt();
	test_rmdir(dir);
	free(dir);
	return tap_done();
}
