/* Status folder names: sanitized, told apart and shortened so that every
   status has a folder of its own whatever the shop calls it. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "hash.h"
#include "unichar.h"
#include "imap-utf7.h"
#include "shoper-status-names.h"

/* Each round gives every name still shared one more " (id N)"; names of
   different ids differ after a round, so two rounds are the rule and more
   need names made up to collide (see names_make). */
#define SHOPER_NAME_ROUNDS 16
#define SHOPER_NAME_CUT "\xE2\x80\xA6" /* U+2026 HORIZONTAL ELLIPSIS */

HASH_TABLE_DEFINE_TYPE(shoper_str_str, const char *, const char *);
HASH_TABLE_DEFINE_TYPE(shoper_str_count, const char *, void *);

/* A name as one mailbox level: no separator, no control bytes, nothing a
   mailbox list layout treats specially at the start, valid UTF-8. */
static void append_level(string_t *str, const char *name,
			 const struct shoper_status_naming *naming,
			 const char *fallback)
{
	size_t start = str_len(str), valid_len;
	const unsigned char *p = (const unsigned char *)name;

	/* the status list holds 255 bytes of a name: a character cut there
	   is dropped rather than made a replacement character */
	(void)uni_utf8_partial_strlen_n(name, strlen(name), &valid_len);
	for (; p < (const unsigned char *)name + valid_len; p++) {
		bool bad = *p < 0x20 || *p == 0x7f ||
			   *p == (unsigned char)naming->sep ||
			   *p == (unsigned char)naming->storage_sep ||
			   *p == '/' || *p == '*' || *p == '%' ||
			   (str_len(str) == start && (*p == '.' || *p == '~'));
		str_append_c(str, bad ? '-' : (char)*p);
	}
	buffer_t *valid = t_buffer_create(str_len(str) - start + 16);
	if (!uni_utf8_get_valid_data(str_data(str) + start,
				     str_len(str) - start, valid)) {
		str_truncate(str, start);
		str_append_data(str, valid->data, valid->used);
	}
	if (str_len(str) == start)
		str_append(str, fallback);
}

static bool name_fits(const char *name)
{
	if (strlen(name) > SHOPER_STATUS_FOLDER_NAME_MAX)
		return FALSE;
	string_t *utf7 = t_str_new(SHOPER_STATUS_FOLDER_NAME_MAX * 3);
	return imap_utf8_to_utf7(name, utf7) == 0 &&
	       str_len(utf7) <= SHOPER_STATUS_FOLDER_NAME_MAX;
}

/* prefix + the first len bytes of base (trailing spaces dropped) + "…" +
   suffix */
static const char *cut_name(const char *prefix, const char *base, size_t len,
			    const char *suffix)
{
	while (len > 0 && base[len - 1] == ' ')
		len--;
	return t_strconcat(prefix, t_strndup(base, len), SHOPER_NAME_CUT,
			   suffix, NULL);
}

/* The longest cut of base that fits (at a character boundary). */
static const char *shorten(const char *prefix, const char *base,
			   const char *suffix)
{
	size_t len = strlen(base), lo = 0, hi = len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		size_t m = uni_utf8_data_truncate((const unsigned char *)base,
						  len, mid);
		if (m <= lo)
			hi = mid - 1;
		else if (name_fits(cut_name(prefix, base, m, suffix)))
			lo = m;
		else
			hi = m - 1;
	}
	/* lo 0 and still too long: the parent alone is; creating it fails
	   and is logged */
	return cut_name(prefix, base, lo, suffix);
}

static const char *make_vname(const char *prefix, const char *base,
			      struct shoper_status_name *e)
{
	string_t *suffix = t_str_new(32);

	for (unsigned int i = 0; i < e->ids; i++)
		str_printfa(suffix, " (id %s)", e->id);
	const char *full = t_strconcat(prefix, base, str_c(suffix), NULL);
	if (name_fits(full))
		return full;
	/* shortened: the id keeps it apart from the other cut names (and
	   counts, so that a collision adds one more) */
	if (e->ids == 0) {
		e->ids = 1;
		str_printfa(suffix, " (id %s)", e->id);
	}
	return shorten(prefix, base, str_c(suffix));
}

static int cmp_str_p(const char *const *a, const char *const *b)
{
	return strcmp(*a, *b);
}

