/* An e-mail lookup through the delta: the base's orders under the key
   minus those the delta changed or deleted, plus the delta's own under
   the key, sorted and capped as the base's records are (§5, §10). */
#include "index-private.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const struct shoper_str *a, const struct shoper_str *b)
{
	int r = memcmp(a->ptr, b->ptr, a->len < b->len ? a->len : b->len);

	if (r != 0)
		return r;
	return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static uint64_t order_num(const struct shoper_str *id)
{
	uint64_t n = 0;

	if (id->len == 0 || id->len > 19)
		return 0;
	for (size_t i = 0; i < id->len; i++) {
		if (id->ptr[i] < '0' || id->ptr[i] > '9')
			return 0;
		n = n * 10 + (uint64_t)(id->ptr[i] - '0');
	}
	return n;
}

/* Newest first, as in an e-mail record; shops by name (the two files
   number them apart). */
static int cmp_newest(const void *pa, const void *pb)
{
	const struct shoper_order *a = pa, *b = pb;
	uint64_t na = order_num(&a->order_id), nb = order_num(&b->order_id);
	int r = cmp_str(&b->date, &a->date);

	if (r != 0)
		return r;
	if (na != nb)
		return na > nb ? -1 : 1;
	r = cmp_str(&b->order_id, &a->order_id);
	return r != 0 ? r : cmp_str(&a->shop, &b->shop);
}

/* 1: the delta has the order's key (changed or deleted), 0 not, -1. */
static int in_delta(const struct shoper_delta *d, const struct shoper_order *o,
		    struct shoper_error *err)
{
	char key[2048];
	struct shoper_str val;

	if (o->shop.len + o->order_id.len + 2 > sizeof(key))
		return 0; /* no writer makes such a key */
	key[0] = '#';
	memcpy(key + 1, o->shop.ptr, o->shop.len);
	key[o->shop.len + 1] = ':';
	memcpy(key + o->shop.len + 2, o->order_id.ptr, o->order_id.len);
	return shoper_cdb_find(&d->db, key, o->shop.len + o->order_id.len + 2,
			       &val, err);
}

static bool shop_wanted(const struct shoper_str *shop, const char *const *shops,
			unsigned int n_shops)
{
	if (shops == NULL)
		return true;
	for (unsigned int i = 0; i < n_shops; i++) {
		if (strlen(shops[i]) == shop->len &&
		    memcmp(shops[i], shop->ptr, shop->len) == 0)
			return true;
	}
	return false;
}

/* Shop filter, at most per_shop a shop, at most max in all. */
static void cap(struct shoper_index_result *res, unsigned int per_shop,
		const char *const *shops, unsigned int n_shops,
		unsigned int max)
{
	unsigned int i, j, n = 0, same;

	for (i = 0; i < res->count; i++) {
		const struct shoper_order *o = &res->orders[i];

		if (!shop_wanted(&o->shop, shops, n_shops) ||
		    (max > 0 && n >= max))
			continue;
		for (same = 0, j = 0; j < n; j++)
			same += cmp_str(&res->orders[j].shop, &o->shop) == 0;
		if (per_shop > 0 && same >= per_shop)
			continue;
		if (n != i)
			res->orders[n] = *o;
		n++;
	}
	res->count = n;
}

int shoper_delta_merge_email(struct shoper_delta *d, unsigned int per_shop,
			     const char *key, size_t key_len,
			     const char *const *shops, unsigned int n_shops,
			     unsigned int max_orders,
			     struct shoper_index_result *result,
			     struct shoper_error *err)
{
	struct shoper_str val, k;
	unsigned int i, n = 0;
	int ret;

	for (i = 0; i < result->count; i++) {
		ret = in_delta(d, &result->orders[i], err);
		if (ret < 0)
			return -1;
		if (ret == 0)
			result->orders[n++] = result->orders[i];
	}
	result->count = n;
	ret = shoper_cdb_find(&d->db, key, key_len, &val, err);
	if (ret < 0)
		return -1;
	if (ret > 0) {
		k.ptr = val.ptr - key_len;
		k.len = key_len;
		if (shoper_record_decode_filtered(
			    d->meta, &k, (const unsigned char *)val.ptr,
			    val.len, NULL, 0, d->res, err) < 0)
			return -1;
		for (i = 0; i < d->res->count &&
			    result->count < SHOPER_INDEX_MAX_RESULT;
		     i++)
			result->orders[result->count++] = d->res->orders[i];
	}
	qsort(result->orders, result->count, sizeof(result->orders[0]),
	      cmp_newest);
	cap(result, per_shop, shops, n_shops, max_orders);
	return 0;
}
