/* Round trips through writer and reader: exact values, order, filters,
   caps, missing keys, non-ASCII and hostile values, huge and empty. */
#include "test-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir, path[4096];
static struct shoper_error err;

static struct shoper_index_reader *publish_open(const struct shoper_order *o,
						unsigned int n,
						unsigned int max)
{
	if (test_publish(o, n, max, path) < 0)
		return NULL;
	return shoper_index_reader_new(path);
}

static void test_basic(void)
{
	struct shoper_order o[4];
	struct shoper_order got;
	struct shoper_index_result *res = malloc(sizeof(*res));
	struct shoper_index_reader *r;
	const char *only2[] = {"sklep2"};

	o[0] = test_order("sklep1", "100", "2026-11-01 10:00:00",
			  "jan@example.pl");
	o[1] = test_order("sklep2", "7", "2026-11-20 14:03:22",
			  "jan@example.pl");
	o[2] = test_order("sklep1", "101", "2026-11-01 10:00:00",
			  "jan@example.pl");
	o[3] = test_order("sklep1", "5", "2026-10-01 09:00:00",
			  "other@example.pl");
	o[1].paid = false;
	o[1].tracking = test_str("00812345678901, 00812345678902");
	o[1].status_type = SHOPER_STATUS_TYPE_CLOSED;
	o[1].status_name = test_str("Wysłane");
	o[1].status_id = test_str("3");
	r = publish_open(o, 4, 0);
	ok(r != NULL, "publish 4 orders");
	ok(shoper_index_lookup_email(r, "jan@example.pl", NULL, 0, 0, res,
				     &err) == 1 &&
		   res->count == 3,
	   "e-mail lookup finds 3 orders");
	ok(res->count == 3 && test_order_eq(&res->orders[0], &o[1]) &&
		   test_order_eq(&res->orders[1], &o[2]) &&
		   test_order_eq(&res->orders[2], &o[0]),
	   "newest first (date, then numeric order id), values exact");
	ok(shoper_index_lookup_email(r, "  <JAN@Example.PL>\r\n", NULL, 0, 0,
				     res, &err) == 1 &&
		   res->count == 3,
	   "lookup normalises case, space and angle brackets");
	ok(shoper_index_lookup_email(r, "jan@example.pl", NULL, 0, 2, res,
				     &err) == 1 &&
		   res->count == 2 && test_order_eq(&res->orders[1], &o[2]),
	   "max_orders keeps the newest");
	ok(shoper_index_lookup_email(r, "jan@example.pl", only2, 1, 0, res,
				     &err) == 1 &&
		   res->count == 1 && test_order_eq(&res->orders[0], &o[1]),
	   "shops filter");
	only2[0] = "sklep3";
	ok(shoper_index_lookup_email(r, "jan@example.pl", only2, 1, 0, res,
				     &err) == 0,
	   "shops filter with no match gives not found");
	ok(shoper_index_lookup_email(r, "nobody@example.pl", NULL, 0, 0, res,
				     &err) == 0 &&
		   res->count == 0,
	   "missing e-mail gives 0");
	ok(shoper_index_lookup_email(r, "", NULL, 0, 0, res, &err) == 0 &&
		   shoper_index_lookup_email(r, "#sklep1:100", NULL, 0, 0, res,
					     &err) == 0,
	   "empty address and order-key-looking address give 0");
	ok(shoper_index_lookup_order(r, "sklep2", "7", &got, &err) == 1 &&
		   test_order_eq(&got, &o[1]),
	   "order lookup exact");
	ok(shoper_index_lookup_order(r, "sklep1", "5", &got, &err) == 1 &&
		   test_order_eq(&got, &o[3]),
	   "order lookup of another customer");
	ok(shoper_index_lookup_order(r, "sklep2", "100", &got, &err) == 0 &&
		   shoper_index_lookup_order(r, "sklep9", "7", &got, &err) == 0,
	   "missing order keys give 0");
	ok(shoper_index_lookup_order(r, "sklep2", "7", &got, &err) == 1 &&
		   test_str_eq(&got.url, "https://sklep2.example.pl/admin/"
					 "orders/view/id/7"),
	   "admin URL derived from the shop base");
	ok(shoper_index_reader_verify(r, &err) == 0, "verify good file");
	shoper_index_reader_free(&r);
	free(res);
}

