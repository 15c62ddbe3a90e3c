/* The incremental publish (doc/index-format.md §10): the delta next to
   the index rewritten with the current delta's content and the new
   changes over it, bound to the base's generation. */
#include "writer-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct delta_build {
	struct shoper_index_writer *w;
	/* "#shop:id" of the changed and the deleted orders */
	struct shoper_str *ckeys, *dkeys;
	unsigned int n_changed, n_deleted;
	/* the deletions the new delta carries */
	struct shoper_str *keep;
	size_t n_keep;
	struct shoper_index_delta_info info;
};

static int make_key(const struct shoper_str *shop, const struct shoper_str *id,
		    struct shoper_str *key_r)
{
	char *k = malloc(shop->len + id->len + 2);

	if (k == NULL)
		return -1;
	k[0] = '#';
	memcpy(k + 1, shop->ptr, shop->len);
	k[shop->len + 1] = ':';
	memcpy(k + shop->len + 2, id->ptr, id->len);
	key_r->ptr = k;
	key_r->len = shop->len + id->len + 2;
	return 0;
}

static bool key_in(const struct shoper_str *keys, unsigned int n, const char *k,
		   size_t len)
{
	for (unsigned int i = 0; i < n; i++) {
		if (keys[i].len == len && memcmp(keys[i].ptr, k, len) == 0)
			return true;
	}
	return false;
}

static int add(struct delta_build *b, const struct shoper_order *o,
	       struct shoper_error *err)
{
	if (shoper_index_writer_add(b->w, o, err) != SHOPER_INDEX_ADD_OK)
		return -1;
	b->info.orders++;
	return 0;
}

/* The current delta's entries that the new changes do not replace. */
static int carry_over(struct delta_build *b, struct shoper_delta *d,
		      struct shoper_error *err)
{
	uint64_t pos = SHOPER_CDB_HEADER_SIZE;
	struct shoper_str k, v;
	struct shoper_order o;

	while (pos < d->db.data_end) {
		if (shoper_cdb_record_at(&d->db, pos, &k, &v, &pos, err) < 0)
			return -1;
		if (k.len == 0 || k.ptr[0] != '#' ||
		    key_in(b->ckeys, b->n_changed, k.ptr, k.len) ||
		    key_in(b->dkeys, b->n_deleted, k.ptr, k.len))
			continue;
		if (v.len == 1 && v.ptr[0] == SHOPER_OK_DELETED) {
			b->keep[b->n_keep++] = k;
			continue;
		}
		if (shoper_order_value_decode(&d->db, d->meta, &v, &o, err) <
			    0 ||
		    add(b, &o, err) < 0)
			return -1;
	}
	return 0;
}

static int build(struct delta_build *b, struct shoper_delta *d,
		 const struct shoper_order *changed,
		 const struct shoper_order_ref *deleted,
		 struct shoper_error *err)
{
	unsigned int i;

	for (i = 0; i < b->n_changed; i++) {
		if (make_key(&changed[i].shop, &changed[i].order_id,
			     &b->ckeys[i]) < 0)
			goto nomem;
	}
	for (i = 0; i < b->n_deleted; i++) {
		if (make_key(&deleted[i].shop, &deleted[i].order_id,
			     &b->dkeys[i]) < 0)
			goto nomem;
	}
	if (d->active && carry_over(b, d, err) < 0)
		return -1;
	for (i = 0; i < b->n_changed; i++) {
		if (!key_in(b->dkeys, b->n_deleted, b->ckeys[i].ptr,
			    b->ckeys[i].len) &&
		    add(b, &changed[i], err) < 0)
			return -1;
	}
	for (i = 0; i < b->n_deleted; i++) {
		if (!key_in(b->keep, b->n_keep, b->dkeys[i].ptr,
			    b->dkeys[i].len))
			b->keep[b->n_keep++] = b->dkeys[i];
	}
	b->info.deleted = b->n_keep;
	b->w->deleted = b->keep;
	b->w->n_deleted = b->n_keep;
	return 0;
nomem:
	shoper_error_set(err, "out of memory");
	return -1;
}

static void build_free(struct delta_build *b)
{
	for (unsigned int i = 0; b->ckeys != NULL && i < b->n_changed; i++)
		free((char *)b->ckeys[i].ptr);
	for (unsigned int i = 0; b->dkeys != NULL && i < b->n_deleted; i++)
		free((char *)b->dkeys[i].ptr);
	free(b->ckeys);
	free(b->dkeys);
	free(b->keep);
	shoper_index_writer_free(&b->w);
}

static int publish(const char *path, struct shoper_index_reader *r,
		   struct delta_build *b, const struct shoper_order *changed,
		   const struct shoper_order_ref *deleted,
		   struct shoper_error *err)
{
	struct shoper_delta *d;
	unsigned int max_orders;
	uint64_t gen;
	char *dpath;
	int ret;

	if (shoper_index_reader_base(r, &gen, &max_orders, &d, err) < 0)
		return 0;
	if (gen == 0) {
		shoper_error_set(err, "%s has no generation", path);
		return 0;
	}
	if (d->have_st && !d->active) {
		shoper_error_set(err, "%s%s is not usable", path,
				 SHOPER_DELTA_SUFFIX);
		return 0;
	}
	b->w = shoper_index_writer_new(max_orders);
	/* room for every deletion: the current delta's and the new */
	b->keep =
		calloc((d->active ? d->db.data_end / 8 : 0) + b->n_deleted + 1,
		       sizeof(*b->keep));
	b->ckeys = calloc(b->n_changed + 1, sizeof(*b->ckeys));
	b->dkeys = calloc(b->n_deleted + 1, sizeof(*b->dkeys));
	dpath = malloc(strlen(path) + sizeof(SHOPER_DELTA_SUFFIX));
	if (b->w == NULL || b->keep == NULL || b->ckeys == NULL ||
	    b->dkeys == NULL || dpath == NULL) {
		free(dpath);
		shoper_error_set(err, "out of memory");
		return -1;
	}
	strcpy(dpath, path);
	strcat(dpath, SHOPER_DELTA_SUFFIX);
	ret = build(b, d, changed, deleted, err);
	if (ret == 0)
		ret = shoper_index_writer_publish_delta(b->w, dpath, gen, err);
	free(dpath);
	return ret < 0 ? -1 : 1;
}

int shoper_index_publish_changes(const char *path,
				 const struct shoper_order *changed,
				 unsigned int n_changed,
				 const struct shoper_order_ref *deleted,
				 unsigned int n_deleted,
				 struct shoper_index_delta_info *info_r,
				 struct shoper_error *err)
{
	struct delta_build b;
	struct shoper_index_reader *r = shoper_index_reader_new(path);
	int ret;

	memset(&b, 0, sizeof(b));
	b.n_changed = n_changed;
	b.n_deleted = n_deleted;
	if (r == NULL) {
		shoper_error_set(err, "out of memory");
		return -1;
	}
	/* the reader keeps the current delta mapped while it is copied */
	ret = publish(path, r, &b, changed, deleted, err);
	if (info_r != NULL)
		*info_r = b.info;
	build_free(&b);
	shoper_index_reader_free(&r);
	return ret;
}
