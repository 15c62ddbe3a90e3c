/* Damaged files of every kind give an error, never a crash or a read
   outside the map: missing, empty, truncated, zeroed, random, wrong magic
   or version, no meta, bad records and pointers, every byte flipped. */
#define _GNU_SOURCE /* memmem */
#include "test-common.h"
#include "index-private.h"

#include <cdb.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[4096];
static struct shoper_error err;

/* Refresh, both lookups and a verify on the current file; returns how
   many of them failed with -1. */
static int probe(struct shoper_index_reader *r)
{
	static struct shoper_index_result res;
	struct shoper_order o;
	int fails = 0;

	fails += shoper_index_reader_refresh(r, &err) < 0;
	fails += shoper_index_lookup_email(r, "jan@example.pl", NULL, 0, 0,
					   &res, &err) < 0;
	fails += shoper_index_lookup_order(r, "sklep1", "101", &o, &err) < 0;
	fails += shoper_index_lookup_order(r, "sklep1", "7", &o, &err) < 0;
	fails += shoper_index_reader_verify(r, &err) < 0;
	return fails;
}

static unsigned char *good_file(size_t *len_r)
{
	struct shoper_order o[4];

	o[0] = test_order("sklep1", "100", "2026-11-01 10:00:00",
			  "jan@example.pl");
	o[1] = test_order("sklep1", "101", "2026-11-02 10:00:00",
			  "Jan@Example.pl");
	o[2] = test_order("sklep2", "5", "2026-11-03 10:00:00",
			  "ewa@example.pl");
	o[3] = test_order("sklep1", "7", "2026-11-03 10:00:00", "");
	if (test_publish(o, 4, 1, path) < 0)
		return NULL;
	return test_read_file(path, len_r);
}

static void test_files(struct shoper_index_reader *r, unsigned char *good,
		       size_t len)
{
	unsigned char *buf = malloc(len + 4096);
	unsigned int state = 12345, i, bad;
	size_t n;

	unlink(path);
	ok(probe(r) == 5, "missing file: every call fails");
	ok(test_write_file(path, "", 0) == 0 && probe(r) == 5,
	   "empty file: every call fails");
	for (n = 0, bad = 0; n < len; n++) {
		test_write_file(path, good, n);
		bad += probe(r) == 5;
	}
	ok(bad == len, "truncated at every length: all %zu fail", len);
	memset(buf, 0, len);
	ok(test_write_file(path, buf, len) == 0 && probe(r) == 5,
	   "zeroed file fails");
	for (i = 0, bad = 0; i < 50; i++) {
		for (n = 0; n < len; n++) {
			state = state * 1103515245 + 12345;
			buf[n] = state >> 16;
		}
		test_write_file(path, buf, len);
		bad += probe(r) == 5;
	}
	ok(bad == 50, "random files fail (50 tries)");
	memcpy(buf, good, len);
	memset(buf + len, 0, 4096);
	ok(test_write_file(path, buf, len + 4096) == 0 && probe(r) == 0,
	   "bytes after the hash tables are ignored (as in cdb)");
	ok(test_write_file(path, good, len) == 0 && probe(r) == 0,
	   "good file again works (reader recovers)");
	free(buf);
}

static void test_meta(struct shoper_index_reader *r, unsigned char *good,
		      size_t len)
{
	unsigned char *copy = malloc(len), *m;

	memcpy(copy, good, len);
	m = memmem(copy, len, SHOPER_INDEX_MAGIC, SHOPER_INDEX_MAGIC_LEN);
	ok(m != NULL, "meta record found in file");
	if (m == NULL)
		return;
	m[SHOPER_INDEX_MAGIC_LEN] = SHOPER_INDEX_FORMAT_VERSION + 1;
	test_write_file(path, copy, len);
	ok(probe(r) == 5 && strstr(err.msg, "version") != NULL,
	   "wrong version fails: %s", err.msg);
	m[SHOPER_INDEX_MAGIC_LEN] = SHOPER_INDEX_FORMAT_VERSION;
	m[0] = 'X';
	test_write_file(path, copy, len);
	ok(probe(r) == 5 && strstr(err.msg, "magic") != NULL,
	   "wrong magic fails: %s", err.msg);
	free(copy);
}

