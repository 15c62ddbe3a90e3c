/* The index writer, first half: collecting orders in a compact arena.
   Strings shared by many orders (shop, status, currency, synced time,
   admin URL base) are interned into meta tables. */
#include "writer-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Items up to this size are encoded on the stack before interning. */
#define SHOPER_SMALL_BUF 256

uint64_t shoper_hash64(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

const unsigned char *shoper_intern_get(const struct shoper_intern *t,
				       uint32_t idx, size_t *len_r)
{
	size_t end = idx + 1 < t->count ? t->offsets[idx + 1] : t->enc.used;

	*len_r = end - t->offsets[idx];
	return t->enc.data + t->offsets[idx];
}

static int intern_grow(struct shoper_intern *t)
{
	size_t n = t->n_slots == 0 ? 64 : t->n_slots * 2, i;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (i = 0; i < t->count; i++) {
		size_t len;
		const unsigned char *p = shoper_intern_get(t, i, &len);
		size_t s = shoper_hash64(p, len) & (n - 1);

		while (slots[s] != 0)
			s = (s + 1) & (n - 1);
		slots[s] = i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->n_slots = n;
	return 0;
}

int shoper_intern(struct shoper_intern *t, const unsigned char *enc, size_t len,
		  uint32_t *idx_r)
{
	size_t s, ilen;

	if (t->count * 2 >= t->n_slots && intern_grow(t) < 0)
		return -1;
	s = shoper_hash64(enc, len) & (t->n_slots - 1);
	for (; t->slots[s] != 0; s = (s + 1) & (t->n_slots - 1)) {
		const unsigned char *p =
			shoper_intern_get(t, t->slots[s] - 1, &ilen);

		if (ilen == len && memcmp(p, enc, len) == 0) {
			*idx_r = t->slots[s] - 1;
			return 0;
		}
	}
	if (t->count == t->offsets_size) {
		size_t n = t->offsets_size == 0 ? 16 : t->offsets_size * 2;
		size_t *o = realloc(t->offsets, n * sizeof(*o));

		if (o == NULL)
			return -1;
		t->offsets = o;
		t->offsets_size = n;
	}
	t->offsets[t->count] = t->enc.used;
	if (shoper_buf_append(&t->enc, enc, len) < 0)
		return -1;
	t->slots[s] = t->count + 1;
	*idx_r = t->count++;
	return 0;
}

void shoper_intern_free(struct shoper_intern *t)
{
	shoper_buf_free(&t->enc);
	free(t->offsets);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

struct shoper_index_writer *shoper_index_writer_new(unsigned int max_orders)
{
	struct shoper_index_writer *w = calloc(1, sizeof(*w));

	if (w != NULL)
		w->max_orders = max_orders == 0
					? SHOPER_INDEX_DEFAULT_MAX_ORDERS
					: max_orders;
	return w;
}

void shoper_index_writer_free(struct shoper_index_writer **_w)
{
	struct shoper_index_writer *w = *_w;

	if (w == NULL)
		return;
	*_w = NULL;
	shoper_buf_free(&w->arena);
	free(w->orders);
	free(w->oslots);
	shoper_intern_free(&w->shops);
	shoper_intern_free(&w->statuses);
	shoper_intern_free(&w->currencies);
	shoper_intern_free(&w->synced);
	shoper_intern_free(&w->url_bases);
	shoper_intern_free(&w->shippings);
	free(w);
}

/* Interns an encoded item built in b (on the stack when small). */
static int intern_buf(struct shoper_intern *t, struct shoper_buf *b,
		      const unsigned char *stack, uint32_t *idx_r)
{
	int ret = shoper_intern(t, b->data, b->used, idx_r);

	if (b->data != stack)
		shoper_buf_free(b);
	return ret;
}

#define SMALL_BUF_INIT(b, stack)                                               \
	do {                                                                   \
		(b).data = (stack);                                            \
		(b).used = 0;                                                  \
		(b).size = SHOPER_SMALL_BUF;                                   \
	} while (0)

/* Interns one string (encoded as varint length + bytes). */
static int intern_str(struct shoper_intern *t, const struct shoper_str *s,
		      uint32_t *idx_r)
{
	unsigned char stack[SHOPER_SMALL_BUF];
	struct shoper_buf b;

	SMALL_BUF_INIT(b, stack);
	if (s->len + 10 > sizeof(stack)) {
		b.data = NULL;
		b.size = 0;
	}
	if (shoper_buf_str(&b, s->ptr, s->len) < 0) {
		if (b.data != stack)
			shoper_buf_free(&b);
		return -1;
	}
	return intern_buf(t, &b, stack, idx_r);
}

static int intern_status(struct shoper_index_writer *w,
			 const struct shoper_order *o, uint32_t *idx_r)
{
	unsigned char stack[SHOPER_SMALL_BUF];
	struct shoper_buf b;

	SMALL_BUF_INIT(b, stack);
	if (o->status_id.len + o->status_name.len + 30 > sizeof(stack)) {
		b.data = NULL;
		b.size = 0;
	}
	if (shoper_buf_str(&b, o->status_id.ptr, o->status_id.len) < 0 ||
	    shoper_buf_str(&b, o->status_name.ptr, o->status_name.len) < 0 ||
	    shoper_buf_varint(&b, o->status_type) < 0) {
		if (b.data != stack)
			shoper_buf_free(&b);
		return -1;
	}
	return intern_buf(&w->statuses, &b, stack, idx_r);
}

static int intern_shipping(struct shoper_index_writer *w,
			   const struct shoper_order *o, uint32_t *idx_r)
{
	unsigned char stack[SHOPER_SMALL_BUF];
	struct shoper_buf b;

	SMALL_BUF_INIT(b, stack);
	if (o->shipping.len + o->tracking_url.len + 20 > sizeof(stack)) {
		b.data = NULL;
		b.size = 0;
	}
	if (shoper_buf_str(&b, o->shipping.ptr, o->shipping.len) < 0 ||
	    shoper_buf_str(&b, o->tracking_url.ptr, o->tracking_url.len) < 0) {
		if (b.data != stack)
			shoper_buf_free(&b);
		return -1;
	}
	return intern_buf(&w->shippings, &b, stack, idx_r);
}

/* The admin URL as base + "/admin/orders/view/id/" + order_id? Then only
   the base is interned and the URL is rebuilt when read. */
static int url_base_len(const struct shoper_order *o, size_t *len_r)
{
	size_t tail = SHOPER_URL_INFIX_LEN + o->order_id.len;
	const char *end;

	if (o->url.len < tail)
		return -1;
	end = o->url.ptr + o->url.len - tail;
	if (memcmp(end, SHOPER_URL_INFIX, SHOPER_URL_INFIX_LEN) != 0 ||
	    memcmp(end + SHOPER_URL_INFIX_LEN, o->order_id.ptr,
		   o->order_id.len) != 0)
		return -1;
	*len_r = o->url.len - tail;
	return 0;
}

/* Why the order cannot be indexed (NULL: it can), into buf. */
static const char *check_order(const struct shoper_order *o, char *buf,
			       size_t size)
{
	const struct shoper_str *f[] = {
		&o->shop,           &o->order_id,    &o->date,
		&o->status_id,      &o->status_name, &o->total,
		&o->currency,       &o->tracking,    &o->customer,
		&o->email,          &o->url,         &o->synced,
		&o->delivery_email, &o->shipping,    &o->tracking_url,
	};
	static const char *const names[] = {
		"shop",           "order_id", "date",         "status_id",
		"status",         "total",    "currency",     "tracking",
		"customer",       "email",    "url",          "synced",
		"delivery_email", "shipping", "tracking_url",
	};
	unsigned int i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i]->len > SHOPER_INDEX_MAX_FIELD) {
			snprintf(buf, size,
				 "the %s value is longer than %u bytes",
				 names[i],
				 (unsigned int)SHOPER_INDEX_MAX_FIELD);
			return buf;
		}
		if (f[i]->len > 0 && f[i]->ptr == NULL)
			return "a field has a length but no bytes";
	}
	/* order keys must not contain '@' (e-mail keys always do) and the
	   first ':' must end the shop name */
	if (o->shop.len == 0 || memchr(o->shop.ptr, ':', o->shop.len) ||
	    memchr(o->shop.ptr, '@', o->shop.len) ||
	    memchr(o->shop.ptr, '\0', o->shop.len))
		return "shop name is empty or contains ':', '@' or NUL";
	if (o->order_id.len == 0 ||
	    memchr(o->order_id.ptr, '@', o->order_id.len))
		return "order_id is empty or contains '@'";
	if ((unsigned int)o->status_type > SHOPER_STATUS_TYPE_NOT_COMPLETED)
		return "status_type out of range";
	return NULL;
}

