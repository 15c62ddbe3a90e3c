/* Decoding of the meta record and of per-order records (see
   doc/index-format.md). Every read goes through a bounds-checked cursor. */
#include "index-private.h"

#include <stdlib.h>
#include <string.h>

static int parse_table(struct shoper_cursor *c, struct shoper_meta_table *t)
{
	uint64_t n, i;

	/* every item takes at least one byte: no huge allocation on junk */
	if (shoper_cursor_varint(c, &n) < 0 || n > (uint64_t)(c->end - c->p))
		return -1;
	t->count = n;
	t->items = calloc(n == 0 ? 1 : n, sizeof(*t->items));
	if (t->items == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (shoper_cursor_str(c, &t->items[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_statuses(struct shoper_cursor *c,
			  struct shoper_index_meta *meta)
{
	uint64_t n, i, type;

	if (shoper_cursor_varint(c, &n) < 0 || n > (uint64_t)(c->end - c->p))
		return -1;
	meta->n_statuses = n;
	meta->statuses = calloc(n == 0 ? 1 : n, sizeof(*meta->statuses));
	if (meta->statuses == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct shoper_meta_status *st = &meta->statuses[i];

		if (shoper_cursor_str(c, &st->id) < 0 ||
		    shoper_cursor_str(c, &st->name) < 0 ||
		    shoper_cursor_varint(c, &type) < 0 ||
		    type > SHOPER_STATUS_TYPE_NOT_COMPLETED)
			return -1;
		st->type = (enum shoper_status_type)type;
	}
	return 0;
}

/* Version 2 on: shipping methods, (name, tracking URL template) pairs. */
static int parse_shippings(struct shoper_cursor *c,
			   struct shoper_index_meta *meta)
{
	uint64_t n, i;

	/* every item takes at least two bytes */
	if (shoper_cursor_varint(c, &n) < 0 ||
	    n > (uint64_t)(c->end - c->p) / 2)
		return -1;
	meta->n_shippings = n;
	meta->shippings = calloc(n == 0 ? 1 : n, sizeof(*meta->shippings));
	if (meta->shippings == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (shoper_cursor_str(c, &meta->shippings[i].name) < 0 ||
		    shoper_cursor_str(c, &meta->shippings[i].tracking_url) < 0)
			return -1;
	}
	return 0;
}

struct shoper_index_meta *shoper_index_meta_parse(const unsigned char *data,
						  size_t len,
						  struct shoper_error *err)
{
	struct shoper_index_meta *meta;
	struct shoper_cursor c = {data, data + len};

	if (len < SHOPER_INDEX_MAGIC_LEN ||
	    memcmp(data, SHOPER_INDEX_MAGIC, SHOPER_INDEX_MAGIC_LEN) != 0) {
		shoper_error_set(err, "not a shoper order index (bad magic)");
		return NULL;
	}
	c.p += SHOPER_INDEX_MAGIC_LEN;
	meta = calloc(1, sizeof(*meta));
	if (meta == NULL) {
		shoper_error_set(err, "out of memory");
		return NULL;
	}
	if (shoper_cursor_varint(&c, &meta->version) < 0) {
		shoper_error_set(err, "truncated meta record");
		goto fail;
	}
	if (meta->version < SHOPER_INDEX_FORMAT_MIN_VERSION ||
	    meta->version > SHOPER_INDEX_FORMAT_VERSION) {
		shoper_error_set(err,
				 "unsupported index format version %llu "
				 "(this reader knows %d to %d)",
				 (unsigned long long)meta->version,
				 SHOPER_INDEX_FORMAT_MIN_VERSION,
				 SHOPER_INDEX_FORMAT_VERSION);
		goto fail;
	}
	/* bytes after the last table are ignored: room for additions that
	   old readers may skip (see "Versioning" in the format doc) */
	if (shoper_cursor_varint(&c, &meta->build_time) < 0 ||
	    shoper_cursor_varint(&c, &meta->max_orders) < 0 ||
	    parse_table(&c, &meta->shops) < 0 || parse_statuses(&c, meta) < 0 ||
	    parse_table(&c, &meta->currencies) < 0 ||
	    parse_table(&c, &meta->synced) < 0 ||
	    parse_table(&c, &meta->url_bases) < 0 ||
	    (meta->version >= 2 && parse_shippings(&c, meta) < 0)) {
		shoper_error_set(err, "corrupt meta record");
		goto fail;
	}
	/* additions inside version 2 that older readers skip */
	if (meta->version >= 2 && c.p < c.end &&
	    (shoper_cursor_varint(&c, &meta->generation) < 0 ||
	     (c.p < c.end && shoper_cursor_varint(&c, &meta->delta_of) < 0))) {
		shoper_error_set(err, "corrupt meta record (generation)");
		goto fail;
	}
	return meta;
fail:
	shoper_index_meta_free(&meta);
	return NULL;
}

void shoper_index_meta_free(struct shoper_index_meta **_meta)
{
	struct shoper_index_meta *meta = *_meta;

	if (meta == NULL)
		return;
	*_meta = NULL;
	free(meta->shops.items);
	free(meta->currencies.items);
	free(meta->synced.items);
	free(meta->url_bases.items);
	free(meta->statuses);
	free(meta->shippings);
	free(meta->scratch);
	free(meta);
}

static int table_ref(struct shoper_cursor *c, const struct shoper_meta_table *t,
		     struct shoper_str *s_r, uint64_t *idx_r)
{
	uint64_t idx;

	if (shoper_cursor_varint(c, &idx) < 0 || idx >= t->count)
		return -1;
	*s_r = t->items[idx];
	if (idx_r != NULL)
		*idx_r = idx;
	return 0;
}

static int decode_status(const struct shoper_index_meta *meta,
			 struct shoper_cursor *c, struct shoper_order *o)
{
	uint64_t idx;

	if (shoper_cursor_varint(c, &idx) < 0 || idx >= meta->n_statuses)
		return -1;
	o->status_id = meta->statuses[idx].id;
	o->status_name = meta->statuses[idx].name;
	o->status_type = meta->statuses[idx].type;
	return 0;
}

static int decode_url(const struct shoper_index_meta *meta,
		      struct shoper_cursor *c, unsigned char flags,
		      struct shoper_order *o, int64_t *url_base_r)
{
	struct shoper_str base;
	uint64_t idx;

	*url_base_r = -1;
	o->url.ptr = "";
	o->url.len = 0;
	switch (flags & SHOPER_OF_URL_MASK) {
	case SHOPER_OF_URL_NONE:
		return 0;
	case SHOPER_OF_URL_BASE:
		if (table_ref(c, &meta->url_bases, &base, &idx) < 0)
			return -1;
		*url_base_r = (int64_t)idx;
		return 0;
	case SHOPER_OF_URL_LITERAL:
		return shoper_cursor_str(c, &o->url);
	}
	return -1;
}

/* The fields of format version 1, in their order. */
static int decode_v1_fields(const struct shoper_index_meta *meta,
			    struct shoper_cursor *c,
			    const struct shoper_str *key,
			    struct shoper_order *o, int64_t *url_base_r,
			    uint64_t *shop_r)
{
	unsigned char flags;

	if (table_ref(c, &meta->shops, &o->shop, shop_r) < 0 ||
	    shoper_cursor_str(c, &o->order_id) < 0 ||
	    shoper_cursor_str(c, &o->date) < 0 ||
	    decode_status(meta, c, o) < 0 ||
	    shoper_cursor_str(c, &o->total) < 0 ||
	    table_ref(c, &meta->currencies, &o->currency, NULL) < 0 ||
	    shoper_cursor_byte(c, &flags) < 0 ||
	    (flags & ~SHOPER_OF_KNOWN) != 0)
		return -1;
	o->paid = (flags & SHOPER_OF_PAID) != 0;
	if ((flags & SHOPER_OF_EMAIL_IS_KEY) != 0) {
		if (key == NULL)
			return -1;
		o->email = *key;
	} else if (shoper_cursor_str(c, &o->email) < 0) {
		return -1;
	}
	if (shoper_cursor_str(c, &o->tracking) < 0 ||
	    shoper_cursor_str(c, &o->customer) < 0 ||
	    decode_url(meta, c, flags, o, url_base_r) < 0 ||
	    table_ref(c, &meta->synced, &o->synced, NULL) < 0)
		return -1;
	return 0;
}

/* Version 2: the fields after version 1's, inside the order's length. */
static int decode_v2_fields(const struct shoper_index_meta *meta,
			    struct shoper_cursor *c, struct shoper_order *o)
{
	uint64_t idx;

	if (shoper_cursor_str(c, &o->delivery_email) < 0 ||
	    shoper_cursor_varint(c, &idx) < 0 || idx >= meta->n_shippings)
		return -1;
	o->shipping = meta->shippings[idx].name;
	o->tracking_url = meta->shippings[idx].tracking_url;
	return 0;
}

int shoper_order_decode(const struct shoper_index_meta *meta,
			struct shoper_cursor *c, const struct shoper_str *key,
			struct shoper_order *o, int64_t *url_base_r,
			uint64_t *shop_r, struct shoper_error *err)
{
	struct shoper_cursor body;
	uint64_t len;

	memset(o, 0, sizeof(*o));
	o->delivery_email.ptr = o->shipping.ptr = o->tracking_url.ptr = "";
	*url_base_r = -1;
	if (meta->version < 2) {
		if (decode_v1_fields(meta, c, key, o, url_base_r, shop_r) < 0)
			goto corrupt;
		return 0;
	}
	/* version 2 on: a length first, so fields a later version appends
	   are skipped by this reader */
	if (shoper_cursor_varint(c, &len) < 0 ||
	    len > (uint64_t)(c->end - c->p))
		goto corrupt;
	body.p = c->p;
	body.end = c->p + len;
	c->p = body.end;
	if (decode_v1_fields(meta, &body, key, o, url_base_r, shop_r) < 0 ||
	    decode_v2_fields(meta, &body, o) < 0)
		goto corrupt;
	return 0;
corrupt:
	shoper_error_set(err, "corrupt order record");
	return -1;
}

int shoper_order_expand_urls(struct shoper_index_meta *meta,
			     struct shoper_order *orders,
			     const int64_t *url_bases, unsigned int count,
			     struct shoper_error *err)
{
	size_t need = 0, pos = 0;
	unsigned int i;

	for (i = 0; i < count; i++) {
		if (url_bases[i] >= 0)
			need += meta->url_bases.items[url_bases[i]].len +
				SHOPER_URL_INFIX_LEN + orders[i].order_id.len;
	}
	if (need > meta->scratch_size) {
		char *p = realloc(meta->scratch, need);

		if (p == NULL) {
			shoper_error_set(err, "out of memory");
			return -1;
		}
		meta->scratch = p;
		meta->scratch_size = need;
	}
	for (i = 0; i < count; i++) {
		const struct shoper_str *base;
		char *start;

		if (url_bases[i] < 0)
			continue;
		start = meta->scratch + pos;
		base = &meta->url_bases.items[url_bases[i]];
		memcpy(start, base->ptr, base->len);
		memcpy(start + base->len, SHOPER_URL_INFIX,
		       SHOPER_URL_INFIX_LEN);
		memcpy(start + base->len + SHOPER_URL_INFIX_LEN,
		       orders[i].order_id.ptr, orders[i].order_id.len);
		orders[i].url.ptr = start;
		orders[i].url.len = base->len + SHOPER_URL_INFIX_LEN +
				    orders[i].order_id.len;
		pos += orders[i].url.len;
	}
	return 0;
}

int shoper_record_decode_filtered(struct shoper_index_meta *meta,
				  const struct shoper_str *key,
				  const unsigned char *data, size_t len,
				  const bool *shop_ok, unsigned int max,
				  struct shoper_index_result *result,
				  struct shoper_error *err)
{
	struct shoper_cursor c = {data, data + len};
	struct shoper_order tmp;
	int64_t url_bases[SHOPER_INDEX_MAX_RESULT], tmp_base;
	uint64_t n, i, shop_idx;
	bool full = false;

	result->count = 0;
	if (shoper_cursor_varint(&c, &n) < 0 || n == 0 ||
	    n > (uint64_t)(c.end - c.p)) {
		shoper_error_set(err, "corrupt e-mail record header");
		return -1;
	}
	if (max == 0 || max > SHOPER_INDEX_MAX_RESULT)
		max = SHOPER_INDEX_MAX_RESULT;
	for (i = 0; i < n; i++) {
		struct shoper_order *o =
			full ? &tmp : &result->orders[result->count];
		int64_t *ub = full ? &tmp_base : &url_bases[result->count];

		if (shoper_order_decode(meta, &c, key, o, ub, &shop_idx, err) <
		    0)
			goto fail;
		if (full)
			continue;
		if (shop_ok != NULL && !shop_ok[shop_idx])
			continue;
		if (++result->count == max) {
			full = true;
			/* a lookup stops here; a full decode validates all */
			if (shop_ok != NULL || max < SHOPER_INDEX_MAX_RESULT)
				break;
		}
	}
	if (i == n && c.p != c.end) {
		shoper_error_set(err, "trailing bytes after e-mail record");
		goto fail;
	}
	if (shoper_order_expand_urls(meta, result->orders, url_bases,
				     result->count, err) < 0)
		goto fail;
	return 0;
fail:
	result->count = 0;
	return -1;
}

int shoper_record_decode(struct shoper_index_meta *meta,
			 const unsigned char *key, size_t key_len,
			 const unsigned char *data, size_t len,
			 struct shoper_index_result *result,
			 struct shoper_error *err)
{
	struct shoper_str k = {(const char *)key, key_len};

	return shoper_record_decode_filtered(meta, &k, data, len, NULL, 0,
					     result, err);
}
