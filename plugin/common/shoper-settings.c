/* Parsing the plugin's settings, for either Dovecot series: the raw
   values come from shoper-settings-23.c (plugin {} and userdb extra fields)
   or shoper-settings-24.c (settings_get()). */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "strescape.h"
#include "shoper-settings.h"

static const char *const shoper_match_key_names[SHOPER_MATCH_KEY_COUNT] = {
	[SHOPER_MATCH_FROM] = "from",
	[SHOPER_MATCH_REPLY_TO] = "reply-to",
	[SHOPER_MATCH_ENVELOPE] = "envelope",
	[SHOPER_MATCH_SUBJECT] = "subject",
};

const char *shoper_match_key_name(enum shoper_match_key key)
{
	i_assert(key < SHOPER_MATCH_KEY_COUNT);
	return shoper_match_key_names[key];
}

static const char *const *shoper_split_words(const char *value)
{
	/* spaces, tabs and commas separate words */
	return (const char *const *)t_strsplit_spaces(value, " \t,");
}

static int shoper_settings_match(struct shoper_settings *set, const char *value,
				 const char **error_r)
{
	const char *const *words = shoper_split_words(value);
	unsigned int i, k;

	set->n_match = 0;
	for (i = 0; words[i] != NULL; i++) {
		for (k = 0; k < SHOPER_MATCH_KEY_COUNT; k++) {
			if (strcasecmp(words[i], shoper_match_key_names[k]) ==
			    0)
				break;
		}
		if (k == SHOPER_MATCH_KEY_COUNT) {
			*error_r = t_strdup_printf(
				"shoper_match: unknown key '%s' (use from, "
				"reply-to, envelope, subject)",
				words[i]);
			return -1;
		}
		/* a key listed twice counts once, at its first place */
		unsigned int j;
		for (j = 0; j < set->n_match; j++) {
			if (set->match[j] == (enum shoper_match_key)k)
				break;
		}
		if (j == set->n_match)
			set->match[set->n_match++] = k;
	}
	return 0;
}

/* regcomp() costs ~110k instructions and the settings are read for every
   recipient: compiled patterns are shared by the users that configure the
   same one. Each user holds a reference to its own pattern, so another
   user's pattern (a userdb field; IMAP with shared namespaces, LMTP with
   several recipients) never replaces it. A few unused ones are kept for
   the next recipients. */
#define SHOPER_REGEX_IDLE_MAX 4

struct shoper_regex {
	struct shoper_regex *next;
	char *pattern;
	regex_t re;
	unsigned int refcount;
};

static struct shoper_regex *shoper_regexes;

static void shoper_regex_free(struct shoper_regex **_rx)
{
	struct shoper_regex *rx = *_rx;

	*_rx = rx->next;
	regfree(&rx->re);
	i_free(rx->pattern);
	i_free(rx);
}

/* Frees unused patterns beyond the first SHOPER_REGEX_IDLE_MAX unused
   ones (the list is most recently used first). */
static void shoper_regex_prune(void)
{
	struct shoper_regex **rxp = &shoper_regexes;
	unsigned int idle = 0;

	while (*rxp != NULL) {
		if ((*rxp)->refcount == 0 && ++idle > SHOPER_REGEX_IDLE_MAX)
			shoper_regex_free(rxp);
		else
			rxp = &(*rxp)->next;
	}
}

static struct shoper_regex *shoper_regex_get(const char *pattern,
					     const char **error_r)
{
	struct shoper_regex **rxp, *rx;
	char errbuf[256];
	int ret;

	for (rxp = &shoper_regexes; *rxp != NULL; rxp = &(*rxp)->next) {
		if (strcmp((*rxp)->pattern, pattern) == 0)
			break;
	}
	if (*rxp != NULL) {
		rx = *rxp;
		*rxp = rx->next;
	} else {
		rx = i_new(struct shoper_regex, 1);
		ret = regcomp(&rx->re, pattern, REG_EXTENDED | REG_ICASE);
		if (ret != 0) {
			regerror(ret, &rx->re, errbuf, sizeof(errbuf));
			*error_r = t_strdup_printf(
				"shoper_subject_pattern '%s': %s", pattern,
				errbuf);
			i_free(rx);
			return NULL;
		}
		rx->pattern = i_strdup(pattern);
	}
	rx->next = shoper_regexes;
	shoper_regexes = rx;
	rx->refcount++;
	shoper_regex_prune();
	return rx;
}

static void shoper_regex_unref(struct shoper_regex **_rx)
{
	struct shoper_regex *rx = *_rx;

	*_rx = NULL;
	i_assert(rx->refcount > 0);
	rx->refcount--;
	shoper_regex_prune();
}

