/* filters: Dovecot virtual folders Shoper/Status/<name> (virtual plugin),
   one directory with a dovecot-virtual file per status name. */
#include "filters.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Mailboxes searched: all but trash and spam (virtual ones are skipped
   by the plugin itself). */
static const char virtual_patterns[] = "*\n-Trash\n-Trash/*\n-Junk\n-Junk/*\n";

/* The status keyword is the exact test (the generated Sieve compares the
   name byte for byte); HEADER alone is a case-insensitive substring
   match, so "Wysłane" would list "Wysłane do paczkomatu". HEADER stays
   as a second condition for mail tagged under an earlier keyword list
   (a new status taking a clashing slug's plain keyword): it keeps its
   own status's header, which the new name seldom is a substring of. */
void filters_virtual_build(const struct filter_status *s, struct fbuf *out)
{
	fbuf_str(out, virtual_patterns);
	fbuf_str(out, "  KEYWORD ");
	fbuf_str(out, s->keyword);
	fbuf_str(out, " HEADER X-Shoper-Order-Status ");
	fbuf_quoted(out, s->name);
	fbuf_str(out, "\n");
}

static void b64_flush(struct fbuf *out, const unsigned char *u16, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+,";
	unsigned int bits = 0, nbits = 0;

	fbuf_add(out, "&", 1);
	for (size_t i = 0; i < n; i++) {
		bits = (bits << 8) | u16[i];
		nbits += 8;
		while (nbits >= 6) {
			nbits -= 6;
			fbuf_add(out, &b64[(bits >> nbits) & 0x3f], 1);
		}
	}
	if (nbits > 0)
		fbuf_add(out, &b64[(bits << (6 - nbits)) & 0x3f], 1);
	fbuf_add(out, "-", 1);
}

/* Modified UTF-7 (RFC 3501 5.1.3) as Dovecot's fs layout stores mailbox
   names; '/' (the namespace separator) becomes '-', a leading '.' '_'. */
void filters_virtual_dirname(const char *name, struct fbuf *out)
{
	const unsigned char *s = (const unsigned char *)name;
	unsigned char u16[4 * 256];
	size_t n16 = 0;

	for (size_t i = 0; s[i] != '\0';) {
		unsigned int cp = s[i], len = 1;
		if (cp >= 0x80) {
			len = cp >= 0xf0 ? 4 : cp >= 0xe0 ? 3 : 2;
			cp &= len == 4 ? 0x07 : len == 3 ? 0x0f : 0x1f;
			for (unsigned int k = 1; k < len && s[i + k] != '\0';
			     k++)
				cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		i += len;
		if (cp >= 0x20 && cp < 0x7f) {
			char c = (char)cp;
			if (n16 > 0)
				b64_flush(out, u16, n16);
			n16 = 0;
			if (c == '/' || (c == '.' && out->len == 0))
				c = c == '/' ? '-' : '_';
			fbuf_add(out, c == '&' ? "&-" : &c, c == '&' ? 2 : 1);
			continue;
		}
		if (n16 + 4 > sizeof(u16))
			continue; /* names are <= 120 characters */
		if (cp >= 0x10000) {
			unsigned int v = cp - 0x10000;
			unsigned int hi = 0xd800 | (v >> 10);
			unsigned int lo = 0xdc00 | (v & 0x3ff);
			u16[n16++] = hi >> 8, u16[n16++] = hi & 0xff;
			u16[n16++] = lo >> 8, u16[n16++] = lo & 0xff;
		} else {
			u16[n16++] = cp >> 8, u16[n16++] = cp & 0xff;
		}
	}
	if (n16 > 0)
		b64_flush(out, u16, n16);
}

static bool wanted(const char *entry, char *const *names, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(entry, names[i]) == 0)
			return true;
	}
	return false;
}

/* Remove folders of statuses that no longer exist. */
static int remove_stale(const char *vdir, char *const *names, unsigned int n,
			struct shoper_error *err)
{
	DIR *d = opendir(vdir);
	struct dirent *e;
	char path[4096];
	int changes = 0;

	if (d == NULL) {
		shoper_error_set(err, "opendir(%s): %s", vdir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || wanted(e->d_name, names, n))
			continue;
		filters_pathf(path, sizeof(path), "%s/%s/dovecot-virtual", vdir,
			      e->d_name);
		if (unlink(path) < 0 && errno != ENOENT)
			continue; /* not ours: leave it */
		filters_pathf(path, sizeof(path), "%s/%s", vdir, e->d_name);
		if (rmdir(path) == 0)
			changes++;
	}
	closedir(d);
	return changes;
}

int filters_virtual_sync(const char *dir, const struct filter_set *set,
			 struct shoper_error *err)
{
	char vdir[4096], path[4096];
	char **names = calloc(set->n + 1, sizeof(*names));
	int changes = 0, ret = 0;

	if (names == NULL)
		abort();
	filters_pathf(vdir, sizeof(vdir), "%s/virtual", dir);
	if (mkdir(vdir, 0755) < 0 && errno != EEXIST) {
		shoper_error_set(err, "mkdir(%s): %s", vdir, strerror(errno));
		free(names);
		return -1;
	}
	for (unsigned int i = 0; i < set->n && ret >= 0; i++) {
		struct fbuf dn = {0}, text = {0};
		filters_virtual_dirname(set->st[i].name, &dn);
		if (wanted(dn.data, names, i)) {
			/* "a/b" and "a-b": one folder, the first name's */
			fbuf_free(&dn);
			names[i] = strdup("");
			continue;
		}
		names[i] = dn.data;
		filters_virtual_build(&set->st[i], &text);
		filters_pathf(path, sizeof(path), "%s/%s", vdir, dn.data);
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			shoper_error_set(err, "mkdir(%s): %s", path,
					 strerror(errno));
			ret = -1;
		} else {
			(void)shoper_file_clean_tmp(path, "dovecot-virtual",
						    SHOPER_STALE_TMP_SECS,
						    NULL);
			filters_pathf(path, sizeof(path),
				      "%s/%s/dovecot-virtual", vdir, dn.data);
			ret = filters_write_file(path, text.data, text.len,
						 err);
			changes += ret > 0;
		}
		fbuf_free(&text);
	}
	if (ret >= 0) {
		ret = remove_stale(vdir, names, set->n, err);
		changes += ret;
	}
	for (unsigned int i = 0; i < set->n; i++)
		free(names[i]);
	free(names);
	return ret < 0 ? -1 : changes;
}
