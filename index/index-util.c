/* Small helpers of the index library: a growable buffer and a bounds-
   checked cursor for the varint/length-prefixed encoding. */
#include "index-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int shoper_buf_reserve(struct shoper_buf *b, size_t n)
{
	size_t size;
	unsigned char *p;

	if (b->size - b->used >= n)
		return 0;
	if (n > SIZE_MAX / 2 - b->used)
		return -1;
	size = b->size < 256 ? 256 : b->size;
	while (size - b->used < n)
		size *= 2;
	p = realloc(b->data, size);
	if (p == NULL)
		return -1;
	b->data = p;
	b->size = size;
	return 0;
}

int shoper_buf_append(struct shoper_buf *b, const void *p, size_t n)
{
	if (shoper_buf_reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->used, p, n);
	b->used += n;
	return 0;
}

int shoper_buf_varint(struct shoper_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	/* LEB128: 7 bits a byte, least significant first, high bit = more */
	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v != 0)
			tmp[n] |= 0x80;
		n++;
	} while (v != 0);
	return shoper_buf_append(b, tmp, n);
}

int shoper_buf_str(struct shoper_buf *b, const void *p, size_t n)
{
	if (shoper_buf_varint(b, n) < 0)
		return -1;
	return shoper_buf_append(b, p, n);
}

void shoper_buf_free(struct shoper_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->used = b->size = 0;
}

int shoper_cursor_varint(struct shoper_cursor *c, uint64_t *v_r)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	for (;;) {
		unsigned char byte;

		if (c->p >= c->end)
			return -1;
		byte = *c->p++;
		/* at most 10 bytes; the 10th may carry only 1 bit */
		if (shift == 63 && (byte & 0x7e) != 0)
			return -1;
		v |= (uint64_t)(byte & 0x7f) << shift;
		if ((byte & 0x80) == 0)
			break;
		shift += 7;
		if (shift > 63)
			return -1;
	}
	*v_r = v;
	return 0;
}

int shoper_cursor_str(struct shoper_cursor *c, struct shoper_str *s_r)
{
	uint64_t len;

	if (shoper_cursor_varint(c, &len) < 0)
		return -1;
	if (len > (uint64_t)(c->end - c->p))
		return -1;
	s_r->ptr = (const char *)c->p;
	s_r->len = len;
	c->p += len;
	return 0;
}

int shoper_cursor_byte(struct shoper_cursor *c, unsigned char *b_r)
{
	if (c->p >= c->end)
		return -1;
	*b_r = *c->p++;
	return 0;
}

bool shoper_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}
