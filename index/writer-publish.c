/* The index writer, second half: grouping orders by customer, capping,
   and publishing the cdb file atomically (temporary file in the same
   directory, fsync, rename, fsync of the directory). */
#define _GNU_SOURCE /* qsort_r, asprintf, mkostemp */
#include "writer-private.h"

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct publish_ctx {
	struct shoper_index_writer *w;
	struct cdb_make cm;
	uint64_t pos; /* file position of the next record */
	struct shoper_str *shop_names;
	struct shoper_buf val;
	const char *path;
	struct shoper_error *err;
};

static const unsigned char *enc_of(const struct shoper_index_writer *w,
				   const struct shoper_worder *o)
{
	return w->arena.data + o->arena_off + o->key_len;
}

static int cmp_bytes(const unsigned char *a, size_t alen,
		     const unsigned char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Customer first, then newest first: date, numeric order_id, order_id. */
static int cmp_email(const void *pa, const void *pb, void *ctx)
{
	const struct shoper_index_writer *w = ctx;
	const struct shoper_worder *a = &w->orders[*(const uint32_t *)pa];
	const struct shoper_worder *b = &w->orders[*(const uint32_t *)pb];
	const unsigned char *ea, *eb;
	int r;

	if (a->key_hash != b->key_hash)
		return a->key_hash < b->key_hash ? -1 : 1;
	r = cmp_bytes(w->arena.data + a->arena_off, a->key_len,
		      w->arena.data + b->arena_off, b->key_len);
	if (r != 0)
		return r;
	ea = enc_of(w, a);
	eb = enc_of(w, b);
	r = cmp_bytes(eb + b->date_off, b->date_len, ea + a->date_off,
		      a->date_len);
	if (r != 0)
		return r;
	if (a->order_num != b->order_num)
		return a->order_num > b->order_num ? -1 : 1;
	r = cmp_bytes(eb + b->id_off, b->id_len, ea + a->id_off, a->id_len);
	if (r != 0)
		return r;
	return a->shop < b->shop ? -1 : a->shop > b->shop ? 1 : 0;
}

static int same_key(const struct shoper_index_writer *w,
		    const struct shoper_worder *a,
		    const struct shoper_worder *b)
{
	return a->key_hash == b->key_hash && a->key_len == b->key_len &&
	       memcmp(w->arena.data + a->arena_off,
		      w->arena.data + b->arena_off, a->key_len) == 0;
}

static int add_record(struct publish_ctx *c, const void *key, size_t klen,
		      const void *val, size_t vlen)
{
	if (c->pos + 8 + klen + vlen > UINT32_MAX) {
		shoper_error_set(c->err, "index would exceed 4 GiB");
		return -1;
	}
	if (cdb_make_add(&c->cm, key, klen, val, vlen) < 0) {
		shoper_error_set(c->err, "write %s: %s", c->path,
				 strerror(errno));
		return -1;
	}
	c->pos += 8 + klen + vlen;
	return 0;
}

/* One customer's orders idx[0..n), sorted newest first. */
static int write_group(struct publish_ctx *c, const uint32_t *idx, size_t n,
		       uint32_t *per_shop)
{
	struct shoper_index_writer *w = c->w;
	uint32_t kept = 0;
	size_t i;

	for (i = 0; i < n; i++)
		per_shop[w->orders[idx[i]].shop] = 0;
	for (i = 0; i < n; i++) {
		struct shoper_worder *o = &w->orders[idx[i]];

		o->capped = per_shop[o->shop]++ >= w->max_orders;
		if (!o->capped)
			kept++;
	}
	c->val.used = 0;
	if (shoper_buf_varint(&c->val, kept) < 0)
		goto nomem;
	kept = 0;
	for (i = 0; i < n; i++) {
		struct shoper_worder *o = &w->orders[idx[i]];

		if (o->capped)
			continue;
		o->rec_pos = c->pos;
		o->rec_idx = kept++;
		if (shoper_buf_varint(&c->val, o->enc_len) < 0 ||
		    shoper_buf_append(&c->val, enc_of(w, o), o->enc_len) < 0)
			goto nomem;
	}
	return add_record(c, w->arena.data + w->orders[idx[0]].arena_off,
			  w->orders[idx[0]].key_len, c->val.data, c->val.used);
nomem:
	shoper_error_set(c->err, "out of memory");
	return -1;
}

struct hash_idx {
	uint64_t hash;
	uint32_t idx;
};

static int cmp_hash_idx(const void *pa, const void *pb)
{
	const struct hash_idx *a = pa, *b = pb;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Sorts the orders with an e-mail key into idx, grouped by customer and
   newest first: first by key hash alone (compact, cache friendly), then
   each run of equal hashes with the full comparison. */
static size_t sort_by_customer(struct shoper_index_writer *w,
			       struct hash_idx *hi, uint32_t *idx)
{
	size_t n = 0, i, j;

	for (i = 0; i < w->n_orders; i++) {
		w->orders[i].capped = 0;
		if (!w->orders[i].dead && w->orders[i].key_len > 0) {
			hi[n].hash = w->orders[i].key_hash;
			hi[n++].idx = i;
		}
	}
	qsort(hi, n, sizeof(*hi), cmp_hash_idx);
	for (i = 0; i < n; i++)
		idx[i] = hi[i].idx;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && hi[j].hash == hi[i].hash; j++)
			;
		if (j - i > 1)
			qsort_r(idx + i, j - i, sizeof(*idx), cmp_email, w);
	}
	return n;
}

