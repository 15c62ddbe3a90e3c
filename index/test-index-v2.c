/* Format version 2: the delivery_email as a second key, the shipping
   method (name, tracking URL template), reading version-1 files, skipping
   fields a later version appends, refusing unknown versions. */
#include "test-common.h"

#include <cdb.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dir, path[4096];
static struct shoper_error err;

/* ---- hand-made files, byte for byte as doc/index-format.md says ---- */
struct hbuf {
	unsigned char b[4096];
	size_t n;
};

static void h_bytes(struct hbuf *h, const void *p, size_t n)
{
	memcpy(h->b + h->n, p, n);
	h->n += n;
}

static void h_varint(struct hbuf *h, unsigned long long v)
{
	do {
		unsigned char c = v & 0x7f;

		v >>= 7;
		if (v != 0)
			c |= 0x80;
		h->b[h->n++] = c;
	} while (v != 0);
}

static void h_str(struct hbuf *h, const char *s)
{
	h_varint(h, strlen(s));
	h_bytes(h, s, strlen(s));
}

/* Meta of the doc's example (one shop s1, status 1 Nowe, PLN, a synced
   time, one URL base); version 2 adds the shippings table. */
static void h_meta(struct hbuf *m, unsigned int version)
{
	h_bytes(m, "SHOPIDX", 7);
	h_varint(m, version);
	h_varint(m, 1700000000);
	h_varint(m, 20);
	h_varint(m, 1), h_str(m, "s1");
	h_varint(m, 1), h_str(m, "1"), h_str(m, "Nowe"), h_varint(m, 1);
	h_varint(m, 1), h_str(m, "PLN");
	h_varint(m, 1), h_str(m, "2026-11-29 10:00:00");
	h_varint(m, 1), h_str(m, "https://s1.example.pl");
	if (version >= 2) {
		h_varint(m, 1), h_str(m, "Kurier");
		h_str(m, "https://t.example/?n={tracking_number}");
	}
}

/* The version-1 fields of the doc's example order (url from base #0). */
static void h_order_v1(struct hbuf *o)
{
	h_varint(o, 0), h_str(o, "12"), h_str(o, "2026-11-01 10:00:00");
	h_varint(o, 0), h_str(o, "9.99"), h_varint(o, 0);
	o->b[o->n++] = 0x05; /* paid | url from base */
	h_str(o, "Jan@X.pl"), h_str(o, ""), h_str(o, "A B");
	h_varint(o, 0), h_varint(o, 0);
}

/* Writes a file of one e-mail record (key jan@x.pl, one order) with
   its order key and the meta record. */
static int h_write(unsigned int version, const struct hbuf *order)
{
	struct hbuf rec = {{0}, 0}, okey = {{0}, 0}, meta = {{0}, 0};
	struct cdb_make cm;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), ret;

	if (fd < 0)
		return -1;
	h_varint(&rec, 1);
	if (version >= 2)
		h_varint(&rec, order->n);
	h_bytes(&rec, order->b, order->n);
	okey.b[okey.n++] = 1; /* pointer: record at 2048, order 0 */
	h_varint(&okey, 2048), h_varint(&okey, 0);
	h_meta(&meta, version);
	ret = cdb_make_start(&cm, fd) < 0 ||
			      cdb_make_add(&cm, "jan@x.pl", 8, rec.b, rec.n) <
				      0 ||
			      cdb_make_add(&cm, "#s1:12", 6, okey.b, okey.n) <
				      0 ||
			      cdb_make_add(&cm, "\0meta", 5, meta.b, meta.n) <
				      0 ||
			      cdb_make_finish(&cm) < 0
		      ? -1
		      : 0;
	close(fd);
	return ret;
}

static void test_read_v1(void)
{
	struct shoper_index_result *res = malloc(sizeof(*res));
	struct shoper_index_reader *r;
	struct shoper_order got;
	struct hbuf o = {{0}, 0};

	h_order_v1(&o);
	ok(h_write(1, &o) == 0, "hand-made version-1 file written");
	r = shoper_index_reader_new(path);
	ok(shoper_index_lookup_email(r, "jan@x.pl", NULL, 0, 0, res, &err) ==
			   1 &&
		   res->count == 1,
	   "a version-2 reader reads a version-1 file: %s", err.msg);
	ok(res->count == 1 && test_str_eq(&res->orders[0].order_id, "12") &&
		   test_str_eq(&res->orders[0].email, "Jan@X.pl") &&
		   test_str_eq(&res->orders[0].customer, "A B") &&
		   test_str_eq(&res->orders[0].url,
			       "https://s1.example.pl/admin/orders/view/id/12"),
	   "version-1 fields exact");
	ok(res->count == 1 && res->orders[0].delivery_email.len == 0 &&
		   res->orders[0].shipping.len == 0 &&
		   res->orders[0].tracking_url.len == 0 &&
		   res->orders[0].shipping.ptr != NULL,
	   "version-2 fields are empty (not NULL) in a version-1 file");
	ok(shoper_index_lookup_order(r, "s1", "12", &got, &err) == 1 &&
		   shoper_index_reader_verify(r, &err) == 0,
	   "version-1 order key and verify");
	shoper_index_reader_free(&r);
	free(res);
}