static uint64_t order_number(const struct shoper_str *id)
{
	uint64_t n = 0;
	size_t i;

	if (id->len == 0 || id->len > 19)
		return 0;
	for (i = 0; i < id->len; i++) {
		if (id->ptr[i] < '0' || id->ptr[i] > '9')
			return 0;
		n = n * 10 + (id->ptr[i] - '0');
	}
	return n;
}

static uint64_t okey_hash(const struct shoper_index_writer *w,
			  const struct shoper_worder *wo)
{
	const unsigned char *enc = w->arena.data + wo->arena_off + wo->key_len;

	return shoper_hash64(enc + wo->id_off, wo->id_len) ^
	       ((uint64_t)wo->shop * 0x9e3779b97f4a7c15ULL);
}

static int same_okey(const struct shoper_index_writer *w,
		     const struct shoper_worder *a,
		     const struct shoper_worder *b)
{
	const unsigned char *ea = w->arena.data + a->arena_off + a->key_len;
	const unsigned char *eb = w->arena.data + b->arena_off + b->key_len;

	return a->shop == b->shop && a->id_len == b->id_len &&
	       memcmp(ea + a->id_off, eb + b->id_off, a->id_len) == 0;
}

/* The same order again: the later add wins, under both its keys. */
static void kill_order(struct shoper_index_writer *w, uint32_t idx)
{
	w->orders[idx].dead = 1;
	if (w->orders[idx].has_alias)
		w->orders[idx + 1].dead = 1;
}

