/* filters: status list from the state, keywords, and writing a file only
   when its text differs. */
#include "filters.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILTER_NAME_MAX_CHARS 120 /* the plugin's cap of the header */
#define FILTER_SLUG_MAX 32

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		abort();
	return p;
}

void fbuf_add(struct fbuf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->alloc) {
		b->alloc = (b->len + len + 1) * 2;
		b->data = xrealloc(b->data, b->alloc);
	}
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void fbuf_str(struct fbuf *b, const char *s)
{
	fbuf_add(b, s, strlen(s));
}

void fbuf_quoted(struct fbuf *b, const char *s)
{
	fbuf_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fbuf_add(b, "\\", 1);
		fbuf_add(b, s, 1);
	}
	fbuf_add(b, "\"", 1);
}

void fbuf_printf(struct fbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		fbuf_add(b, tmp,
			 (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

bool filters_pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size;
}

void fbuf_free(struct fbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static const char *const type_keywords[] = {
	NULL, "$shoper_new", "$shoper_in_progress", "$shoper_closed",
	"$shoper_not_completed"};
static const char *const type_folders[] = {NULL, "New", "In-progress", "Closed",
					   "Not-completed"};
static const char *const type_headers[] = {NULL, "new", "in-progress", "closed",
					   "not-completed"};

const char *filter_type_keyword(int type)
{
	return type >= 1 && type <= 4 ? type_keywords[type] : NULL;
}

const char *filter_type_folder(int type)
{
	return type >= 1 && type <= 4 ? type_folders[type] : NULL;
}

const char *filter_type_header(int type)
{
	return type >= 1 && type <= 4 ? type_headers[type] : NULL;
}

/* The name as the plugin's header cleaning leaves it (doc/headers.md):
   control characters and white space runs become one space, trimmed, cut
   to 120 characters. NULL for invalid UTF-8 or an empty result. */
char *filters_clean_name(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t len = strlen(name), i = 0, chars = 0;
	struct fbuf b = {0};
	bool space = false;
	uint32_t cp;

	while (i < len && chars < FILTER_NAME_MAX_CHARS) {
		size_t n = shoper_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			fbuf_free(&b);
			return NULL;
		}
		if (shoper_utf8_is_space_or_control(cp)) {
			space = b.len > 0;
		} else {
			if (space) {
				fbuf_add(&b, " ", 1);
				chars++;
				space = false;
			}
			if (chars < FILTER_NAME_MAX_CHARS) {
				fbuf_add(&b, name + i, n);
				chars++;
			}
		}
		i += n;
	}
	if (b.len == 0) {
		fbuf_free(&b);
		return NULL;
	}
	return b.data;
}

/* ASCII letter for common Latin letters with diacritics (Polish first). */
static char fold_letter(unsigned int cp)
{
	static const struct {
		uint32_t cp;
		char c;
	} map[] = {{0x105, 'a'}, {0x104, 'a'}, {0x107, 'c'}, {0x106, 'c'},
		   {0x119, 'e'}, {0x118, 'e'}, {0x142, 'l'}, {0x141, 'l'},
		   {0x144, 'n'}, {0x143, 'n'}, {0xf3, 'o'},  {0xd3, 'o'},
		   {0x15b, 's'}, {0x15a, 's'}, {0x17a, 'z'}, {0x179, 'z'},
		   {0x17c, 'z'}, {0x17b, 'z'}, {0xe4, 'a'},  {0xf6, 'o'},
		   {0xfc, 'u'},  {0xdf, 's'},  {0xe9, 'e'},  {0x10d, 'c'},
		   {0x161, 's'}, {0x17e, 'z'}, {0x159, 'r'}, {0x11b, 'e'}};

	if (cp < 0x80) {
		char c = (char)cp;
		if (c >= 'A' && c <= 'Z')
			return (char)(c - 'A' + 'a');
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c
									: '_';
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].cp == cp)
			return map[i].c;
	}
	return '_';
}