static int write_email_records(struct publish_ctx *c)
{
	struct shoper_index_writer *w = c->w;
	struct hash_idx *hi;
	uint32_t *idx, *per_shop;
	size_t n, i, j;
	int ret = 0;

	hi = malloc((w->n_orders + 1) * sizeof(*hi));
	idx = malloc((w->n_orders + 1) * sizeof(*idx));
	per_shop = calloc(w->shops.count + 1, sizeof(*per_shop));
	if (hi == NULL || idx == NULL || per_shop == NULL) {
		shoper_error_set(c->err, "out of memory");
		ret = -1;
		goto out;
	}
	n = sort_by_customer(w, hi, idx);
	free(hi);
	hi = NULL;
	for (i = 0; i < n && ret == 0; i = j) {
		for (j = i + 1; j < n && same_key(w, &w->orders[idx[i]],
						  &w->orders[idx[j]]);
		     j++)
			;
		ret = write_group(c, idx + i, j - i, per_shop);
	}
out:
	free(hi);
	free(idx);
	free(per_shop);
	return ret;
}

/* The inline form of an order into v: its e-mail always stored, so the
   body is rebuilt in body and written with its length. */
static int put_inline(struct publish_ctx *c, struct shoper_buf *body,
		      const struct shoper_worder *o)
{
	const struct shoper_index_writer *w = c->w;
	const unsigned char *enc = enc_of(w, o);
	unsigned char flags = enc[o->flags_off] & ~SHOPER_OF_EMAIL_IS_KEY;

	body->used = 0;
	if (shoper_buf_append(body, enc, o->flags_off) < 0 ||
	    shoper_buf_append(body, &flags, 1) < 0)
		return -1;
	/* the e-mail was left out because it equals the key */
	if ((enc[o->flags_off] & SHOPER_OF_EMAIL_IS_KEY) != 0 &&
	    shoper_buf_str(body, w->arena.data + o->arena_off, o->key_len) < 0)
		return -1;
	if (shoper_buf_append(body, enc + o->flags_off + 1,
			      o->enc_len - o->flags_off - 1) < 0)
		return -1;
	return shoper_buf_str(&c->val, body->data, body->used);
}

/* "#<shop>:<order_id>" -> pointer into the e-mail record, or the order
   itself when it has no e-mail key or fell over max_orders. key and body
   are scratch buffers. */