static void oslot_put(struct shoper_index_writer *w, uint32_t idx)
{
	struct shoper_worder *wo = &w->orders[idx];
	uint64_t h = okey_hash(w, wo);
	size_t mask = w->n_oslots - 1, s = h & mask;
	struct shoper_oslot *slot;

	for (; (slot = &w->oslots[s])->idx1 != 0; s = (s + 1) & mask) {
		struct shoper_worder *old = &w->orders[slot->idx1 - 1];

		if (slot->hash == (uint32_t)(h >> 32) &&
		    same_okey(w, old, wo)) {
			kill_order(w, slot->idx1 - 1);
			break;
		}
	}
	slot->idx1 = idx + 1;
	slot->hash = h >> 32;
}

static int oslots_grow(struct shoper_index_writer *w)
{
	size_t n = 1024, i;

	/* at most half full; also rebuilds the table publish dropped */
	while (n < (w->n_orders + 1) * 2)
		n *= 2;
	free(w->oslots);
	w->oslots = calloc(n, sizeof(*w->oslots));
	if (w->oslots == NULL) {
		w->n_oslots = 0;
		return -1;
	}
	w->n_oslots = n;
	for (i = 0; i < w->n_orders; i++) {
		if (!w->orders[i].dead && !w->orders[i].alias)
			oslot_put(w, i);
	}
	return 0;
}

/* Appends a string field, noting where its bytes start. */
static int put_str(struct shoper_buf *b, size_t start,
		   const struct shoper_str *s, uint32_t *off_r)
{
	if (shoper_buf_varint(b, s->len) < 0)
		return -1;
	if (off_r != NULL)
		*off_r = b->used - start;
	return shoper_buf_append(b, s->ptr, s->len);
}

