/* The index reader: mmap without locks, every offset validated, a replaced
   file (new inode, size or mtime) noticed and mapped again. A bad new file
   is an error (the old map is dropped, not kept): the caller delivers the
   message unchanged and the next refresh tries again. */
#include "index-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct shoper_index_reader {
	char *path;
	const unsigned char *map;
	size_t map_size;
	struct stat st; /* of the mapped file */
	unsigned int check_msecs;
	uint64_t last_check_ms;
	struct shoper_cdb db;
	struct shoper_index_meta *meta;
	bool *shop_ok;
	bool borrowed; /* map is the caller's buffer: no file, no munmap */
	/* the incremental changes to the base (doc/index-format.md §10) */
	char *delta_path;
	struct shoper_delta delta;
};

struct shoper_index_reader *shoper_index_reader_new(const char *path)
{
	struct shoper_index_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->path = strdup(path);
	r->delta_path = malloc(strlen(path) + sizeof(SHOPER_DELTA_SUFFIX));
	if (r->path == NULL || r->delta_path == NULL) {
		free(r->path);
		free(r->delta_path);
		free(r);
		return NULL;
	}
	strcpy(r->delta_path, path);
	strcat(r->delta_path, SHOPER_DELTA_SUFFIX);
	return r;
}

struct shoper_index_reader *shoper_index_reader_new_buffer(const void *data,
							   size_t size)
{
	struct shoper_index_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->map = data;
	r->map_size = size;
	r->borrowed = true;
	return r;
}

static void reader_unmap(struct shoper_index_reader *r)
{
	shoper_index_meta_free(&r->meta);
	free(r->shop_ok);
	r->shop_ok = NULL;
	if (r->borrowed)
		return;
	if (r->map != NULL)
		(void)munmap((void *)r->map, r->map_size);
	r->map = NULL;
	r->map_size = 0;
}

void shoper_index_reader_free(struct shoper_index_reader **_r)
{
	struct shoper_index_reader *r = *_r;

	if (r == NULL)
		return;
	*_r = NULL;
	reader_unmap(r);
	shoper_delta_free(&r->delta);
	free(r->path);
	free(r->delta_path);
	free(r);
}