/* shop -> "<parent><sep>[<shop level><sep>]" for every shop of names */
static void make_prefixes(const struct shoper_status_naming *naming,
			  pool_t pool, ARRAY_TYPE(shoper_status_name) * names,
			  HASH_TABLE_TYPE(shoper_str_str) prefixes)
{
	HASH_TABLE(const char *, void *) levels;
	ARRAY_TYPE(const_string) shops;
	const struct shoper_status_name *e;
	const char *const *shop;

	t_array_init(&shops, 8);
	array_foreach(names, e)
	{
		if (hash_table_lookup(prefixes, e->shop) == NULL) {
			hash_table_insert(prefixes, e->shop,
					  (const char *)"");
			array_push_back(&shops, &e->shop);
		}
	}
	/* ranks follow the exact names, not the list's order */
	array_sort(&shops, cmp_str_p);
	hash_table_create(&levels, pool, 0, str_hash, strcmp);
	array_foreach(&shops, shop)
	{
		string_t *level = t_str_new(64);
		if (naming->with_shop)
			append_level(level, *shop, naming, "shop");
		const char *key = p_strdup(pool, str_c(level));
		void *n = hash_table_lookup(levels, key);
		hash_table_update(levels, key,
				  POINTER_CAST(POINTER_CAST_TO(n, unsigned int) + 1));
	}
	HASH_TABLE(const char *, void *) rank;
	hash_table_create(&rank, pool, 0, str_hash, strcmp);
	array_foreach(&shops, shop)
	{
		string_t *prefix = t_str_new(128);
		str_append(prefix, naming->parent);
		str_append_c(prefix, naming->sep);
		if (naming->with_shop) {
			string_t *level = t_str_new(64);
			append_level(level, *shop, naming, "shop");
			str_append_str(prefix, level);
			if (POINTER_CAST_TO(hash_table_lookup(levels,
							      str_c(level)),
					    unsigned int) > 1) {
				/* "sklep.pl" and "sklep-pl" in Maildir++ */
				const char *key = p_strdup(pool, str_c(level));
				unsigned int r = POINTER_CAST_TO(
					hash_table_lookup(rank, key),
					unsigned int) + 1;
				hash_table_update(rank, key, POINTER_CAST(r));
				str_printfa(prefix, " (%u)", r);
			}
			str_append_c(prefix, naming->sep);
		}
		const char *value = p_strdup(pool, str_c(prefix));
		hash_table_update(prefixes, *shop, value);
	}
	hash_table_destroy(&rank);
	hash_table_destroy(&levels);
}

/* Counts every name in seen; TRUE when some entry's name is not its own
   (another entry's, or a taken one), after giving it one more id. */
static bool count_and_bump(HASH_TABLE_TYPE(shoper_str_count) seen,
			   const ARRAY_TYPE(const_string) * taken,
			   ARRAY_TYPE(shoper_status_name) * names)
{
	struct shoper_status_name *e;
	const char *const *name;
	bool bumped = FALSE;

	hash_table_clear(seen, TRUE);
	if (taken != NULL) {
		array_foreach(taken, name)
		{
			hash_table_update(seen, *name, POINTER_CAST(1));
		}
	}
	array_foreach_modifiable(names, e)
	{
		void *n = hash_table_lookup(seen, e->vname);
		hash_table_update(seen, e->vname,
				  POINTER_CAST(POINTER_CAST_TO(n, unsigned int) + 1));
	}
	array_foreach_modifiable(names, e)
	{
		if (POINTER_CAST_TO(hash_table_lookup(seen, e->vname),
				    unsigned int) > 1) {
			e->ids++;
			bumped = TRUE;
		}
	}
	return bumped;
}

void shoper_status_names_make(const struct shoper_status_naming *naming,
			      pool_t pool,
			      ARRAY_TYPE(shoper_status_name) * names,
			      const ARRAY_TYPE(const_string) * taken)
{
	HASH_TABLE_TYPE(shoper_str_str) prefixes;
	HASH_TABLE_TYPE(shoper_str_count) seen;
	struct shoper_status_name *e;
	unsigned int count = array_count(names), i = 0, round;
	const char **bases = p_new(pool, const char *, count + 1);

	hash_table_create(&prefixes, pool, 0, str_hash, strcmp);
	make_prefixes(naming, pool, names, prefixes);
	array_foreach_modifiable(names, e)
	{
		string_t *base = t_str_new(128);
		append_level(base, e->name, naming,
			     t_strconcat("status-", e->id, NULL));
		bases[i++] = p_strdup(pool, str_c(base));
		e->ids = 0;
	}
	hash_table_create(&seen, pool, count * 2, str_hash, strcmp);
	for (round = 0; round < SHOPER_NAME_ROUNDS; round++) {
		i = 0;
		array_foreach_modifiable(names, e)
		{
			const char *prefix = hash_table_lookup(prefixes,
							       e->shop);
			e->vname = p_strdup(pool,
					    make_vname(prefix, bases[i++], e));
		}
		if (!count_and_bump(seen, taken, names))
			break;
	}
	if (round == SHOPER_NAME_ROUNDS) {
		/* made up to collide: who is left without a name of its
		   own gets no folder rather than another status's */
		(void)count_and_bump(seen, taken, names);
		array_foreach_modifiable(names, e)
		{
			if (POINTER_CAST_TO(hash_table_lookup(seen, e->vname),
					    unsigned int) > 1)
				e->vname = NULL;
		}
	}
	hash_table_destroy(&seen);
	hash_table_destroy(&prefixes);
}
