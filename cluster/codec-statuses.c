/* A shop's statuses as Redis holds them (the :statuses key and the
   _statuses field of a stream entry): "T1", the shop's name, then per
   status an 'S' record (id, type, active, position) followed by an 'N'
   record per name (language, name); lengths and numbers little-endian.
   The decoder checks the whole value before it hands anything on: a
   node writes nothing of a value it cannot trust into its state. */
#include "shoper-cluster.h"

#include <stdlib.h>
#include <string.h>

/* bounds far above any shop's, below what would hurt a node */
#define MAX_STATUSES 10000
#define MAX_NAMES 64 /* per status */
#define MAX_LANG 32
#define MAX_NAME 1024

static void put(struct shoper_cluster_buf *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->alloc) {
		size_t a = b->alloc == 0 ? 1024 : b->alloc;
		while (a < b->len + n)
			a *= 2;
		char *d = realloc(b->data, a);
		if (d == NULL) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->alloc = a;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u64(struct shoper_cluster_buf *b, unsigned long long v)
{
	unsigned char p[8];

	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
	put(b, p, 8);
}

static void put_str(struct shoper_cluster_buf *b, const char *s, size_t len)
{
	unsigned char p[4];

	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(len >> (8 * i));
	put(b, p, 4);
	put(b, s, len);
}

void shoper_cluster_statuses_begin(struct shoper_cluster_buf *b,
				   const char *shop)
{
	b->len = 0;
	b->failed = false;
	put(b, "T1", 2);
	put_str(b, shop, strlen(shop));
}

void shoper_cluster_statuses_add(struct shoper_cluster_buf *b,
				 const struct shoper_cluster_status *s)
{
	unsigned char ta[2] = {(unsigned char)s->type, s->active ? 1 : 0};

	put(b, "S", 1);
	put_u64(b, (unsigned long long)s->status_id);
	put(b, ta, 2);
	put_u64(b, (unsigned long long)s->position);
}

void shoper_cluster_statuses_name(struct shoper_cluster_buf *b,
				  const char *lang, const char *name,
				  size_t name_len)
{
	put(b, "N", 1);
	put_str(b, lang, strlen(lang));
	put_str(b, name, name_len);
}

void shoper_cluster_buf_free(struct shoper_cluster_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

struct cursor {
	const unsigned char *p, *end;
};

static int get_u64(struct cursor *c, unsigned long long *v)
{
	if (c->end - c->p < 8)
		return -1;
	*v = 0;
	for (int i = 7; i >= 0; i--)
		*v = *v << 8 | c->p[i];
	c->p += 8;
	return 0;
}

static int get_str(struct cursor *c, size_t max, struct shoper_str *s)
{
	if (c->end - c->p < 4)
		return -1;
	size_t len =
		c->p[0] | c->p[1] << 8 | c->p[2] << 16 | (size_t)c->p[3] << 24;
	c->p += 4;
	if (len > max || (size_t)(c->end - c->p) < len ||
	    memchr(c->p, '\0', len) != NULL)
		return -1;
	s->ptr = (const char *)c->p;
	s->len = len;
	c->p += len;
	return 0;
}

static bool lang_ok(const struct shoper_str *l)
{
	if (l->len == 0)
		return false;
	for (size_t i = 0; i < l->len; i++) {
		char ch = l->ptr[i];
		if (!(ch == '_' || ch == '-' || (ch >= '0' && ch <= '9') ||
		      (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
			return false;
	}
	return true;
}

static int get_status(struct cursor *c, struct shoper_cluster_status *s)
{
	unsigned long long id, pos;

	if (get_u64(c, &id) < 0 || c->end - c->p < 2)
		return -1;
	s->status_id = (long long)id;
	s->type = c->p[0];
	s->active = c->p[1] == 1;
	if (c->p[1] > 1 || s->type > 4)
		return -1;
	c->p += 2;
	if (get_u64(c, &pos) < 0)
		return -1;
	s->position = (long long)pos;
	/* ids as the shop gives them (positive), positions -1 or more */
	return s->status_id > 0 && s->status_id < (1LL << 53) &&
			       s->position >= -1
		       ? 0
		       : -1;
}

/* One pass over the records: cb NULL checks only. */
static int walk(struct cursor c, shoper_cluster_status_cb *cb, void *ctx)
{
	struct shoper_cluster_status s = {0, 0, false, 0};
	unsigned int n_statuses = 0, n_names = 0;
	struct shoper_str lang, name;
	int ret;

	while (c.p < c.end) {
		unsigned char kind = *c.p++;
		if (kind == 'S') {
			if (get_status(&c, &s) < 0 ||
			    ++n_statuses > MAX_STATUSES)
				return -1;
			n_names = 0;
			if (cb != NULL && (ret = cb(ctx, &s, NULL, NULL)) != 0)
				return ret;
		} else if (kind == 'N' && n_statuses > 0) {
			if (get_str(&c, MAX_LANG, &lang) < 0 ||
			    get_str(&c, MAX_NAME, &name) < 0 ||
			    !lang_ok(&lang) || ++n_names > MAX_NAMES)
				return -1;
			if (cb != NULL &&
			    (ret = cb(ctx, &s, &lang, &name)) != 0)
				return ret;
		} else {
			return -1;
		}
	}
	return 0;
}

int shoper_cluster_decode_statuses(const char *data, size_t len,
				   const char *shop,
				   shoper_cluster_status_cb *cb, void *ctx)
{
	struct cursor c = {(const unsigned char *)data,
			   (const unsigned char *)data + len};
	struct shoper_str name;

	if (len < 2 || memcmp(data, "T1", 2) != 0)
		return -1;
	c.p += 2;
	if (get_str(&c, 256, &name) < 0 || name.len != strlen(shop) ||
	    memcmp(name.ptr, shop, name.len) != 0)
		return -1;
	if (walk(c, NULL, NULL) < 0)
		return -1;
	return walk(c, cb, ctx);
}