/* A hand-made cdb with the good meta and the given records. */
static int make_cdb(const struct shoper_str *meta, const char *const *kv,
		    const size_t *vlens, unsigned int n)
{
	struct cdb_make cm;
	unsigned int i;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || cdb_make_start(&cm, fd) < 0)
		return -1;
	if (meta != NULL)
		cdb_make_add(&cm, SHOPER_INDEX_META_KEY,
			     SHOPER_INDEX_META_KEY_LEN, meta->ptr, meta->len);
	for (i = 0; i < n; i++)
		cdb_make_add(&cm, kv[2 * i], strlen(kv[2 * i]), kv[2 * i + 1],
			     vlens[i]);
	cdb_make_finish(&cm);
	close(fd);
	return 0;
}

static void test_records(struct shoper_index_reader *r, unsigned char *good,
			 size_t len)
{
	static struct shoper_index_result res;
	struct shoper_order o;
	unsigned char *m = memmem(good, len, SHOPER_INDEX_MAGIC, 7);
	struct shoper_str meta = {(const char *)m, 0};
	/* the meta value's length is the 4 bytes before its key */
	const char *kv[] = {
		"jan@example.pl", "\x01\x00",
		"#sklep1:101",    "\x01\x90\x4e\x00",
		"#sklep1:7",      "\x01\x80\x10\x00",
		"ewa@example.pl", "\x02",
		"#sklep1:100",    "\x07",
	};
	size_t vlens[] = {2, 4, 4, 1, 1};
	unsigned char vl[4];

	memcpy(vl, m - 5 - 4, 4);
	meta.len = cdb_unpack(vl);
	ok(make_cdb(NULL, kv, vlens, 0) == 0 && probe(r) == 5 &&
		   strstr(err.msg, "meta") != NULL,
	   "cdb without meta fails: %s", err.msg);
	ok(make_cdb(&meta, kv, vlens, 5) == 0 &&
		   shoper_index_reader_refresh(r, &err) == 0,
	   "hand-made cdb with good meta opens");
	ok(shoper_index_lookup_email(r, "jan@example.pl", NULL, 0, 0, &res,
				     &err) < 0,
	   "truncated e-mail record fails: %s", err.msg);
	ok(shoper_index_lookup_email(r, "ewa@example.pl", NULL, 0, 0, &res,
				     &err) < 0,
	   "record count beyond the value fails");
	ok(shoper_index_lookup_order(r, "sklep1", "101", &o, &err) < 0,
	   "pointer past the records fails: %s", err.msg);
	ok(shoper_index_lookup_order(r, "sklep1", "7", &o, &err) < 0,
	   "pointer to the wrong place fails: %s", err.msg);
	ok(shoper_index_lookup_order(r, "sklep1", "100", &o, &err) < 0,
	   "unknown order value kind fails");
	ok(shoper_index_reader_verify(r, &err) < 0, "verify finds the damage");
}

static void test_flips(struct shoper_index_reader *r, unsigned char *good,
		       size_t len)
{
	unsigned char *copy = malloc(len);
	size_t i;
	unsigned int errors = 0;

	/* no assertion about which flips are noticed (some bytes are
	   unused); surviving all of them without a crash is the test */
	for (i = 0; i < len; i++) {
		memcpy(copy, good, len);
		copy[i] ^= 0xff;
		test_write_file(path, copy, len);
		errors += probe(r) > 0;
	}
	ok(errors > 0, "every byte flipped: no crash, %u of %zu noticed",
	   errors, len);
	free(copy);
}

int main(void)
{
	char *dir = test_tmpdir();
	struct shoper_index_reader *r;
	unsigned char *good;
	size_t len;

	snprintf(path, sizeof(path), "%s/orders.cdb", dir);
	good = good_file(&len);
	ok(good != NULL, "good file published (%zu bytes)", len);
	if (good == NULL)
		return tap_done();
	r = shoper_index_reader_new(path);
	ok(probe(r) == 0, "good file: every call succeeds");
	test_files(r, good, len);
	test_meta(r, good, len);
	test_records(r, good, len);
	test_flips(r, good, len);
	shoper_index_reader_free(&r);
	free(good);
	test_rmdir(dir);
	free(dir);
	return tap_done();
}
