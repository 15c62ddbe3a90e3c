/* libFuzzer target for the index reader and the record decoders.
   The first input byte picks what the rest is:
     0: a whole index file (refresh, both lookups, verify);
     1: an e-mail record value (decoded with a fixed, valid meta);
     2: a meta record value.
   Seeds: tests/fuzz/index/. Built only with clang (make check with
   HAVE_FUZZER); run: ./fuzz-index-reader -max_total_time=60 CORPUS_DIR */
#include "index-private.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* A meta with 2 shops, 2 statuses, 1 currency, 1 synced, 1 URL base. */
static const unsigned char fixed_meta[] = "SHOPIDX\x01\x00\x14"
					  "\x02\x06sklep1\x06sklep2"
					  "\x02\x01"
					  "1\x04Nowe\x01\x01"
					  "3\x08Wys\xc5\x82"
					  "ane\x03"
					  "\x01\x03PLN"
					  "\x01\x13"
					  "2026-11-29 10:15:00"
					  "\x01\x19https://sklep1.example.pl";

static void fuzz_file(const unsigned char *data, size_t size)
{
	static struct shoper_index_result res;
	struct shoper_index_reader *r;
	struct shoper_error err;
	struct shoper_order o;
	const char *shops[] = {"sklep2"};
	unsigned char *copy;

	/* an exact-size heap copy so ASan sees any read past the end; the
	   reader parses it as it would a mapped file */
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	r = shoper_index_reader_new_buffer(copy, size);
	if (shoper_index_reader_refresh(r, &err) == 0) {
		(void)shoper_index_lookup_email(r, "jan@example.pl", NULL, 0, 0,
						&res, &err);
		(void)shoper_index_lookup_email(r, "jan@example.pl", shops, 1,
						1, &res, &err);
		(void)shoper_index_lookup_order(r, "sklep1", "12345", &o, &err);
		(void)shoper_index_lookup_order(r, "sklep2", "1", &o, &err);
		(void)shoper_index_reader_verify(r, &err);
	}
	shoper_index_reader_free(&r);
	free(copy);
}

static void fuzz_record(const unsigned char *data, size_t size)
{
	static struct shoper_index_meta *meta;
	static struct shoper_index_result res;
	static const char key[] = "jan@example.pl";
	struct shoper_error err;
	unsigned char *copy;

	if (meta == NULL) {
		meta = shoper_index_meta_parse(fixed_meta,
					       sizeof(fixed_meta) - 1, &err);
		if (meta == NULL)
			abort();
	}
	/* an exact-size heap copy so ASan sees any over-read */
	copy = malloc(size == 0 ? 1 : size);
	memcpy(copy, data, size);
	if (shoper_record_decode(meta, (const unsigned char *)key,
				 sizeof(key) - 1, copy, size, &res,
				 &err) == 0) {
		unsigned int i;
		size_t sum = 0;

		/* touch every returned byte */
		for (i = 0; i < res.count; i++) {
			const struct shoper_order *ord = &res.orders[i];
			const struct shoper_str *s[] = {
				&ord->shop,     &ord->order_id,
				&ord->date,     &ord->status_name,
				&ord->total,    &ord->email,
				&ord->url,      &ord->customer,
				&ord->tracking, &ord->delivery_email,
				&ord->shipping, &ord->tracking_url,
			};
			size_t j, k;

			for (j = 0; j < sizeof(s) / sizeof(s[0]); j++)
				for (k = 0; k < s[j]->len; k++)
					sum += (unsigned char)s[j]->ptr[k];
		}
		if (sum == 1)
			res.count = 0;
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct shoper_index_meta *meta;
	struct shoper_error err;
	unsigned char *copy;

	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_file(data + 1, size - 1);
		break;
	case 1:
		fuzz_record(data + 1, size - 1);
		break;
	case 2:
		copy = malloc(size);
		memcpy(copy, data + 1, size - 1);
		meta = shoper_index_meta_parse(copy, size - 1, &err);
		shoper_index_meta_free(&meta);
		free(copy);
		break;
	}
	return 0;
}