static void test_cap(void)
{
	struct shoper_order o[28];
	char ids[28][16], dates[28][32];
	struct shoper_index_result res;
	struct shoper_order got;
	struct shoper_index_reader *r;
	unsigned int i, a = 0, b = 0;
	bool order_ok = true;

	for (i = 0; i < 28; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%u", 1000 + i);
		snprintf(dates[i], sizeof(dates[i]), "2026-11-%02u 10:00:00",
			 i + 1);
		o[i] = test_order(i < 25 ? "busy" : "quiet", ids[i], dates[i],
				  "Busy@Example.pl");
	}
	/* the quiet shop's orders are the oldest */
	for (i = 25; i < 28; i++)
		dates[i][9] = '0' + (i - 25), dates[i][8] = '0';
	r = publish_open(o, 28, 20);
	ok(r != NULL, "publish 28 orders, max 20");
	ok(shoper_index_lookup_email(r, "busy@example.pl", NULL, 0, 0, &res,
				     &err) == 1 &&
		   res.count == 23,
	   "cap is per customer and shop (20 + 3)");
	for (i = 0; i < res.count; i++) {
		if (test_str_eq(&res.orders[i].shop, "busy"))
			a++;
		else
			b++;
		if (i > 0 && memcmp(res.orders[i - 1].date.ptr,
				    res.orders[i].date.ptr, 19) < 0)
			order_ok = false;
	}
	ok(a == 20 && b == 3 && order_ok, "newest 20 of busy, 3 of quiet");
	ok(test_str_eq(&res.orders[0].order_id, "1024"), "newest is 1024");
	ok(shoper_index_lookup_order(r, "busy", "1000", &got, &err) == 1 &&
		   test_order_eq(&got, &o[0]),
	   "capped-out order still found by order key");
	ok(shoper_index_reader_verify(r, &err) == 0, "verify capped file");
	shoper_index_reader_free(&r);
}

static void test_hostile(void)
{
	static const char nul_name[] = "Jan\0\r\nX-Shoper-Order-Paid: yes";
	static const char bad_utf8[] = "\xff\xfe\xc3(\xed\xa0\x80";
	struct shoper_order o[3], got;
	struct shoper_index_result res;
	struct shoper_index_reader *r;

	o[0] = test_order("sklep1", "1", "2026-11-01 10:00:00",
			  "Żółć.Gęś@Przykład.PL");
	o[0].customer.ptr = nul_name;
	o[0].customer.len = sizeof(nul_name) - 1;
	o[0].status_name = test_str("Zamówienie \xe2\x80\x94 wysłane");
	o[0].tracking.ptr = bad_utf8;
	o[0].tracking.len = sizeof(bad_utf8) - 1;
	o[0].url = test_str("javascript:alert(1)");
	o[1] = test_order("sklep1", "2", "", "no-at-sign");
	o[1].url = test_str("");
	o[1].total = test_str("");
	o[2] = test_order("sklep1", "3", "2026-11-02 10:00:00", "");
	o[2].status_type = SHOPER_STATUS_TYPE_UNKNOWN;
	r = publish_open(o, 3, 0);
	ok(r != NULL, "publish hostile values");
	ok(shoper_index_lookup_email(r, "żółć.gęś@przykład.pl", NULL, 0, 0,
				     &res, &err) == 0,
	   "non-ASCII letters are not case-folded");
	ok(shoper_index_lookup_email(r, "Żółć.Gęś@przykład.pl", NULL, 0, 0,
				     &res, &err) == 1 &&
		   res.count == 1 && test_order_eq(&res.orders[0], &o[0]),
	   "non-ASCII address found (ASCII folded), NUL/CR/LF/bad UTF-8 "
	   "values exact");
	ok(shoper_index_lookup_order(r, "sklep1", "2", &got, &err) == 1 &&
		   test_order_eq(&got, &o[1]),
	   "order with unusable e-mail found by order key");
	ok(shoper_index_lookup_order(r, "sklep1", "3", &got, &err) == 1 &&
		   test_order_eq(&got, &o[2]) &&
		   got.status_type == SHOPER_STATUS_TYPE_UNKNOWN,
	   "order with empty e-mail found by order key");
	ok(shoper_index_reader_verify(r, &err) == 0, "verify hostile file");
	shoper_index_reader_free(&r);
}