static void test_versions(void)
{
	struct shoper_index_result *res = malloc(sizeof(*res));
	struct shoper_index_reader *r;
	struct hbuf o = {{0}, 0};
	size_t short_len;

	/* a later version's field at the end of the order: skipped */
	h_order_v1(&o);
	h_str(&o, "Odbior@X.pl"), h_varint(&o, 0);
	short_len = o.n;
	h_str(&o, "a field of version 3"), h_varint(&o, 77);
	ok(h_write(2, &o) == 0, "hand-made version-2 file written");
	r = shoper_index_reader_new(path);
	ok(shoper_index_lookup_email(r, "jan@x.pl", NULL, 0, 0, res, &err) ==
			   1 &&
		   res->count == 1 &&
		   test_str_eq(&res->orders[0].delivery_email, "Odbior@X.pl") &&
		   test_str_eq(&res->orders[0].shipping, "Kurier") &&
		   test_str_eq(&res->orders[0].tracking_url,
			       "https://t.example/?n={tracking_number}"),
	   "bytes after an order's known fields are skipped: %s", err.msg);
	ok(shoper_index_reader_verify(r, &err) == 0, "and verify passes");
	shoper_index_reader_free(&r);

	/* the length cuts the order short: damage, not a guess */
	o.n = short_len - 1;
	ok(h_write(2, &o) == 0, "short version-2 order written");
	r = shoper_index_reader_new(path);
	ok(shoper_index_lookup_email(r, "jan@x.pl", NULL, 0, 0, res, &err) ==
		   -1,
	   "an order shorter than its fields is an error");
	shoper_index_reader_free(&r);

	o.n = short_len;
	ok(h_write(3, &o) == 0, "version-3 file written");
	r = shoper_index_reader_new(path);
	ok(shoper_index_reader_refresh(r, &err) == -1 &&
		   strstr(err.msg, "version 3") != NULL,
	   "a later version is refused as a whole: %s", err.msg);
	shoper_index_reader_free(&r);
	ok(h_write(0, &o) == 0, "version-0 file written");
	r = shoper_index_reader_new(path);
	ok(shoper_index_reader_refresh(r, &err) == -1, "version 0 is refused");
	shoper_index_reader_free(&r);
	free(res);
}

static bool lookup1(struct shoper_index_reader *r, const char *email,
		    struct shoper_index_result *res, unsigned int count)
{
	return shoper_index_lookup_email(r, email, NULL, 0, 0, res, &err) ==
		       (count > 0 ? 1 : 0) &&
	       res->count == count;
}

