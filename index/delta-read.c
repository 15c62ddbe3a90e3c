/* The delta over an index, reader side (doc/index-format.md §10): mapped
   only when it names the mapped base's generation and checked whole
   before use (it is small), so a damaged or foreign delta leaves the base
   served alone. Lookups ask it first; per key its answer wins. */
#include "index-private.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void shoper_delta_unmap(struct shoper_delta *d)
{
	shoper_index_meta_free(&d->meta);
	if (d->map != NULL && !d->borrowed)
		(void)munmap((void *)d->map, d->size);
	d->map = NULL;
	d->size = 0;
	d->active = false;
}

void shoper_delta_free(struct shoper_delta *d)
{
	shoper_delta_unmap(d);
	free(d->res);
	d->res = NULL;
}

static bool key_is(const struct shoper_str *k, const char *p, size_t len)
{
	return k->len == len && memcmp(k->ptr, p, len) == 0;
}

/* Every record of the delta decodes, and every order key holds the order
   it names. */
static int delta_check(struct shoper_delta *d, struct shoper_error *err)
{
	char norm[SHOPER_EMAIL_KEY_MAX + 1];
	uint64_t pos = SHOPER_CDB_HEADER_SIZE;
	struct shoper_str k, v;
	struct shoper_order o;
	const char *colon;

	while (pos < d->db.data_end) {
		if (shoper_cdb_record_at(&d->db, pos, &k, &v, &pos, err) < 0)
			return -1;
		if (key_is(&k, SHOPER_INDEX_META_KEY,
			   SHOPER_INDEX_META_KEY_LEN))
			continue;
		if (k.len > 0 && k.ptr[0] == '#') {
			colon = memchr(k.ptr, ':', k.len);
			if (colon == NULL)
				return -1;
			if (v.len == 1 && v.ptr[0] == SHOPER_OK_DELETED)
				continue;
			if (shoper_order_value_decode(&d->db, d->meta, &v, &o,
						      err) < 0 ||
			    !key_is(&o.shop, k.ptr + 1, colon - k.ptr - 1) ||
			    !key_is(&o.order_id, colon + 1,
				    k.ptr + k.len - colon - 1))
				return -1;
			continue;
		}
		if (shoper_email_normalize(k.ptr, k.len, norm, sizeof(norm)) !=
			    (int)k.len ||
		    memcmp(norm, k.ptr, k.len) != 0 ||
		    shoper_record_decode(d->meta, (const unsigned char *)k.ptr,
					 k.len, (const unsigned char *)v.ptr,
					 v.len, d->res, err) < 0)
			return -1;
	}
	return 0;
}

/* The mapped bytes: cdb, meta, bound to base_gen, checked whole. */
static int delta_parse(struct shoper_delta *d, struct shoper_error *err)
{
	struct shoper_str val;

	if (d->res == NULL && (d->res = malloc(sizeof(*d->res))) == NULL)
		return -1;
	if (shoper_cdb_init(&d->db, d->map, d->size, err) < 0 ||
	    shoper_cdb_find(&d->db, SHOPER_INDEX_META_KEY,
			    SHOPER_INDEX_META_KEY_LEN, &val, err) != 1)
		return -1;
	d->meta = shoper_index_meta_parse((const unsigned char *)val.ptr,
					  val.len, err);
	/* bound to the base: any other base, or none named, and it is not
	   ours to apply */
	if (d->meta == NULL || d->meta->delta_of == 0 ||
	    d->meta->delta_of != d->base_gen)
		return -1;
	return delta_check(d, err);
}

static int delta_load(struct shoper_delta *d, const char *path,
		      struct shoper_error *err)
{
	void *map;
	int fd;

	d->borrowed = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &d->st) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	d->have_st = true;
	if (d->st.st_size < SHOPER_CDB_HEADER_SIZE ||
	    d->st.st_size > SHOPER_DELTA_MAX_SIZE) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, d->st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	d->map = map;
	d->size = d->st.st_size;
	return delta_parse(d, err);
}

int shoper_delta_use_buffer(struct shoper_delta *d, const unsigned char *data,
			    size_t size, uint64_t base_gen,
			    struct shoper_error *err)
{
	shoper_delta_unmap(d);
	d->borrowed = true;
	d->map = data;
	d->size = size;
	d->base_gen = base_gen;
	if (size < SHOPER_CDB_HEADER_SIZE || size > SHOPER_DELTA_MAX_SIZE ||
	    delta_parse(d, err) < 0) {
		shoper_delta_unmap(d);
		return -1;
	}
	d->active = true;
	return 0;
}

void shoper_delta_refresh(struct shoper_delta *d, const char *path,
			  uint64_t base_gen)
{
	struct shoper_error err;
	struct stat st;

	if (stat(path, &st) < 0) {
		shoper_delta_unmap(d);
		d->have_st = false;
		return;
	}
	if (d->have_st && shoper_same_file(&st, &d->st) &&
	    d->base_gen == base_gen)
		return;
	shoper_delta_unmap(d);
	d->base_gen = base_gen;
	d->have_st = false;
	if (base_gen == 0 || delta_load(d, path, &err) < 0) {
		/* not used; looked at again when it or the base changes */
		shoper_delta_unmap(d);
		if (!d->have_st) {
			d->st = st;
			d->have_st = true;
		}
		return;
	}
	d->active = true;
}

int shoper_delta_find_order(struct shoper_delta *d, const char *key, size_t len,
			    struct shoper_order *o, struct shoper_error *err)
{
	struct shoper_str val;
	int ret;

	if (!d->active)
		return 0;
	ret = shoper_cdb_find(&d->db, key, len, &val, err);
	if (ret <= 0)
		return ret;
	if (val.len == 1 && val.ptr[0] == SHOPER_OK_DELETED)
		return 2;
	return shoper_order_value_decode(&d->db, d->meta, &val, o, err) < 0 ? -1
									    : 1;
}
