#ifndef SHOPER_WRITER_PRIVATE_H
#define SHOPER_WRITER_PRIVATE_H

/* The writer's in-memory state, shared by writer.c (adding orders) and
   writer-publish.c (building and publishing the file). */

#include "index-private.h"

/* Interned strings of one meta table: items stored as they are encoded
   in the meta record, found again through a small open-addressing hash. */
struct shoper_intern {
	struct shoper_buf enc; /* concatenated item encodings */
	unsigned int count;
	size_t *offsets; /* item i: enc[offsets[i]..offsets[i+1]) */
	size_t offsets_size;
	uint32_t *slots; /* index + 1, 0 = empty */
	size_t n_slots;
};

/* One added order. Arena holds the normalised e-mail key, then the
   order's encoding as stored in an e-mail record, without its length
   prefix (e-mail omitted when it equals the key). */
struct shoper_worder {
	uint64_t arena_off;
	uint64_t key_hash; /* to sort e-mail keys quickly */
	uint64_t order_num; /* numeric order_id, 0 if not a number */
	uint32_t key_len; /* 0: no usable e-mail, findable by order key only */
	uint32_t enc_len;
	uint32_t flags_off; /* of the flags byte, inside the encoding */
	uint32_t id_off, id_len; /* order_id bytes, inside the encoding */
	uint32_t date_off, date_len;
	uint32_t shop;
	/* set while publishing: where the order landed */
	uint32_t rec_pos, rec_idx;
	unsigned int dead : 1; /* replaced by a later add of the same key */
	unsigned int capped : 1; /* over max_orders: stored inline */
	/* the order again under its delivery_email key (the next entry);
	   an alias has no order key of its own */
	unsigned int has_alias : 1;
	unsigned int alias : 1;
};

struct shoper_oslot {
	uint32_t idx1; /* order index + 1, 0 = empty */
	uint32_t hash;
};

struct shoper_index_writer {
	unsigned int max_orders;
	struct shoper_buf arena;
	struct shoper_worder *orders;
	size_t n_orders, orders_size;
	/* order key ("#shop:id") -> order index + 1, for last-add-wins;
	   with a part of the key's hash to skip most comparisons */
	struct shoper_oslot *oslots;
	size_t n_oslots;
	struct shoper_intern shops, statuses, currencies, synced, url_bases;
	struct shoper_intern shippings; /* (name, tracking URL template) */
	/* an add failed for want of resources: orders are missing */
	char failed[128];
	/* written into the meta when generation != 0 (§10); a delta also
	   names its base and carries deletions ("#shop:id" keys, the
	   caller's memory) */
	uint64_t generation, delta_of;
	const struct shoper_str *deleted;
	size_t n_deleted;
};

int shoper_intern(struct shoper_intern *t, const unsigned char *enc, size_t len,
		  uint32_t *idx_r);
void shoper_intern_free(struct shoper_intern *t);
const unsigned char *shoper_intern_get(const struct shoper_intern *t,
				       uint32_t idx, size_t *len_r);
uint64_t shoper_hash64(const void *p, size_t len);
/* Writes the whole cdb into fd (empty, at offset 0); path is for errors. */
/* Writes w as the delta (at path) over the base of generation base_gen. */
int shoper_index_writer_publish_delta(struct shoper_index_writer *w,
				      const char *path, uint64_t base_gen,
				      struct shoper_error *err);
/* A random generation, never 0. */
uint64_t shoper_index_new_generation(void);
int shoper_index_writer_write_fd(struct shoper_index_writer *w, int fd,
				 const char *path, struct shoper_error *err);

#endif
