/* libFuzzer target for the record decoders alone: meta and e-mail record
   fuzzed together, with the shop filter and result cap the plugin uses.
   Input: byte 0 = flags (bits 0-1: shop filter, bits 2-7: max orders),
   byte 1 = key choice, bytes 2-3 = meta length (little endian), the meta
   value, then the e-mail record value. Every decoded byte is read back
   and each decoded string must lie inside the input, the key or the
   meta's scratch (checked by ASan, plus an explicit abort()).
   Seeds: tests/fuzz/record-decode/. Built only with clang (HAVE_FUZZER). */
#include "index-private.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char *const keys[] = {
	"jan@example.pl",
	"ola@example.pl",
	"x@y",
	"a.very.long.local.part+tag@sub.domain.example.com",
};

static size_t touch(const struct shoper_str *s)
{
	size_t k, sum = 0;

	if (s->len > 0 && s->ptr == NULL)
		abort();
	for (k = 0; k < s->len; k++)
		sum += (unsigned char)s->ptr[k];
	return sum;
}

static void check_result(const struct shoper_index_result *res,
			 unsigned int max)
{
	size_t sum = 0;
	unsigned int i;

	if (res->count > SHOPER_INDEX_MAX_RESULT || res->count > max)
		abort();
	for (i = 0; i < res->count; i++) {
		const struct shoper_order *o = &res->orders[i];
		const struct shoper_str *s[] = {
			&o->shop,           &o->order_id,    &o->date,
			&o->status_id,      &o->status_name, &o->total,
			&o->currency,       &o->tracking,    &o->customer,
			&o->email,          &o->url,         &o->synced,
			&o->delivery_email, &o->shipping,    &o->tracking_url,
		};
		size_t j;

		if ((unsigned int)o->status_type >
		    SHOPER_STATUS_TYPE_NOT_COMPLETED)
			abort();
		for (j = 0; j < sizeof(s) / sizeof(s[0]); j++)
			sum += touch(s[j]);
	}
	/* keep the reads */
	if (sum == 1)
		__asm__ volatile("" ::: "memory");
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct shoper_index_result res;
	struct shoper_index_meta *meta;
	struct shoper_error err;
	unsigned char *mcopy, *rcopy;
	size_t mlen, rlen;
	bool *shop_ok;
	unsigned int max, i;
	const char *key;
	struct shoper_str k;

	if (size < 4)
		return 0;
	key = keys[data[1] % (sizeof(keys) / sizeof(keys[0]))];
	mlen = data[2] | (size_t)data[3] << 8;
	if (mlen > size - 4)
		mlen = size - 4;
	rlen = size - 4 - mlen;
	/* exact-size heap copies so ASan sees any over-read */
	mcopy = malloc(mlen + 1);
	rcopy = malloc(rlen + 1);
	memcpy(mcopy, data + 4, mlen);
	memcpy(rcopy, data + 4 + mlen, rlen);

	meta = shoper_index_meta_parse(mcopy, mlen, &err);
	if (meta != NULL) {
		k.ptr = key;
		k.len = strlen(key);
		if (shoper_record_decode(meta, (const unsigned char *)key,
					 k.len, rcopy, rlen, &res, &err) == 0)
			check_result(&res, SHOPER_INDEX_MAX_RESULT);
		/* the plugin's path: shops filtered, results capped */
		shop_ok = calloc(meta->shops.count + 1, sizeof(*shop_ok));
		for (i = 0; i < meta->shops.count; i++)
			shop_ok[i] = ((data[0] >> (i % 2)) & 1) != 0;
		max = data[0] >> 2;
		if (shoper_record_decode_filtered(meta, &k, rcopy, rlen,
						  shop_ok, max, &res,
						  &err) == 0)
			check_result(&res,
				     max == 0 ? SHOPER_INDEX_MAX_RESULT : max);
		free(shop_ok);
		shoper_index_meta_free(&meta);
	}
	free(mcopy);
	free(rcopy);
	return 0;
}
