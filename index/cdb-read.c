/* A cdb lookup on a mapped file that checks every position and length
   against the map, so a damaged file gives an error and never a read
   outside it. The format is D. J. Bernstein's cdb as tinycdb writes it. */
#include "index-private.h"

#include <string.h>

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint32_t shoper_cdb_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 5381;
	size_t i;

	for (i = 0; i < len; i++)
		h = ((h << 5) + h) ^ p[i];
	return h;
}

int shoper_cdb_init(struct shoper_cdb *db, const unsigned char *map,
		    size_t size, struct shoper_error *err)
{
	unsigned int i;

	if (size < SHOPER_CDB_HEADER_SIZE) {
		shoper_error_set(err, "file too short (%zu bytes)", size);
		return -1;
	}
	if (size > UINT32_MAX) {
		shoper_error_set(err, "file larger than 4 GiB: not a cdb");
		return -1;
	}
	db->map = map;
	db->size = size;
	db->data_end = size;
	/* hash tables follow the records: the lowest table position ends
	   the record area */
	for (i = 0; i < 256; i++) {
		uint32_t pos = get32(map + i * 8);
		uint32_t len = get32(map + i * 8 + 4);

		if (pos < SHOPER_CDB_HEADER_SIZE || pos > size ||
		    (uint64_t)len * 8 > size - pos) {
			shoper_error_set(err, "corrupt cdb header (table %u)",
					 i);
			return -1;
		}
		if (pos < db->data_end)
			db->data_end = pos;
	}
	return 0;
}

int shoper_cdb_record_at(const struct shoper_cdb *db, uint64_t pos,
			 struct shoper_str *key_r, struct shoper_str *val_r,
			 uint64_t *next_r, struct shoper_error *err)
{
	uint64_t klen, vlen;

	if (pos < SHOPER_CDB_HEADER_SIZE || pos > db->data_end ||
	    db->data_end - pos < 8)
		goto corrupt;
	klen = get32(db->map + pos);
	vlen = get32(db->map + pos + 4);
	if (klen + vlen > db->data_end - pos - 8)
		goto corrupt;
	key_r->ptr = (const char *)db->map + pos + 8;
	key_r->len = klen;
	val_r->ptr = key_r->ptr + klen;
	val_r->len = vlen;
	if (next_r != NULL)
		*next_r = pos + 8 + klen + vlen;
	return 0;
corrupt:
	shoper_error_set(err, "corrupt cdb record at %llu",
			 (unsigned long long)pos);
	return -1;
}

int shoper_cdb_find(const struct shoper_cdb *db, const void *key,
		    size_t key_len, struct shoper_str *val_r,
		    struct shoper_error *err)
{
	uint32_t h = shoper_cdb_hash(key, key_len);
	const unsigned char *hdr = db->map + (h & 255) * 8;
	uint32_t tpos = get32(hdr), tlen = get32(hdr + 4), slot, n;

	if (tlen == 0)
		return 0;
	/* linear probing; at most tlen slots, then give up */
	slot = (h >> 8) % tlen;
	for (n = 0; n < tlen; n++) {
		const unsigned char *s = db->map + tpos + (size_t)slot * 8;
		uint32_t sh = get32(s), rpos = get32(s + 4);
		struct shoper_str k;

		if (rpos == 0)
			return 0;
		if (sh == h) {
			if (shoper_cdb_record_at(db, rpos, &k, val_r, NULL,
						 err) < 0)
				return -1;
			if (k.len == key_len &&
			    memcmp(k.ptr, key, key_len) == 0)
				return 1;
		}
		if (++slot == tlen)
			slot = 0;
	}
	return 0;
}

/* An order-key value: the order inline, or a pointer to an e-mail record
   (its file position) and the order's index in it. */
int shoper_order_value_decode(const struct shoper_cdb *db,
			      struct shoper_index_meta *meta,
			      const struct shoper_str *val,
			      struct shoper_order *o, struct shoper_error *err)
{
	struct shoper_cursor c = {(const unsigned char *)val->ptr,
				  (const unsigned char *)val->ptr + val->len};
	struct shoper_cursor rc;
	struct shoper_str k, v;
	uint64_t pos, idx, n, i;
	unsigned char kind;
	int64_t url_base = -1;

	if (shoper_cursor_byte(&c, &kind) < 0)
		goto corrupt;
	if (kind == SHOPER_OK_INLINE) {
		if (shoper_order_decode(meta, &c, NULL, o, &url_base, NULL,
					err) < 0)
			return -1;
		if (c.p != c.end)
			goto corrupt;
	} else if (kind == SHOPER_OK_POINTER) {
		if (shoper_cursor_varint(&c, &pos) < 0 ||
		    shoper_cursor_varint(&c, &idx) < 0 || c.p != c.end ||
		    shoper_cdb_record_at(db, pos, &k, &v, NULL, err) < 0)
			goto corrupt;
		rc.p = (const unsigned char *)v.ptr;
		rc.end = rc.p + v.len;
		if (shoper_cursor_varint(&rc, &n) < 0 || idx >= n)
			goto corrupt;
		for (i = 0; i <= idx; i++) {
			if (shoper_order_decode(meta, &rc, &k, o, &url_base,
						NULL, err) < 0)
				return -1;
		}
	} else {
		goto corrupt;
	}
	return shoper_order_expand_urls(meta, o, &url_base, 1, err);
corrupt:
	shoper_error_set(err, "corrupt order key record");
	return -1;
}
