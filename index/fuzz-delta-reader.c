/* libFuzzer target for the delta reader (doc/index-format.md §10): the
   input's first byte picks the base generation the delta is checked
   against (even: the one the delta names, so the fuzzer gets past the
   binding; odd: 4660, mostly a refusal), the rest is the delta file.
   Then order-key lookups and e-mail merges over a small fake base
   result. Seeds: tests/fuzz/delta/. Built only with clang (HAVE_FUZZER). */
#include "index-private.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* the delta_of its meta names, or 0 */
static uint64_t named_base(const unsigned char *p, size_t size)
{
	struct shoper_index_meta *meta;
	struct shoper_error err;
	struct shoper_str val;
	struct shoper_cdb db;
	uint64_t g = 0;

	if (shoper_cdb_init(&db, p, size, &err) < 0 ||
	    shoper_cdb_find(&db, SHOPER_INDEX_META_KEY,
			    SHOPER_INDEX_META_KEY_LEN, &val, &err) != 1)
		return 0;
	meta = shoper_index_meta_parse((const unsigned char *)val.ptr, val.len,
				       &err);
	if (meta != NULL)
		g = meta->delta_of;
	shoper_index_meta_free(&meta);
	return g;
}

static void fake_base(struct shoper_index_result *res)
{
	static const char *const ids[] = {"1", "2", "12345"};

	memset(res, 0, sizeof(*res));
	for (unsigned int i = 0; i < 3; i++) {
		struct shoper_order *o = &res->orders[res->count++];

		o->shop.ptr = i == 2 ? "sklep2" : "s1";
		o->shop.len = strlen(o->shop.ptr);
		o->order_id.ptr = ids[i];
		o->order_id.len = strlen(ids[i]);
		o->date.ptr = "2026-11-01 10:00:00";
		o->date.len = 19;
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct shoper_index_result res;
	static struct shoper_delta d;
	const char *shops[] = {"s1"};
	struct shoper_error err;
	struct shoper_order o;
	unsigned char *copy;
	uint64_t gen;

	if (size == 0)
		return 0;
	/* an exact-size heap copy so ASan sees any read past the end */
	copy = malloc(size - 1 == 0 ? 1 : size - 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	gen = data[0] % 2 == 0 ? named_base(copy, size - 1) : 4660;
	if (gen != 0 &&
	    shoper_delta_use_buffer(&d, copy, size - 1, gen, &err) == 0) {
		(void)shoper_delta_find_order(&d, "#s1:1", 5, &o, &err);
		(void)shoper_delta_find_order(&d, "#s1:3", 5, &o, &err);
		(void)shoper_delta_find_order(&d, "#sklep1:12345", 13, &o,
					      &err);
		fake_base(&res);
		(void)shoper_delta_merge_email(&d, 20, "jan@example.pl", 14,
					       NULL, 0, 0, &res, &err);
		fake_base(&res);
		(void)shoper_delta_merge_email(&d, 1, "ewa@example.pl", 14,
					       shops, 1, 2, &res, &err);
	}
	shoper_delta_unmap(&d);
	free(copy);
	return 0;
}
