#ifndef SHOPER_INDEX_PRIVATE_H
#define SHOPER_INDEX_PRIVATE_H

/* Internals shared by the index library's files; not for callers. */

#include "shoper-index.h"

#include <stdarg.h>
#include <sys/stat.h>

#define SHOPER_INDEX_MAGIC "SHOPIDX"
#define SHOPER_INDEX_MAGIC_LEN 7
#define SHOPER_INDEX_META_KEY "\0meta"
#define SHOPER_INDEX_META_KEY_LEN 5
/* cdb: 256 (position, length) pairs before the first record. */
#define SHOPER_CDB_HEADER_SIZE 2048
/* Admin URL derived from a base: base + this + order_id. */
#define SHOPER_URL_INFIX "/admin/orders/view/id/"
#define SHOPER_URL_INFIX_LEN (sizeof(SHOPER_URL_INFIX) - 1)
/* Longest normalised e-mail key. */
#define SHOPER_EMAIL_KEY_MAX 1024

/* Order flags byte. */
#define SHOPER_OF_PAID 0x01
#define SHOPER_OF_EMAIL_IS_KEY 0x02
#define SHOPER_OF_URL_MASK 0x0c
#define SHOPER_OF_URL_NONE 0x00
#define SHOPER_OF_URL_BASE 0x04
#define SHOPER_OF_URL_LITERAL 0x08
#define SHOPER_OF_KNOWN 0x0f

/* Order-key value kinds. */
#define SHOPER_OK_POINTER 1
#define SHOPER_OK_INLINE 2
/* in a delta only: the order is gone (no body) */
#define SHOPER_OK_DELETED 3

/* The delta next to an index: "<path>.delta" (doc/index-format.md §10). */
#define SHOPER_DELTA_SUFFIX ".delta"
/* A delta larger than this is not read (a publisher folds long before). */
#define SHOPER_DELTA_MAX_SIZE (64u * 1024 * 1024)

/* ---- growable byte buffer (writer side) ---- */
struct shoper_buf {
	unsigned char *data;
	size_t used, size;
};
int shoper_buf_reserve(struct shoper_buf *b, size_t n);
int shoper_buf_append(struct shoper_buf *b, const void *p, size_t n);
int shoper_buf_varint(struct shoper_buf *b, uint64_t v);
int shoper_buf_str(struct shoper_buf *b, const void *p, size_t n);
void shoper_buf_free(struct shoper_buf *b);

/* ---- bounds-checked reading cursor ---- */
struct shoper_cursor {
	const unsigned char *p, *end;
};
int shoper_cursor_varint(struct shoper_cursor *c, uint64_t *v_r);
int shoper_cursor_str(struct shoper_cursor *c, struct shoper_str *s_r);
int shoper_cursor_byte(struct shoper_cursor *c, unsigned char *b_r);

/* ---- meta ---- */
struct shoper_meta_status {
	struct shoper_str id, name;
	enum shoper_status_type type;
};
struct shoper_meta_shipping {
	struct shoper_str name, tracking_url;
};
struct shoper_meta_table {
	unsigned int count;
	struct shoper_str *items;
};
struct shoper_index_meta {
	uint64_t version, build_time, max_orders;
	/* after the version's last table, both optional (0 = absent):
	   this file's random identity, and in a delta the identity of the
	   index it applies to */
	uint64_t generation, delta_of;
	struct shoper_meta_table shops, currencies, synced, url_bases;
	unsigned int n_statuses;
	struct shoper_meta_status *statuses;
	/* version 2 on: shipping methods (name, tracking URL template) */
	unsigned int n_shippings;
	struct shoper_meta_shipping *shippings;
	/* decoded admin URLs are built here */
	char *scratch;
	size_t scratch_size;
};

/* Decodes one order at the cursor (in the meta's format version). key:
   the e-mail key the order sits under, or NULL for an inline order (then
   the e-mail is always stored). *url_base_r is the url-base index to
   expand later, or -1; *shop_r (may be NULL) the shop's index. */
int shoper_order_decode(const struct shoper_index_meta *meta,
			struct shoper_cursor *c, const struct shoper_str *key,
			struct shoper_order *order_r, int64_t *url_base_r,
			uint64_t *shop_r, struct shoper_error *err);
