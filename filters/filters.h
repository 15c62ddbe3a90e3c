#ifndef SHOPER_SYNC_FILTERS_H
#define SHOPER_SYNC_FILTERS_H

/* filters: a Sieve script and Dovecot virtual folders generated from the
   order statuses the shops have (doc/filters.md). Written atomically and
   only when the text differs, so an unchanged status list rewrites and
   recompiles nothing. */

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "state.h"

/* One distinct status name across the shops, with its derived keyword. */
struct filter_status {
	char *name; /* as the plugin writes it in X-Shoper-Order-Status */
	char *keyword; /* "$shoper_status_<slug>", a valid IMAP atom */
	int type; /* 1..4 (of the first shop having it), 0 unknown */
};

struct filter_set {
	struct filter_status *st;
	unsigned int n, alloc;
};

/* A growable text buffer (aborts on out of memory). */
struct fbuf {
	char *data;
	size_t len, alloc;
};
void fbuf_add(struct fbuf *b, const char *s, size_t len);
void fbuf_str(struct fbuf *b, const char *s);
/* s as a quoted string, only " and \ escaped: the same rule in Sieve
   (RFC 5228 2.4.2) and IMAP (RFC 3501; names are cleaned, no CR/LF/NUL). */
void fbuf_quoted(struct fbuf *b, const char *s);
void fbuf_printf(struct fbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fbuf_free(struct fbuf *b);
/* snprintf for paths; false when cut (paths of 4 KB are refused). */
bool filters_pathf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keyword of a status type 1..4 ("$shoper_new" ...), NULL if unknown. */
const char *filter_type_keyword(int type);
/* Folder (below the filters_folders prefix) of a status type. */
const char *filter_type_folder(int type);
/* Header value of a status type 1..4 ("new", "in-progress", ...). */
const char *filter_type_header(int type);

/* A status name as the plugin's header cleaning leaves it (malloc'd), or
   NULL when it is empty or not UTF-8. */
char *filters_clean_name(const char *name);

/* Load the distinct status names of every shop from the state. */
int filter_set_load(const struct shoper_sync_config *cfg, struct sync_state *st,
		    struct filter_set *set, struct shoper_error *err);
void filter_set_free(struct filter_set *set);

/* The sieve_before script's text (keywords; never cancels the keep). */
void filters_sieve_build(const struct shoper_sync_config *cfg,
			 const struct filter_set *set, struct fbuf *out);
/* The sieve_after script's text (the filing of tags+folders; a comment
   only in tags mode, so the Dovecot configuration needs no change). */
void filters_sieve_after_build(const struct shoper_sync_config *cfg,
			       struct fbuf *out);
/* dovecot-virtual text of one status folder. */
void filters_virtual_build(const struct filter_status *s, struct fbuf *out);
/* Directory name (fs layout, modified UTF-7) of a status folder. */
void filters_virtual_dirname(const char *name, struct fbuf *out);

/* Write path atomically if its content differs. Returns 1 written, 0
   unchanged, -1 error. */
int filters_write_file(const char *path, const char *data, size_t len,
		       struct shoper_error *err);
/* The sievec to run: $SHOPER_SIEVEC (empty: none, for tests) or
   /usr/bin/sievec. NULL when disabled; it may not exist. */
const char *filters_sievec(void);
/* Make dir/virtual hold exactly the folders of set. Returns the number
   of files written or removed, -1 on error. */
int filters_virtual_sync(const char *dir, const struct filter_set *set,
			 struct shoper_error *err);

/* Regenerate cfg->filters_dir (no-op when unset). *changed_r: something
   was rewritten. Returns 0 or -1. */
int sync_filters_update(const struct shoper_sync_config *cfg,
			struct sync_state *st, bool *changed_r,
			struct shoper_error *err);

#endif
