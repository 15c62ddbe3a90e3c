#ifndef SHOPER_SETTINGS_H
#define SHOPER_SETTINGS_H

/* All reading of plugin settings happens here: shoper-settings.c parses
   the values for both Dovecot series, shoper-settings-23.c or
   shoper-settings-24.c (chosen by configure) reads them. */

#include <regex.h>

struct mail_user;
struct shoper_regex;

#define SHOPER_DEFAULT_INDEX "/var/lib/dovecot-shoper/orders.cdb"
#define SHOPER_DEFAULT_MATCH "from reply-to envelope subject"
#define SHOPER_DEFAULT_MAX_ORDERS 5
#define SHOPER_DEFAULT_MAX_ORDERS_STR "5"
#define SHOPER_MAX_MAX_ORDERS 20
/* The order number is the last parenthesised group of the pattern. */
#define SHOPER_DEFAULT_SUBJECT_PATTERN                                         \
	"(#|nr\\.? *|no\\.? *|order *|zam(o|ó)wienie *)([0-9]{1,12})"

enum shoper_match_key {
	SHOPER_MATCH_FROM = 0,
	SHOPER_MATCH_REPLY_TO,
	SHOPER_MATCH_ENVELOPE,
	SHOPER_MATCH_SUBJECT,
	SHOPER_MATCH_KEY_COUNT
};

struct shoper_settings {
	const char *index_path;
	/* NULL: all shops ("*"); otherwise n_shops names */
	const char *const *shops;
	unsigned int n_shops;
	enum shoper_match_key match[SHOPER_MATCH_KEY_COUNT];
	unsigned int n_match;
	unsigned int max_orders;
	/* compiled shoper_subject_pattern, NULL when subject isn't matched;
	   this user's own reference (see shoper_settings_free()) */
	regex_t *subject_re;
	struct shoper_regex *regex;
	unsigned int subject_group;
	/* IMAP: shoper_status_folder, the parent of the status folders;
	   NULL when unset (no status folders for this user) */
	const char *status_folder;
	/* IMAP: the notice saved next to a refused move
	   (shoper-status-notice.c); NULL when unset: the defaults */
	const char *notice_from, *notice_language, *notice_text;
};

/* The shoper_* values as configured, NULL when unset. */
struct shoper_settings_raw {
	const char *shops;
	const char *index;
	const char *match;
	const char *max_orders;
	const char *subject_pattern;
	const char *status_folder;
	const char *notice_from, *notice_language, *notice_text;
};

/* Parses raw into set_r, allocated from pool; returns as
   shoper_settings_read(). */
int shoper_settings_parse(pool_t pool, const struct shoper_settings_raw *raw,
			  struct shoper_settings **set_r, const char **error_r);

/* Reads the user's shoper_* settings into set_r, allocated from the
   user's pool (shoper-settings-23.c / -24.c). Returns 1 when the plugin is active for the user, 0 when
   shoper_shops is unset or empty, -1 with error_r on an invalid value.
   The compiled subject pattern stays valid until shoper_settings_free()
   (or, for settings never freed, shoper_settings_deinit()). */
int shoper_settings_read(struct mail_user *user, struct shoper_settings **set_r,
			 const char **error_r);

/* Walks the order numbers shoper_subject_pattern finds in a subject (its
   last group), at most SHOPER_SUBJECT_MAX_NUMBERS: start with
   { subject, 0 }; each TRUE gives the number at *num_r (len_r bytes)
   inside the text searched from *base_r. Empty groups are skipped but
   counted. */
#define SHOPER_SUBJECT_MAX_NUMBERS 5
struct shoper_subject_iter {
	const char *p;
	unsigned int n;
};
bool shoper_subject_next(const struct shoper_settings *set,
			 struct shoper_subject_iter *it, const char **base_r,
			 const char **num_r, size_t *len_r);

/* Drops the settings' reference to the compiled subject pattern (call it
   when the user goes away; the memory itself is the user's pool). */
void shoper_settings_free(struct shoper_settings **set);
/* Frees every compiled pattern, referenced or not. Called from the
   modules' deinit. */
void shoper_settings_deinit(void);

/* TRUE when shop is in the user's shoper_shops. */
bool shoper_settings_shop_allowed(const struct shoper_settings *set,
				  const char *shop);

/* The match key's name as used in shoper_match and X-Shoper-Match. */
const char *shoper_match_key_name(enum shoper_match_key key);

#endif