/* "$shoper_status_" + [a-z0-9_] slug of the name: an IMAP atom. */
static char *make_keyword(const char *name, long long id)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t len = strlen(name), i = 0, n;
	char slug[FILTER_SLUG_MAX + 1];
	size_t sl = 0;
	uint32_t cp;
	char kw[80];

	while (i < len && sl < FILTER_SLUG_MAX) {
		n = shoper_utf8_decode(s + i, len - i, &cp);
		char c = fold_letter(n == 0 ? '?' : cp);
		i += n == 0 ? 1 : n;
		if (c == '_' && (sl == 0 || slug[sl - 1] == '_'))
			continue;
		slug[sl++] = c;
	}
	while (sl > 0 && slug[sl - 1] == '_')
		sl--;
	slug[sl] = '\0';
	if (sl == 0)
		snprintf(kw, sizeof(kw), "$shoper_status_%lld", id);
	else
		snprintf(kw, sizeof(kw), "$shoper_status_%s", slug);
	return strdup(kw);
}

struct load_ctx {
	struct filter_set *set;
};

static void add_status(void *_ctx, const struct sync_status_row *r)
{
	struct filter_set *set = ((struct load_ctx *)_ctx)->set;
	char *name = r->name == NULL ? NULL : filters_clean_name(r->name);

	if (name == NULL)
		return;
	for (unsigned int i = 0; i < set->n; i++) {
		if (strcmp(set->st[i].name, name) == 0) {
			free(name);
			return;
		}
	}
	if (set->n == set->alloc) {
		set->alloc = set->alloc == 0 ? 16 : set->alloc * 2;
		set->st = xrealloc(set->st, set->alloc * sizeof(*set->st));
	}
	set->st[set->n].name = name;
	set->st[set->n].type = r->type >= 1 && r->type <= 4 ? r->type : 0;
	set->st[set->n].keyword = make_keyword(name, r->status_id);
	if (set->st[set->n].keyword == NULL)
		abort();
	set->n++;
}

static int cmp_status(const void *a, const void *b)
{
	return strcmp(((const struct filter_status *)a)->name,
		      ((const struct filter_status *)b)->name);
}

/* Two names with one slug: the later (in name order) gets _2, _3, ... */
static void dedupe_keywords(struct filter_set *set)
{
	for (unsigned int i = 1; i < set->n; i++) {
		unsigned int suffix = 2;
		bool clash = true;
		char *base = strdup(set->st[i].keyword);
		char kw[100];
		if (base == NULL)
			abort();
		while (clash) {
			clash = false;
			for (unsigned int j = 0; j < i; j++) {
				if (strcmp(set->st[j].keyword,
					   set->st[i].keyword) == 0)
					clash = true;
			}
			if (clash) {
				snprintf(kw, sizeof(kw), "%s_%u", base,
					 suffix++);
				free(set->st[i].keyword);
				set->st[i].keyword = strdup(kw);
				if (set->st[i].keyword == NULL)
					abort();
			}
		}
		free(base);
	}
}

int filter_set_load(const struct shoper_sync_config *cfg, struct sync_state *st,
		    struct filter_set *set, struct shoper_error *err)
{
	struct load_ctx lc;

	memset(set, 0, sizeof(*set));
	lc = (struct load_ctx){set};
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		const struct shoper_shop_config *shop = &cfg->shops[i];
		if (sync_state_list_statuses(st, shop->name, shop->language,
					     add_status, &lc, err) < 0) {
			filter_set_free(set);
			return -1;
		}
	}
	if (set->n > 0)
		qsort(set->st, set->n, sizeof(*set->st), cmp_status);
	dedupe_keywords(set);
	return 0;
}

void filter_set_free(struct filter_set *set)
{
	for (unsigned int i = 0; i < set->n; i++) {
		free(set->st[i].name);
		free(set->st[i].keyword);
	}
	free(set->st);
	memset(set, 0, sizeof(*set));
}

/* 1: path holds exactly data; 0: it differs or is missing. */
static int same_content(const char *path, const char *data, size_t len)
{
	struct stat stb;
	char buf[8192];
	size_t off = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (fstat(fd, &stb) < 0 || (size_t)stb.st_size != len) {
		close(fd);
		return 0;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (off + n > len || memcmp(buf, data + off, n) != 0)
			break;
		off += n;
	}
	close(fd);
	return n == 0 && off == len;
}

int filters_write_file(const char *path, const char *data, size_t len,
		       struct shoper_error *err)
{
	if (same_content(path, data, len))
		return 0;
	/* status names are not personal data: readable by the mail uids */
	if (shoper_file_replace_data(path, data, len, 0644, 0, err) < 0)
		return -1;
	return 1;
}