static int write_order_key(struct publish_ctx *c, struct shoper_buf *key,
			   struct shoper_buf *body,
			   const struct shoper_worder *o)
{
	const struct shoper_index_writer *w = c->w;
	const struct shoper_str *shop = &c->shop_names[o->shop];
	const unsigned char *enc = enc_of(w, o);
	unsigned char kind;
	struct shoper_buf *v = &c->val;

	key->used = 0;
	v->used = 0;
	if (shoper_buf_append(key, "#", 1) < 0 ||
	    shoper_buf_append(key, shop->ptr, shop->len) < 0 ||
	    shoper_buf_append(key, ":", 1) < 0 ||
	    shoper_buf_append(key, enc + o->id_off, o->id_len) < 0)
		goto nomem;
	if (o->key_len > 0 && !o->capped) {
		kind = SHOPER_OK_POINTER;
		if (shoper_buf_append(v, &kind, 1) < 0 ||
		    shoper_buf_varint(v, o->rec_pos) < 0 ||
		    shoper_buf_varint(v, o->rec_idx) < 0)
			goto nomem;
	} else {
		kind = SHOPER_OK_INLINE;
		if (shoper_buf_append(v, &kind, 1) < 0 ||
		    put_inline(c, body, o) < 0)
			goto nomem;
	}
	return add_record(c, key->data, key->used, v->data, v->used);
nomem:
	shoper_error_set(c->err, "out of memory");
	return -1;
}

static int write_order_keys(struct publish_ctx *c)
{
	struct shoper_buf key = {0}, body = {0};
	size_t i;
	int ret = 0;

	/* an alias is the order under its second e-mail key only */
	for (i = 0; i < c->w->n_orders && ret == 0; i++) {
		if (!c->w->orders[i].dead && !c->w->orders[i].alias)
			ret = write_order_key(c, &key, &body, &c->w->orders[i]);
	}
	shoper_buf_free(&key);
	shoper_buf_free(&body);
	return ret;
}

/* A delta's deletions: the order key, nothing but the kind. */
static int write_deletions(struct publish_ctx *c)
{
	const unsigned char kind = SHOPER_OK_DELETED;

	for (size_t i = 0; i < c->w->n_deleted; i++) {
		if (add_record(c, c->w->deleted[i].ptr, c->w->deleted[i].len,
			       &kind, 1) < 0)
			return -1;
	}
	return 0;
}

static int put_table(struct shoper_buf *b, const struct shoper_intern *t)
{
	if (shoper_buf_varint(b, t->count) < 0)
		return -1;
	return shoper_buf_append(b, t->enc.data, t->enc.used);
}

static int write_meta(struct publish_ctx *c)
{
	struct shoper_index_writer *w = c->w;
	struct shoper_buf *b = &c->val;

	b->used = 0;
	if (shoper_buf_append(b, SHOPER_INDEX_MAGIC, SHOPER_INDEX_MAGIC_LEN) <
		    0 ||
	    shoper_buf_varint(b, SHOPER_INDEX_FORMAT_VERSION) < 0 ||
	    shoper_buf_varint(b, (uint64_t)time(NULL)) < 0 ||
	    shoper_buf_varint(b, w->max_orders) < 0 ||
	    put_table(b, &w->shops) < 0 || put_table(b, &w->statuses) < 0 ||
	    put_table(b, &w->currencies) < 0 || put_table(b, &w->synced) < 0 ||
	    put_table(b, &w->url_bases) < 0 ||
	    put_table(b, &w->shippings) < 0 ||
	    (w->generation != 0 && (shoper_buf_varint(b, w->generation) < 0 ||
				    shoper_buf_varint(b, w->delta_of) < 0))) {
		shoper_error_set(c->err, "out of memory");
		return -1;
	}
	return add_record(c, SHOPER_INDEX_META_KEY, SHOPER_INDEX_META_KEY_LEN,
			  b->data, b->used);
}