struct shoper_wrefs {
	uint32_t shop, status, currency, synced, base, shipping;
	int has_base;
	/* the delivery_email as stored: empty unless it is another key */
	struct shoper_str delivery;
};

static int intern_refs(struct shoper_index_writer *w,
		       const struct shoper_order *o, struct shoper_wrefs *r)
{
	size_t base_len;

	r->has_base = o->url.len > 0 && url_base_len(o, &base_len) == 0;
	if (r->has_base) {
		struct shoper_str base = {o->url.ptr, base_len};

		if (intern_str(&w->url_bases, &base, &r->base) < 0)
			return -1;
	}
	if (intern_str(&w->shops, &o->shop, &r->shop) < 0 ||
	    intern_status(w, o, &r->status) < 0 ||
	    intern_str(&w->currencies, &o->currency, &r->currency) < 0 ||
	    intern_str(&w->synced, &o->synced, &r->synced) < 0 ||
	    intern_shipping(w, o, &r->shipping) < 0)
		return -1;
	return 0;
}

static int encode_order(struct shoper_index_writer *w,
			const struct shoper_order *o,
			const struct shoper_wrefs *r, struct shoper_worder *wo)
{
	struct shoper_buf *b = &w->arena;
	size_t start = b->used;
	unsigned char flags = o->paid ? SHOPER_OF_PAID : 0;
	const char *key = (const char *)b->data + wo->arena_off;

	if (wo->key_len > 0 && o->email.len == wo->key_len &&
	    memcmp(o->email.ptr, key, wo->key_len) == 0)
		flags |= SHOPER_OF_EMAIL_IS_KEY;
	flags |= r->has_base      ? SHOPER_OF_URL_BASE
		 : o->url.len > 0 ? SHOPER_OF_URL_LITERAL
				  : SHOPER_OF_URL_NONE;
	if (shoper_buf_varint(b, r->shop) < 0 ||
	    put_str(b, start, &o->order_id, &wo->id_off) < 0 ||
	    put_str(b, start, &o->date, &wo->date_off) < 0 ||
	    shoper_buf_varint(b, r->status) < 0 ||
	    put_str(b, start, &o->total, NULL) < 0 ||
	    shoper_buf_varint(b, r->currency) < 0)
		return -1;
	wo->flags_off = b->used - start;
	if (shoper_buf_append(b, &flags, 1) < 0 ||
	    ((flags & SHOPER_OF_EMAIL_IS_KEY) == 0 &&
	     put_str(b, start, &o->email, NULL) < 0) ||
	    put_str(b, start, &o->tracking, NULL) < 0 ||
	    put_str(b, start, &o->customer, NULL) < 0)
		return -1;
	if (r->has_base && shoper_buf_varint(b, r->base) < 0)
		return -1;
	if (!r->has_base && o->url.len > 0 &&
	    put_str(b, start, &o->url, NULL) < 0)
		return -1;
	if (shoper_buf_varint(b, r->synced) < 0)
		return -1;
	/* version 2 */
	if (put_str(b, start, &r->delivery, NULL) < 0 ||
	    shoper_buf_varint(b, r->shipping) < 0)
		return -1;
	wo->enc_len = b->used - start;
	wo->id_len = o->order_id.len;
	wo->date_len = o->date.len;
	return 0;
}

/* A resource failure: everything added so far is kept but the writer
   refuses to go on, so no caller can publish an index missing orders. */
static enum shoper_index_add add_failed(struct shoper_index_writer *w,
					const char *why,
					struct shoper_error *err)
{
	if (w->failed[0] == '\0')
		snprintf(w->failed, sizeof(w->failed), "%s after %zu orders",
			 why, w->n_orders);
	shoper_error_set(err, "%s", w->failed);
	return SHOPER_INDEX_ADD_FAILED;
}