static int shoper_settings_subject(struct shoper_settings *set,
				   const char *pattern, const char **error_r)
{
	set->regex = shoper_regex_get(pattern, error_r);
	if (set->regex == NULL)
		return -1;
	if (set->regex->re.re_nsub == 0) {
		*error_r = "shoper_subject_pattern needs a (group) around "
			   "the order number";
		shoper_regex_unref(&set->regex);
		return -1;
	}
	set->subject_re = &set->regex->re;
	set->subject_group = set->regex->re.re_nsub;
	return 0;
}

void shoper_settings_free(struct shoper_settings **_set)
{
	struct shoper_settings *set = *_set;

	*_set = NULL;
	if (set == NULL)
		return;
	if (set->regex != NULL)
		shoper_regex_unref(&set->regex);
	set->subject_re = NULL;
}

void shoper_settings_deinit(void)
{
	while (shoper_regexes != NULL)
		shoper_regex_free(&shoper_regexes);
}

static bool shoper_settings_has_subject(const struct shoper_settings *set)
{
	for (unsigned int i = 0; i < set->n_match; i++) {
		if (set->match[i] == SHOPER_MATCH_SUBJECT)
			return TRUE;
	}
	return FALSE;
}

int shoper_settings_parse(pool_t pool, const struct shoper_settings_raw *raw,
			  struct shoper_settings **set_r, const char **error_r)
{
	struct shoper_settings *set;
	const char *value = raw->shops;

	*set_r = NULL;
	if (value == NULL || *shoper_split_words(value) == NULL)
		return 0;

	set = p_new(pool, struct shoper_settings, 1);
	if (strcmp(t_str_trim(value, " \t"), "*") != 0) {
		const char *const *shops = shoper_split_words(value);
		set->shops = (const char *const *)p_strarray_dup(pool, shops);
		set->n_shops = str_array_length(shops);
	}

	value = raw->index;
	set->index_path = p_strdup(pool, value != NULL && *value != '\0'
						 ? value
						 : SHOPER_DEFAULT_INDEX);

	value = raw->match;
	if (shoper_settings_match(set,
				  value != NULL ? value : SHOPER_DEFAULT_MATCH,
				  error_r) < 0)
		return -1;

	set->max_orders = SHOPER_DEFAULT_MAX_ORDERS;
	value = raw->max_orders;
	if (value != NULL && *value != '\0' &&
	    (str_to_uint(value, &set->max_orders) < 0 || set->max_orders == 0 ||
	     set->max_orders > SHOPER_MAX_MAX_ORDERS)) {
		*error_r = t_strdup_printf("shoper_max_orders: '%s' is not "
					   "a number 1..%d",
					   value, SHOPER_MAX_MAX_ORDERS);
		return -1;
	}

	if (shoper_settings_has_subject(set)) {
		value = raw->subject_pattern;
		if (value == NULL || *value == '\0')
			value = SHOPER_DEFAULT_SUBJECT_PATTERN;
		if (shoper_settings_subject(set, value, error_r) < 0)
			return -1;
	}
	/* separators at either end would make an empty level */
	value = raw->status_folder;
	if (value != NULL && *(value = t_str_trim(value, " \t/.")) != '\0')
		set->status_folder = p_strdup(pool, value);
	set->notice_from = p_strdup_empty(pool, raw->notice_from);
	set->notice_language = p_strdup_empty(pool, raw->notice_language);
	set->notice_text = p_strdup_empty(pool, raw->notice_text);
	*set_r = set;
	return 1;
}

bool shoper_settings_shop_allowed(const struct shoper_settings *set,
				  const char *shop)
{
	if (set->shops == NULL)
		return TRUE;
	for (unsigned int i = 0; i < set->n_shops; i++) {
		if (strcmp(set->shops[i], shop) == 0)
			return TRUE;
	}
	return FALSE;
}

bool shoper_subject_next(const struct shoper_settings *set,
			 struct shoper_subject_iter *it, const char **base_r,
			 const char **num_r, size_t *len_r)
{
	regmatch_t m[10];
	unsigned int g = set->subject_group;

	if (set->subject_re == NULL || g >= N_ELEMENTS(m))
		return FALSE;
	while (it->p != NULL && it->n < SHOPER_SUBJECT_MAX_NUMBERS) {
		const char *base = it->p;

		it->n++;
		if (regexec(set->subject_re, base, g + 1, m, 0) != 0)
			break;
		/* no progress (an empty match): this is the last try */
		it->p = m[0].rm_eo <= 0 ? NULL : base + m[0].rm_eo;
		if (m[g].rm_so >= 0 && m[g].rm_eo > m[g].rm_so) {
			*base_r = base;
			*num_r = base + m[g].rm_so;
			*len_r = (size_t)(m[g].rm_eo - m[g].rm_so);
			return TRUE;
		}
	}
	it->p = NULL;
	return FALSE;
}