static int shop_names(struct publish_ctx *c)
{
	const struct shoper_intern *t = &c->w->shops;
	uint32_t i;

	c->shop_names = calloc(t->count + 1, sizeof(*c->shop_names));
	if (c->shop_names == NULL)
		return -1;
	for (i = 0; i < t->count; i++) {
		size_t len;
		const unsigned char *p = shoper_intern_get(t, i, &len);
		struct shoper_cursor cur = {p, p + len};

		if (shoper_cursor_str(&cur, &c->shop_names[i]) < 0)
			return -1;
	}
	return 0;
}

/* Writes all records into fd (a new, empty file). */
int shoper_index_writer_write_fd(struct shoper_index_writer *w, int fd,
				 const char *path, struct shoper_error *err)
{
	struct publish_ctx c;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.path = path;
	c.err = err;
	c.pos = SHOPER_CDB_HEADER_SIZE;
	if (shop_names(&c) < 0) {
		shoper_error_set(err, "out of memory");
		goto out;
	}
	if (cdb_make_start(&c.cm, fd) < 0) {
		shoper_error_set(err, "write %s: %s", path, strerror(errno));
		goto out;
	}
	if (write_email_records(&c) < 0 || write_order_keys(&c) < 0 ||
	    write_deletions(&c) < 0 || write_meta(&c) < 0) {
		/* frees tinycdb's tables; the file is thrown away anyway */
		(void)cdb_make_finish(&c.cm);
		goto out;
	}
	if (cdb_make_finish(&c.cm) < 0) {
		shoper_error_set(err, "write %s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(c.shop_names);
	shoper_buf_free(&c.val);
	return ret;
}

/* personal data: only the mail processes' group may read it */
#define SHOPER_INDEX_FILE_MODE 0640

static int fill_index(void *w, int fd, const char *tmp,
		      struct shoper_error *err)
{
	return shoper_index_writer_write_fd(w, fd, tmp, err);
}

uint64_t shoper_index_new_generation(void)
{
	uint64_t g = 0;

	/* only uniqueness matters: the clock mixed in if randomness fails */
	if (getrandom(&g, sizeof(g), 0) != sizeof(g))
		g ^= (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^
		     (uint64_t)getpid();
	return g == 0 ? 1 : g;
}

int shoper_index_writer_publish(struct shoper_index_writer *w, const char *path,
				struct shoper_error *err)
{
	char *delta;
	int ret;

	if (w->failed[0] != '\0') {
		shoper_error_set(err,
				 "%s: not replaced: adding orders failed (%s)",
				 path, w->failed);
		return -1;
	}
	/* the duplicate-order table is not needed for writing: free its
	   memory for the peak (a later add rebuilds it) */
	free(w->oslots);
	w->oslots = NULL;
	w->n_oslots = 0;
	w->generation = shoper_index_new_generation();
	w->delta_of = 0;
	ret = shoper_file_replace(path, SHOPER_INDEX_FILE_MODE,
				  SHOPER_FILE_GROUP_OF_DIR, fill_index, w, err);
	/* the old delta names the old generation: no reader applies it to
	   the new file, so removing it is only tidying (§10) */
	if (ret == 0 &&
	    asprintf(&delta, "%s%s", path, SHOPER_DELTA_SUFFIX) >= 0) {
		(void)unlink(delta);
		free(delta);
	}
	return ret;
}

int shoper_index_writer_publish_delta(struct shoper_index_writer *w,
				      const char *path, uint64_t base_gen,
				      struct shoper_error *err)
{
	if (w->failed[0] != '\0') {
		shoper_error_set(err,
				 "%s: not replaced: adding orders failed (%s)",
				 path, w->failed);
		return -1;
	}
	w->generation = shoper_index_new_generation();
	w->delta_of = base_gen;
	return shoper_file_replace(path, SHOPER_INDEX_FILE_MODE,
				   SHOPER_FILE_GROUP_OF_DIR, fill_index, w,
				   err);
}
