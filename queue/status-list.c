/* The status list file: one line per shop status, written by shoper-sync
   next to the index, read by the IMAP module to build status folders. */
#include "queue-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void copy_cut(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int shoper_status_list_add(struct shoper_status_list *list, const char *shop,
			   const char *id, const char *name, bool active)
{
	if (list->count == list->alloc) {
		/* doubling: one realloc per entry was quadratic (minutes
		   for 20,000 statuses under ASan, whose realloc always
		   copies) */
		unsigned int n = list->alloc == 0 ? 32 : list->alloc * 2;
		struct shoper_status_entry *items =
			realloc(list->items, (size_t)n * sizeof(*items));

		if (items == NULL)
			return -1;
		list->items = items;
		list->alloc = n;
	}
	struct shoper_status_entry *e = &list->items[list->count++];
	memset(e, 0, sizeof(*e));
	copy_cut(e->shop, sizeof(e->shop), shop);
	copy_cut(e->id, sizeof(e->id), id);
	copy_cut(e->name, sizeof(e->name), name);
	e->active = active;
	return 0;
}

/* Line: shop=S id=N active=0|1 name=X, '=' and controls escaped. */
int shoper_status_list_write(const char *path,
			     const struct shoper_status_list *list,
			     struct shoper_error *err)
{
	size_t size = 64 + (size_t)list->count * 1400, pos;
	char *buf = malloc(size);

	if (buf == NULL) {
		shoper_error_set(err, "out of memory");
		return -1;
	}
	pos = (size_t)snprintf(buf, size, "%s\n", SHOPER_STATUS_LIST_FORMAT);
	for (unsigned int i = 0; i < list->count; i++) {
		const struct shoper_status_entry *e = &list->items[i];
		pos += (size_t)snprintf(buf + pos, size - pos, "shop=");
		(void)shoper_qesc(buf, size, &pos, e->shop);
		pos += (size_t)snprintf(buf + pos, size - pos, " id=");
		(void)shoper_qesc(buf, size, &pos, e->id);
		pos += (size_t)snprintf(buf + pos, size - pos,
					" active=%d name=", e->active ? 1 : 0);
		(void)shoper_qesc(buf, size, &pos, e->name);
		pos += (size_t)snprintf(buf + pos, size - pos, "\n");
	}
	int ret = -1;
	if (pos > SHOPER_STATUS_LIST_MAX_FILE)
		shoper_error_set(err,
				 "%s: not written: %zu bytes, readers take at "
				 "most %d",
				 path, pos, SHOPER_STATUS_LIST_MAX_FILE);
	else
		ret = shoper_file_replace_data(path, buf, pos, 0640,
					       SHOPER_FILE_GROUP_TRY, err);
	free(buf);
	return ret;
}

/* Parses "shop=S id=N active=B name=X" (name last: it may hold spaces). */
static int parse_line(struct shoper_status_list *list, const char *line,
		      size_t len)
{
	char shop[128], id[32], name[256];
	const char *p = line, *end = line + len, *sp;

	if (len < 5 || memcmp(p, "shop=", 5) != 0)
		return -1;
	p += 5;
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL ||
	    shoper_qunesc(p, (size_t)(sp - p), shop, sizeof(shop)) < 0)
		return -1;
	p = sp + 1;
	if (end - p < 3 || memcmp(p, "id=", 3) != 0)
		return -1;
	p += 3;
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL ||
	    shoper_qunesc(p, (size_t)(sp - p), id, sizeof(id)) < 0 ||
	    !shoper_qdigits(id, 20))
		return -1;
	p = sp + 1;
	if (end - p < 14 || memcmp(p, "active=", 7) != 0 ||
	    (p[7] != '0' && p[7] != '1') || memcmp(p + 8, " name=", 6) != 0)
		return -1;
	bool active = p[7] == '1';
	p += 14;
	if (shoper_qunesc(p, (size_t)(end - p), name, sizeof(name)) < 0 ||
	    shop[0] == '\0')
		return -1;
	return shoper_status_list_add(list, shop, id, name, active);
}

int shoper_status_list_read(const char *path, struct shoper_status_list *list_r,
			    struct shoper_error *err)
{
	size_t flen = strlen(SHOPER_STATUS_LIST_FORMAT), len;
	char *data;

	memset(list_r, 0, sizeof(*list_r));
	if (shoper_qread_file(path, SHOPER_STATUS_LIST_MAX_FILE, &data, &len,
			      NULL, err) < 0)
		return -1;
	if (len < flen + 1 ||
	    memcmp(data, SHOPER_STATUS_LIST_FORMAT, flen) != 0 ||
	    data[flen] != '\n') {
		shoper_error_set(err, "%s: not a status list", path);
		free(data);
		errno = EINVAL;
		return -1;
	}
	const char *p = data + flen + 1, *end = data + len;
	unsigned int lineno = 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		lineno++;
		if (nl == NULL || parse_line(list_r, p, (size_t)(nl - p)) < 0) {
			shoper_error_set(err, "%s:%u: bad line", path, lineno);
			free(data);
			shoper_status_list_free(list_r);
			errno = EINVAL;
			return -1;
		}
		p = nl + 1;
	}
	free(data);
	return 0;
}

const struct shoper_status_entry *shoper_status_list_find(
	const struct shoper_status_list *list, const char *shop, const char *id)
{
	for (unsigned int i = 0; i < list->count; i++) {
		if (strcmp(list->items[i].shop, shop) == 0 &&
		    strcmp(list->items[i].id, id) == 0)
			return &list->items[i];
	}
	return NULL;
}

void shoper_status_list_free(struct shoper_status_list *list)
{
	free(list->items);
	list->items = NULL;
	list->count = 0;
	list->alloc = 0;
}

int shoper_status_list_path(const char *index_path, char *out, size_t out_size)
{
	if ((size_t)snprintf(out, out_size, "%s.statuses", index_path) >=
	    out_size)
		return -1;
	return 0;
}

int shoper_queue_dir(const char *index_path, char *out, size_t out_size)
{
	const char *slash = strrchr(index_path, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - index_path);

	if (slash == NULL)
		return snprintf(out, out_size, "queue") >= (int)out_size ? -1
									 : 0;
	if (n + sizeof("/queue") > out_size)
		return -1;
	memcpy(out, index_path, n);
	strcpy(out + n, "/queue");
	return 0;
}