/* Builds the derived URLs of orders[0..count) in the meta's scratch. */
int shoper_order_expand_urls(struct shoper_index_meta *meta,
			     struct shoper_order *orders,
			     const int64_t *url_bases, unsigned int count,
			     struct shoper_error *err);

/* Decodes an e-mail record keeping only orders of shops with
   shop_ok[shop index] (NULL: all), at most max (0: SHOPER_INDEX_MAX_RESULT).
   A lookup stops reading once it has max orders. */
int shoper_record_decode_filtered(struct shoper_index_meta *meta,
				  const struct shoper_str *key,
				  const unsigned char *data, size_t len,
				  const bool *shop_ok, unsigned int max,
				  struct shoper_index_result *result,
				  struct shoper_error *err);

/* ---- validated cdb lookup on a mapped file ---- */
struct shoper_cdb {
	const unsigned char *map;
	size_t size;
	/* records live in [SHOPER_CDB_HEADER_SIZE, data_end) */
	size_t data_end;
};
int shoper_cdb_init(struct shoper_cdb *db, const unsigned char *map,
		    size_t size, struct shoper_error *err);
/* 1 found (value in *val_r), 0 not found, -1 corrupt. */
int shoper_cdb_find(const struct shoper_cdb *db, const void *key,
		    size_t key_len, struct shoper_str *val_r,
		    struct shoper_error *err);
/* The record at file position pos: key and value. 0 or -1 corrupt. */
int shoper_cdb_record_at(const struct shoper_cdb *db, uint64_t pos,
			 struct shoper_str *key_r, struct shoper_str *val_r,
			 uint64_t *next_r, struct shoper_error *err);
uint32_t shoper_cdb_hash(const void *key, size_t len);
/* An order-key value (§6: pointer or inline, not a deletion) in db
   decoded, with its admin URL built. 0 or -1 corrupt. */
int shoper_order_value_decode(const struct shoper_cdb *db,
			      struct shoper_index_meta *meta,
			      const struct shoper_str *val,
			      struct shoper_order *o, struct shoper_error *err);
/* Same device, inode, size and mtime: the file was not replaced. */
bool shoper_same_file(const struct stat *a, const struct stat *b);

/* ---- the delta as a reader holds it (delta-read.c) ---- */
struct shoper_delta {
	const unsigned char *map;
	size_t size;
	/* the file last looked at, used or refused: looked at again only
	   once it (or the base) changes */
	struct stat st;
	bool have_st, active;
	bool borrowed; /* map is a caller's buffer (the fuzz target) */
	uint64_t base_gen; /* the base generation it was checked against */
	struct shoper_cdb db;
	struct shoper_index_meta *meta;
	struct shoper_index_result *res; /* scratch of a merge */
};
/* For the delta writer: refreshes r, then the base's generation and
   max_orders and the reader's delta. 0 or -1 with err. */
struct shoper_index_reader;
int shoper_index_reader_base(struct shoper_index_reader *r, uint64_t *gen_r,
			     unsigned int *max_orders_r,
			     struct shoper_delta **delta_r,
			     struct shoper_error *err);
/* Stats path and (re)maps the delta when it changed; a missing, corrupt
   or foreign delta (another base_gen) is not used (active false). */
void shoper_delta_refresh(struct shoper_delta *d, const char *path,
			  uint64_t base_gen);
void shoper_delta_unmap(struct shoper_delta *d);
/* The delta in data[0..size) (the caller's, outliving its use) over the
   base of generation base_gen: 0, or -1 not usable. For the fuzz target. */
int shoper_delta_use_buffer(struct shoper_delta *d, const unsigned char *data,
			    size_t size, uint64_t base_gen,
			    struct shoper_error *err);
void shoper_delta_free(struct shoper_delta *d);
/* The order key key[0..len) in the delta: 1 changed (*o filled),
   2 deleted, 0 not in the delta, -1 corrupt. */
int shoper_delta_find_order(struct shoper_delta *d, const char *key, size_t len,
			    struct shoper_order *o, struct shoper_error *err);
/* result: the base's orders under key (all shops, unlimited); replaces
   those the delta changed or deleted, adds the delta's under key, and
   applies the shop filter, the per-shop cap and max_orders. */
int shoper_delta_merge_email(struct shoper_delta *d, unsigned int per_shop,
			     const char *key, size_t key_len,
			     const char *const *shops, unsigned int n_shops,
			     unsigned int max_orders,
			     struct shoper_index_result *result,
			     struct shoper_error *err);

#endif