/* Room for two more orders (an order and its alias). */
static int reserve_orders(struct shoper_index_writer *w)
{
	if (w->n_orders + 2 > w->orders_size) {
		size_t n = w->orders_size == 0 ? 1024 : w->orders_size * 2;
		struct shoper_worder *p = realloc(w->orders, n * sizeof(*p));

		if (p == NULL)
			return -1;
		w->orders = p;
		w->orders_size = n;
	}
	if ((w->n_orders + 1) * 2 > w->n_oslots && oslots_grow(w) < 0)
		return -1;
	return 0;
}

/* Encodes o under key as entry number idx (not yet counted). */
static int put_order(struct shoper_index_writer *w,
		     const struct shoper_order *o,
		     const struct shoper_wrefs *refs, size_t idx,
		     const char *key, int key_len)
{
	struct shoper_worder *wo = &w->orders[idx];

	memset(wo, 0, sizeof(*wo));
	wo->arena_off = w->arena.used;
	wo->key_len = key_len;
	wo->key_hash = shoper_hash64(key, key_len);
	wo->order_num = order_number(&o->order_id);
	wo->shop = refs->shop;
	if (shoper_buf_append(&w->arena, key, key_len) < 0 ||
	    encode_order(w, o, refs, wo) < 0)
		return -1;
	return 0;
}

/* The order's keys: its e-mail, and its delivery_email when that is
   another usable key (or the only one). Returns the second key's length,
   or 0 when there is none; *key_len_r 0 when there is no key at all. */
static int order_keys(const struct shoper_order *o, char *key, int *key_len_r,
		      char *dkey, struct shoper_wrefs *refs)
{
	int key_len, dkey_len;

	key_len = shoper_email_normalize(o->email.ptr, o->email.len, key,
					 SHOPER_EMAIL_KEY_MAX + 1);
	dkey_len = shoper_email_normalize(o->delivery_email.ptr,
					  o->delivery_email.len, dkey,
					  SHOPER_EMAIL_KEY_MAX + 1);
	refs->delivery.ptr = "";
	refs->delivery.len = 0;
	if (dkey_len > 0 &&
	    (key_len != dkey_len || memcmp(key, dkey, key_len) != 0))
		refs->delivery = o->delivery_email;
	else
		dkey_len = 0;
	if (key_len < 0 && dkey_len > 0) {
		/* the delivery address is the order's only key */
		memcpy(key, dkey, dkey_len);
		key_len = dkey_len;
		dkey_len = 0;
	}
	*key_len_r = key_len < 0 ? 0 : key_len; /* 0: order key only */
	return dkey_len;
}

enum shoper_index_add shoper_index_writer_add(struct shoper_index_writer *w,
					      const struct shoper_order *o,
					      struct shoper_error *err)
{
	char key[SHOPER_EMAIL_KEY_MAX + 1], dkey[SHOPER_EMAIL_KEY_MAX + 1];
	struct shoper_wrefs refs;
	char why_buf[96];
	const char *why;
	size_t arena_used = w->arena.used;
	int key_len, dkey_len;

	if (w->failed[0] != '\0')
		return add_failed(w, w->failed, err);
	why = check_order(o, why_buf, sizeof(why_buf));
	if (why != NULL) {
		shoper_error_set(err, "%s", why);
		return SHOPER_INDEX_ADD_BAD_ORDER;
	}
	if (w->n_orders >= UINT32_MAX - 2)
		return add_failed(w, "too many orders", err);
	dkey_len = order_keys(o, key, &key_len, dkey, &refs);
	if (reserve_orders(w) < 0 || intern_refs(w, o, &refs) < 0 ||
	    put_order(w, o, &refs, w->n_orders, key, key_len) < 0 ||
	    (dkey_len > 0 &&
	     put_order(w, o, &refs, w->n_orders + 1, dkey, dkey_len) < 0))
		goto nomem;
	if (dkey_len > 0) {
		w->orders[w->n_orders].has_alias = 1;
		w->orders[w->n_orders + 1].alias = 1;
	}
	oslot_put(w, w->n_orders);
	w->n_orders += dkey_len > 0 ? 2 : 1;
	return SHOPER_INDEX_ADD_OK;
nomem:
	w->arena.used = arena_used;
	return add_failed(w, "out of memory", err);
}