static void test_huge_and_empty(void)
{
	unsigned int n = 1000, i;
	struct shoper_order *o = calloc(n, sizeof(*o)), got;
	char(*ids)[16] = calloc(n, 16);
	char *big = malloc(SHOPER_INDEX_MAX_FIELD + 1);
	struct shoper_index_result res;
	struct shoper_index_reader *r;
	struct shoper_index_writer *w;

	memset(big, 'x', SHOPER_INDEX_MAX_FIELD + 1);
	for (i = 0; i < n; i++) {
		snprintf(ids[i], 16, "%u", i + 1);
		o[i] = test_order("sklep1", ids[i], "2026-11-01 10:00:00",
				  "many@example.pl");
		o[i].url = test_str(""); /* the ring would be reused */
	}
	o[0].customer.ptr = big;
	o[0].customer.len = SHOPER_INDEX_MAX_FIELD;
	r = publish_open(o, n, n);
	ok(r != NULL, "publish 1000 orders of one customer, one 64 KiB value");
	ok(shoper_index_lookup_email(r, "many@example.pl", NULL, 0, 0, &res,
				     &err) == 1 &&
		   res.count == SHOPER_INDEX_MAX_RESULT &&
		   test_str_eq(&res.orders[0].order_id, "1000"),
	   "result holds the newest SHOPER_INDEX_MAX_RESULT");
	ok(shoper_index_lookup_order(r, "sklep1", "1", &got, &err) == 1 &&
		   test_order_eq(&got, &o[0]),
	   "64 KiB value round trip");
	ok(shoper_index_reader_verify(r, &err) == 0, "verify huge record");
	shoper_index_reader_free(&r);

	w = shoper_index_writer_new(0);
	o[0].customer.len = SHOPER_INDEX_MAX_FIELD + 1;
	ok(shoper_index_writer_add(w, &o[0], &err) ==
		   SHOPER_INDEX_ADD_BAD_ORDER,
	   "value over SHOPER_INDEX_MAX_FIELD refused as bad data: %s",
	   err.msg);
	o[0].customer.len = 3;
	o[0].shop = test_str("a:b");
	ok(shoper_index_writer_add(w, &o[0], &err) ==
		   SHOPER_INDEX_ADD_BAD_ORDER,
	   "shop name with ':' refused as bad data");
	o[0].shop = test_str("sklep1");
	o[0].order_id = test_str("");
	ok(shoper_index_writer_add(w, &o[0], &err) ==
		   SHOPER_INDEX_ADD_BAD_ORDER,
	   "empty order id refused as bad data");
	ok(shoper_index_writer_publish(w, path, &err) == 0,
	   "publish an empty index");
	shoper_index_writer_free(&w);
	r = shoper_index_reader_new(path);
	ok(shoper_index_reader_refresh(r, &err) == 0 &&
		   shoper_index_lookup_email(r, "many@example.pl", NULL, 0, 0,
					     &res, &err) == 0 &&
		   shoper_index_lookup_order(r, "sklep1", "1", &got, &err) == 0,
	   "empty index: refresh ok, nothing found");
	ok(shoper_index_reader_verify(r, &err) == 0, "verify empty index");
	shoper_index_reader_free(&r);
	free(o);
	free(ids);
	free(big);
}