/* Parses the mapped bytes: cdb header, meta record. */
static int reader_load(struct shoper_index_reader *r, struct shoper_error *err)
{
	struct shoper_str val;
	int ret;

	if (shoper_cdb_init(&r->db, r->map, r->map_size, err) < 0)
		return -1;
	ret = shoper_cdb_find(&r->db, SHOPER_INDEX_META_KEY,
			      SHOPER_INDEX_META_KEY_LEN, &val, err);
	if (ret <= 0) {
		if (ret == 0)
			shoper_error_set(err, "no meta record");
		return -1;
	}
	r->meta = shoper_index_meta_parse((const unsigned char *)val.ptr,
					  val.len, err);
	if (r->meta == NULL)
		return -1;
	if (r->meta->delta_of != 0) {
		shoper_error_set(err, "a delta, not an index");
		return -1;
	}
	r->shop_ok = calloc(r->meta->shops.count + 1, sizeof(*r->shop_ok));
	if (r->shop_ok == NULL) {
		shoper_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

static int reader_map(struct shoper_index_reader *r, struct shoper_error *err)
{
	int fd;
	void *map;

	fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		shoper_error_set(err, "open %s: %s", r->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &r->st) < 0) {
		shoper_error_set(err, "fstat %s: %s", r->path, strerror(errno));
		close(fd);
		return -1;
	}
	if (r->st.st_size < SHOPER_CDB_HEADER_SIZE) {
		shoper_error_set(err, "%s: file too short (%lld bytes)",
				 r->path, (long long)r->st.st_size);
		close(fd);
		return -1;
	}
	map = mmap(NULL, r->st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		shoper_error_set(err, "mmap %s: %s", r->path, strerror(errno));
		return -1;
	}
	r->map = map;
	r->map_size = r->st.st_size;
	return reader_load(r, err);
}

static uint64_t coarse_ms(void)
{
	struct timespec ts;

	/* the coarse clock is read without a system call */
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void shoper_index_reader_set_check_interval(struct shoper_index_reader *r,
					    unsigned int msecs)
{
	r->check_msecs = msecs;
	/* the interval runs from now: the current map counts as checked */
	r->last_check_ms = coarse_ms();
}

/* Lookups stat the file only when the check interval has passed. */
static int refresh_if_due(struct shoper_index_reader *r,
			  struct shoper_error *err)
{
	if (r->meta != NULL && r->check_msecs > 0 &&
	    coarse_ms() - r->last_check_ms < r->check_msecs)
		return 0;
	return shoper_index_reader_refresh(r, err);
}

int shoper_index_reader_refresh(struct shoper_index_reader *r,
				struct shoper_error *err)
{
	struct shoper_error err2;
	struct stat st;

	r->last_check_ms = coarse_ms();
	if (r->borrowed) {
		/* a buffer never changes: parse it once */
		if (r->meta != NULL)
			return 0;
		if (reader_load(r, &err2) < 0) {
			reader_unmap(r);
			shoper_error_set(err, "index buffer: %s", err2.msg);
			return -1;
		}
		return 0;
	}
	if (stat(r->path, &st) < 0) {
		shoper_error_set(err, "stat %s: %s", r->path, strerror(errno));
		reader_unmap(r);
		shoper_delta_unmap(&r->delta);
		return -1;
	}
	if (r->map == NULL || !shoper_same_file(&st, &r->st)) {
		reader_unmap(r);
		if (reader_map(r, &err2) < 0) {
			reader_unmap(r);
			shoper_delta_unmap(&r->delta);
			shoper_error_set(err, "%s: %s", r->path, err2.msg);
			return -1;
		}
	}
	/* the second stat of a check: a delta is used only over the base
	   it names, whatever order the files were replaced in */
	shoper_delta_refresh(&r->delta, r->delta_path, r->meta->generation);
	return 0;
}

int shoper_index_reader_shop(struct shoper_index_reader *r, unsigned int idx,
			     struct shoper_str *name_r)
{
	/* no refresh here: the caller got n_shops from reader_info() on
	   the same map and walks it now */
	if (r->meta == NULL || idx >= r->meta->shops.count)
		return 0;
	*name_r = r->meta->shops.items[idx];
	return 1;
}

int shoper_index_reader_info(struct shoper_index_reader *r,
			     struct shoper_index_info *info_r,
			     struct shoper_error *err)
{
	if (refresh_if_due(r, err) < 0)
		return -1;
	info_r->build_time = r->meta->build_time;
	info_r->max_orders = r->meta->max_orders;
	info_r->n_shops = r->meta->shops.count;
	info_r->file_size = r->map_size;
	return 0;
}

static bool str_eq(const struct shoper_str *s, const char *p, size_t len)
{
	return s->len == len && memcmp(s->ptr, p, len) == 0;
}

/* The base's record (val, NULL: none) with the delta over it. */
static int lookup_email_delta(struct shoper_index_reader *r, const char *key,
			      int key_len, const struct shoper_str *val,
			      const char *const *shops, unsigned int n_shops,
			      unsigned int max_orders,
			      struct shoper_index_result *result,
			      struct shoper_error *err)
{
	struct shoper_str k;

	if (val != NULL) {
		k.ptr = val->ptr - key_len;
		k.len = key_len;
		if (shoper_record_decode_filtered(
			    r->meta, &k, (const unsigned char *)val->ptr,
			    val->len, NULL, 0, result, err) < 0)
			return -1;
	}
	if (shoper_delta_merge_email(&r->delta, r->meta->max_orders, key,
				     key_len, shops, n_shops, max_orders,
				     result, err) < 0)
		return -1;
	return result->count > 0 ? 1 : 0;
}

int shoper_index_lookup_email(struct shoper_index_reader *r, const char *email,
			      const char *const *shops, unsigned int n_shops,
			      unsigned int max_orders,
			      struct shoper_index_result *result,
			      struct shoper_error *err)
{
	char key[SHOPER_EMAIL_KEY_MAX + 1];
	struct shoper_str k, val;
	unsigned int i, j;
	int key_len, ret;

	result->count = 0;
	if (refresh_if_due(r, err) < 0)
		return -1;
	key_len =
		shoper_email_normalize(email, strlen(email), key, sizeof(key));
	if (key_len < 0)
		return 0;
	ret = shoper_cdb_find(&r->db, key, key_len, &val, err);
	if (ret < 0)
		return -1;
	if (r->delta.active)
		return lookup_email_delta(r, key, key_len,
					  ret == 1 ? &val : NULL, shops,
					  n_shops, max_orders, result, err);
	if (ret == 0)
		return 0;
	if (shops != NULL) {
		for (i = 0; i < r->meta->shops.count; i++) {
			const struct shoper_str *s = &r->meta->shops.items[i];

			r->shop_ok[i] = false;
			for (j = 0; j < n_shops && !r->shop_ok[i]; j++)
				r->shop_ok[i] =
					str_eq(s, shops[j], strlen(shops[j]));
		}
	}
	/* e-mails equal to the key point at the file's copy of the key,
	   which the cdb record puts right before the value */
	k.ptr = val.ptr - key_len;
	k.len = key_len;
	if (shoper_record_decode_filtered(
		    r->meta, &k, (const unsigned char *)val.ptr, val.len,
		    shops == NULL ? NULL : r->shop_ok, max_orders, result,
		    err) < 0)
		return -1;
	return result->count > 0 ? 1 : 0;
}

int shoper_index_lookup_order(struct shoper_index_reader *r, const char *shop,
			      const char *order_id,
			      struct shoper_order *order_r,
			      struct shoper_error *err)
{
	size_t shop_len = strlen(shop), id_len = strlen(order_id);
	char key[1024];
	struct shoper_str val;
	int ret;

	memset(order_r, 0, sizeof(*order_r));
	if (refresh_if_due(r, err) < 0)
		return -1;
	if (shop_len + id_len + 2 > sizeof(key))
		return 0;
	key[0] = '#';
	memcpy(key + 1, shop, shop_len);
	key[shop_len + 1] = ':';
	memcpy(key + shop_len + 2, order_id, id_len);
	/* the delta's answer, a deletion included, replaces the base's */
	ret = shoper_delta_find_order(&r->delta, key, shop_len + id_len + 2,
				      order_r, err);
	if (ret == 2 || ret < 0) {
		memset(order_r, 0, sizeof(*order_r));
		return ret < 0 ? -1 : 0;
	}
	if (ret == 0) {
		ret = shoper_cdb_find(&r->db, key, shop_len + id_len + 2, &val,
				      err);
		if (ret <= 0)
			return ret;
		if (shoper_order_value_decode(&r->db, r->meta, &val, order_r,
					      err) < 0)
			return -1;
	}
	/* a pointer that leads elsewhere is damage, not an answer */
	if (!str_eq(&order_r->shop, shop, shop_len) ||
	    !str_eq(&order_r->order_id, order_id, id_len)) {
		memset(order_r, 0, sizeof(*order_r));
		shoper_error_set(err,
				 "order key #%s:%s points to another "
				 "order",
				 shop, order_id);
		return -1;
	}
	return 1;
}

static int verify_record(struct shoper_index_reader *r,
			 const struct shoper_str *k, const struct shoper_str *v,
			 struct shoper_index_result *res,
			 struct shoper_error *err)
{
	char norm[SHOPER_EMAIL_KEY_MAX + 1];
	const char *colon;
	struct shoper_order o;

	if (k->len == SHOPER_INDEX_META_KEY_LEN &&
	    memcmp(k->ptr, SHOPER_INDEX_META_KEY, k->len) == 0)
		return 0; /* parsed at refresh */
	if (k->len > 0 && k->ptr[0] == '#') {
		colon = memchr(k->ptr, ':', k->len);
		if (colon == NULL)
			goto bad_key;
		if (shoper_order_value_decode(&r->db, r->meta, v, &o, err) < 0)
			return -1;
		if (!str_eq(&o.shop, k->ptr + 1, colon - k->ptr - 1) ||
		    !str_eq(&o.order_id, colon + 1,
			    k->ptr + k->len - colon - 1)) {
			shoper_error_set(err, "order key points elsewhere");
			return -1;
		}
		return 0;
	}
	if (shoper_email_normalize(k->ptr, k->len, norm, sizeof(norm)) !=
		    (int)k->len ||
	    memcmp(norm, k->ptr, k->len) != 0)
		goto bad_key;
	return shoper_record_decode(r->meta, (const unsigned char *)k->ptr,
				    k->len, (const unsigned char *)v->ptr,
				    v->len, res, err);
bad_key:
	shoper_error_set(err, "unexpected key in index");
	return -1;
}

int shoper_index_reader_verify(struct shoper_index_reader *r,
			       struct shoper_error *err)
{
	struct shoper_index_result *res;
	struct shoper_str k, v;
	uint64_t pos = SHOPER_CDB_HEADER_SIZE;
	int ret = 0;

	if (shoper_index_reader_refresh(r, err) < 0)
		return -1;
	res = malloc(sizeof(*res));
	if (res == NULL) {
		shoper_error_set(err, "out of memory");
		return -1;
	}
	while (pos < r->db.data_end && ret == 0) {
		ret = shoper_cdb_record_at(&r->db, pos, &k, &v, &pos, err);
		if (ret == 0)
			ret = verify_record(r, &k, &v, res, err);
	}
	free(res);
	return ret;
}

int shoper_index_reader_base(struct shoper_index_reader *r, uint64_t *gen_r,
			     unsigned int *max_orders_r,
			     struct shoper_delta **delta_r,
			     struct shoper_error *err)
{
	if (shoper_index_reader_refresh(r, err) < 0)
		return -1;
	*gen_r = r->meta->generation;
	*max_orders_r = r->meta->max_orders;
	*delta_r = &r->delta;
	return 0;
}
