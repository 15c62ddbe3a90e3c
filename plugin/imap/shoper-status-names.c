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

/* name -> how many have it, in a HASH_TABLE(const char *, void *) */
#define COUNT_OF(table, key)                                                   \
	POINTER_CAST_TO(hash_table_lookup(table, key), unsigned int)
#define COUNT_ADD(table, key, n)                                               \
	hash_table_update(table, key, POINTER_CAST(COUNT_OF(table, key) + (n)))

struct names_ctx {
	const struct shoper_status_naming *naming;
	pool_t pool;
	/* shop -> "<parent><sep>[<shop level><sep>]" */
	HASH_TABLE(const char *, const char *) prefixes;
	HASH_TABLE(const char *, void *) seen;
};

static const char *shop_level(const struct names_ctx *ctx, const char *shop)
{
	string_t *level = t_str_new(64);

	append_level(level, shop, ctx->naming, "shop");
	return p_strdup(ctx->pool, str_c(level));
}

/* Shops whose levels collide get " (1)", " (2)"... in the order of their
   exact names ("sklep.pl" and "sklep-pl" in Maildir++). */
static void make_prefixes(struct names_ctx *ctx,
			  const ARRAY_TYPE(shoper_status_name) * names)
{
	const struct shoper_status_naming *naming = ctx->naming;
	HASH_TABLE(const char *, void *) levels, rank;
	ARRAY_TYPE(const_string) shops;
	const struct shoper_status_name *e;
	const char *const *shop;

	t_array_init(&shops, 8);
	array_foreach(names, e)
	{
		if (hash_table_lookup(ctx->prefixes, e->shop) == NULL) {
			hash_table_insert(ctx->prefixes, e->shop,
					  (const char *)"");
			array_push_back(&shops, &e->shop);
		}
	}
	array_sort(&shops, cmp_str_p);
	hash_table_create(&levels, ctx->pool, 0, str_hash, strcmp);
	hash_table_create(&rank, ctx->pool, 0, str_hash, strcmp);
	array_foreach(&shops, shop)
	{
		const char *level = shop_level(ctx, *shop);
		if (naming->with_shop)
			COUNT_ADD(levels, level, 1);
	}
	array_foreach(&shops, shop)
	{
		const char *prefix =
			t_strdup_printf("%s%c", naming->parent, naming->sep);
		if (naming->with_shop) {
			const char *level = shop_level(ctx, *shop);
			if (COUNT_OF(levels, level) > 1) {
				COUNT_ADD(rank, level, 1);
				level = t_strdup_printf("%s (%u)", level,
							COUNT_OF(rank, level));
			}
			prefix = t_strdup_printf("%s%s%c", prefix, level,
						 naming->sep);
		}
		hash_table_update(ctx->prefixes, *shop,
				  (const char *)p_strdup(ctx->pool, prefix));
	}
	hash_table_destroy(&rank);
	hash_table_destroy(&levels);
}

/* Counts every name; TRUE when some entry's name is not its own (another
   entry's, or a taken one), after giving it one more id. */
static bool count_and_bump(struct names_ctx *ctx,
			   const ARRAY_TYPE(const_string) * taken,
			   ARRAY_TYPE(shoper_status_name) * names)
{
	struct shoper_status_name *e;
	const char *const *name;
	bool bumped = FALSE;

	hash_table_clear(ctx->seen, TRUE);
	if (taken != NULL) {
		array_foreach(taken, name)
		{
			COUNT_ADD(ctx->seen, *name, 1);
		}
	}
	array_foreach_modifiable(names, e)
	{
		if (e->vname != NULL)
			COUNT_ADD(ctx->seen, e->vname, 1);
	}
	array_foreach_modifiable(names, e)
	{
		if (e->vname != NULL && COUNT_OF(ctx->seen, e->vname) > 1) {
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
	struct names_ctx ctx;
	struct shoper_status_name *e;
	unsigned int count = array_count(names), i = 0, round;
	const char **bases = p_new(pool, const char *, count + 1);

	i_zero(&ctx);
	ctx.naming = naming;
	ctx.pool = pool;
	hash_table_create(&ctx.prefixes, pool, 0, str_hash, strcmp);
	hash_table_create(&ctx.seen, pool, count * 2, str_hash, strcmp);
	make_prefixes(&ctx, names);
	array_foreach_modifiable(names, e)
	{
		string_t *base = t_str_new(128);
		append_level(base, e->name, naming,
			     t_strconcat("status-", e->id, NULL));
		bases[i++] = p_strdup(pool, str_c(base));
		e->ids = 0;
	}
	for (round = 0; round < SHOPER_NAME_ROUNDS; round++) {
		i = 0;
		array_foreach_modifiable(names, e)
		{
			const char *prefix =
				hash_table_lookup(ctx.prefixes, e->shop);
			e->vname = p_strdup(pool,
					    make_vname(prefix, bases[i++], e));
		}
		if (!count_and_bump(&ctx, taken, names))
			break;
	}
	if (round == SHOPER_NAME_ROUNDS) {
		/* made up to collide: who is left without a name of its
		   own gets no folder rather than another status's */
		(void)count_and_bump(&ctx, taken, names);
		array_foreach_modifiable(names, e)
		{
			if (COUNT_OF(ctx.seen, e->vname) > 1)
				e->vname = NULL;
		}
	}
	hash_table_destroy(&ctx.seen);
	hash_table_destroy(&ctx.prefixes);
}