static void test_replace_and_dup(void)
{
	struct shoper_order o[3];
	struct shoper_order got;
	struct shoper_index_reader *r;

	o[0] = test_order("s", "1", "2026-11-01 10:00:00", "a@b.pl");
	o[1] = test_order("s", "2", "2026-11-01 10:00:00", "a@b.pl");
	r = publish_open(o, 1, 0);
	ok(r != NULL && shoper_index_lookup_order(r, "s", "1", &got, &err) == 1,
	   "first file");
	o[2] = o[0];
	o[2].status_name = test_str("Anulowane");
	o[2].email = test_str("new@b.pl");
	ok(test_publish(o, 3, 0, path) == 0, "publish over it (dup order)");
	ok(shoper_index_lookup_order(r, "s", "2", &got, &err) == 1,
	   "reader noticed the replaced file");
	ok(shoper_index_lookup_order(r, "s", "1", &got, &err) == 1 &&
		   test_order_eq(&got, &o[2]),
	   "the later add of the same order wins");
	shoper_index_reader_set_check_interval(r, 3600 * 1000);
	ok(test_publish(o, 1, 0, path) == 0 &&
		   shoper_index_lookup_order(r, "s", "2", &got, &err) == 1,
	   "with a check interval, lookups keep the mapped file");
	ok(shoper_index_reader_refresh(r, &err) == 0 &&
		   shoper_index_lookup_order(r, "s", "2", &got, &err) == 0,
	   "an explicit refresh still notices the new file");
	shoper_index_reader_set_check_interval(r, 0);
	{
		struct shoper_index_writer *w = shoper_index_writer_new(0);

		ok(shoper_index_writer_add(w, &o[0], &err) == 0 &&
			   shoper_index_writer_publish(w, path, &err) == 0 &&
			   shoper_index_writer_add(w, &o[2], &err) == 0 &&
			   shoper_index_writer_publish(w, path, &err) == 0 &&
			   shoper_index_lookup_order(r, "s", "1", &got, &err) ==
				   1 &&
			   test_order_eq(&got, &o[2]) &&
			   shoper_index_reader_verify(r, &err) == 0,
		   "adding after a publish still replaces the same order");
		shoper_index_writer_free(&w);
	}
	shoper_index_reader_free(&r);
}

/* A reader over the file's bytes in memory answers like one over the
   file; a cut buffer is an error, not a read past its end. */
static void test_buffer(void)
{
	struct shoper_order o[2], got;
	struct shoper_index_result *res = malloc(sizeof(*res));
	struct shoper_index_reader *r;
	unsigned char *buf = NULL;
	size_t size = 0;
	FILE *f;

	o[0] = test_order("s", "1", "2026-11-01 10:00:00", "a@b.pl");
	o[1] = test_order("t", "2", "2026-11-02 10:00:00", "a@b.pl");
	ok(test_publish(o, 2, 0, path) == 0, "publish for the buffer reader");
	f = fopen(path, "rb");
	if (f != NULL && fseek(f, 0, SEEK_END) == 0) {
		size = (size_t)ftell(f);
		rewind(f);
		buf = malloc(size);
		if (fread(buf, 1, size, f) != size)
			size = 0;
	}
	if (f != NULL)
		fclose(f);
	r = shoper_index_reader_new_buffer(buf, size);
	ok(size > 0 &&
		   shoper_index_lookup_email(r, "A@B.pl", NULL, 0, 0, res,
					     &err) == 1 &&
		   res->count == 2 && test_order_eq(&res->orders[0], &o[1]) &&
		   shoper_index_lookup_order(r, "s", "1", &got, &err) == 1 &&
		   test_order_eq(&got, &o[0]) &&
		   shoper_index_reader_verify(r, &err) == 0,
	   "buffer reader: same orders as the file");
	shoper_index_reader_free(&r);
	r = shoper_index_reader_new_buffer(buf, size - 1);
	ok(shoper_index_lookup_email(r, "a@b.pl", NULL, 0, 0, res, &err) ==
			   -1 &&
		   strstr(err.msg, "index buffer") != NULL,
	   "buffer reader: a file cut by one byte is an error (%s)", err.msg);
	shoper_index_reader_free(&r);
	free(buf);
	free(res);
}

int main(void)
{
	dir = test_tmpdir();
	snprintf(path, sizeof(path), "%s/orders.cdb", dir);
	test_basic();
	test_cap();
	test_hostile();
	test_huge_and_empty();
	test_replace_and_dup();
	test_buffer();
	test_rmdir(dir);
	free(dir);
	return tap_done();
}