static void test_delivery_key(void)
{
	struct shoper_index_result *res = malloc(sizeof(*res));
	struct shoper_index_reader *r;
	struct shoper_order o[4], got, want;

	o[0] = test_order("sklep1", "10", "2026-11-01 10:00:00",
			  "Jan@Example.pl");
	o[0].delivery_email = test_str(" Odbior@Example.PL");
	o[1] = test_order("sklep1", "11", "2026-11-02 10:00:00",
			  "jan@example.pl");
	o[1].delivery_email = test_str("JAN@example.pl"); /* same key */
	o[2] = test_order("sklep1", "12", "2026-11-03 10:00:00", "");
	o[2].delivery_email = test_str("solo@example.pl");
	o[3] = test_order("sklep2", "13", "2026-11-04 10:00:00",
			  "odbior@example.pl");
	ok(test_publish(o, 4, 0, path) == 0, "publish with delivery e-mails");
	r = shoper_index_reader_new(path);
	ok(lookup1(r, "odbior@example.pl", res, 2) &&
		   test_order_eq(&res->orders[0], &o[3]) &&
		   test_order_eq(&res->orders[1], &o[0]),
	   "the delivery address finds the order, newest first among its "
	   "own");
	ok(lookup1(r, "jan@example.pl", res, 2) &&
		   test_order_eq(&res->orders[1], &o[0]) &&
		   test_str_eq(&res->orders[1].email, "Jan@Example.pl"),
	   "the e-mail still finds it, delivery_email kept as sent");
	want = o[1];
	want.delivery_email = test_str("");
	ok(test_order_eq(&res->orders[0], &want),
	   "a delivery_email of the same key is not stored");
	ok(lookup1(r, "solo@example.pl", res, 1) &&
		   test_order_eq(&res->orders[0], &o[2]) &&
		   shoper_index_lookup_order(r, "sklep1", "12", &got, &err) ==
			   1 &&
		   test_order_eq(&got, &o[2]),
	   "an order with only a delivery address is found by it");
	ok(shoper_index_lookup_order(r, "sklep1", "10", &got, &err) == 1 &&
		   test_order_eq(&got, &o[0]),
	   "order key finds the order once, with its delivery_email");
	ok(shoper_index_reader_verify(r, &err) == 0, "verify: %s", err.msg);
	shoper_index_reader_free(&r);

	/* max 1 per shop: under the delivery key o[0] is the older one of
	   no shop but its own, so it stays; with o[3] in sklep1 it goes */
	o[3].shop = test_str("sklep1");
	ok(test_publish(o, 4, 1, path) == 0, "publish with max_orders 1");
	r = shoper_index_reader_new(path);
	ok(lookup1(r, "odbior@example.pl", res, 1) &&
		   test_order_eq(&res->orders[0], &o[3]),
	   "the delivery key record is capped like any other");
	ok(shoper_index_lookup_order(r, "sklep1", "10", &got, &err) == 1 &&
		   test_order_eq(&got, &o[0]) &&
		   shoper_index_reader_verify(r, &err) == 0,
	   "the capped order keeps its order key");
	shoper_index_reader_free(&r);
	free(res);
}

static void test_replace(void)
{
	struct shoper_index_result *res = malloc(sizeof(*res));
	struct shoper_index_writer *w = shoper_index_writer_new(0);
	struct shoper_index_reader *r;
	struct shoper_order a, b;

	a = test_order("sklep1", "20", "2026-11-01 10:00:00", "a@example.pl");
	a.delivery_email = test_str("old@example.pl");
	b = a;
	b.delivery_email = test_str("new@example.pl");
	ok(shoper_index_writer_add(w, &a, &err) == SHOPER_INDEX_ADD_OK &&
		   shoper_index_writer_add(w, &b, &err) ==
			   SHOPER_INDEX_ADD_OK &&
		   shoper_index_writer_publish(w, path, &err) == 0,
	   "the same order twice, another delivery address");
	shoper_index_writer_free(&w);
	r = shoper_index_reader_new(path);
	ok(lookup1(r, "old@example.pl", res, 0),
	   "the earlier add's delivery key is gone with it");
	ok(lookup1(r, "new@example.pl", res, 1) &&
		   test_order_eq(&res->orders[0], &b) &&
		   lookup1(r, "a@example.pl", res, 1),
	   "the later add is found by both its keys");
	shoper_index_reader_free(&r);
	free(res);
}

static void test_shipping_fields(void)
{
	static const char hostile[] = "Kurier\r\nX-Evil: 1\0x";
	struct shoper_index_result *res = malloc(sizeof(*res));
	struct shoper_index_reader *r;
	struct shoper_order o[3], got;

	o[0] = test_order("sklep1", "30", "2026-11-01 10:00:00",
			  "s@example.pl");
	o[0].shipping.ptr = hostile;
	o[0].shipping.len = sizeof(hostile) - 1;
	o[0].tracking_url = test_str("javascript:{tracking_number}\r\n");
	o[1] = test_order("sklep1", "31", "2026-11-02 10:00:00", "");
	o[1].shipping = test_str("Paczkomat");
	o[2] = test_order("sklep1", "32", "2026-11-03 10:00:00",
			  "s@example.pl");
	o[2].shipping = test_str("");
	o[2].tracking_url = test_str("");
	ok(test_publish(o, 3, 0, path) == 0, "publish shipping fields");
	r = shoper_index_reader_new(path);
	ok(lookup1(r, "s@example.pl", res, 2) &&
		   test_order_eq(&res->orders[0], &o[2]) &&
		   test_order_eq(&res->orders[1], &o[0]),
	   "shipping name and template kept byte for byte (NUL, CR LF)");
	ok(shoper_index_lookup_order(r, "sklep1", "31", &got, &err) == 1 &&
		   test_order_eq(&got, &o[1]),
	   "and in an inline order");
	shoper_index_reader_free(&r);
	free(res);
}

int main(void)
{
	dir = test_tmpdir();
	snprintf(path, sizeof(path), "%s/orders.cdb", dir);
	test_read_v1();
	test_versions();
	test_delivery_key();
	test_replace();
	test_shipping_fields();
	test_rmdir(dir);
	free(dir);
	return tap_done();
}
