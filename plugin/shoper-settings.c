/* Reading the plugin's settings (Dovecot 2.3: plugin {} and userdb extra
   fields through mail_user_plugin_getenv()). */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "strescape.h"
#include "mail-user.h"
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
   recipient: compile the pattern once per process and reuse it while the
   configured pattern stays the same. */
static char *shoper_subject_pattern;
static regex_t shoper_subject_re;

static int shoper_settings_subject(struct shoper_settings *set,
				   const char *pattern, const char **error_r)
{
	char errbuf[256];
	int ret;

	if (shoper_subject_pattern == NULL ||
	    strcmp(shoper_subject_pattern, pattern) != 0) {
		shoper_settings_deinit();
		ret = regcomp(&shoper_subject_re, pattern,
			      REG_EXTENDED | REG_ICASE);
		if (ret != 0) {
			regerror(ret, &shoper_subject_re, errbuf,
				 sizeof(errbuf));
			*error_r = t_strdup_printf(
				"shoper_subject_pattern '%s': %s", pattern,
				errbuf);
			return -1;
		}
		shoper_subject_pattern = i_strdup(pattern);
	}
	if (shoper_subject_re.re_nsub == 0) {
		*error_r = "shoper_subject_pattern needs a (group) around "
			   "the order number";
		return -1;
	}
	set->subject_re = &shoper_subject_re;
	set->subject_group = shoper_subject_re.re_nsub;
	return 0;
}

void shoper_settings_deinit(void)
{
	if (shoper_subject_pattern != NULL) {
		regfree(&shoper_subject_re);
		i_free_and_null(shoper_subject_pattern);
	}
}

static bool shoper_settings_has_subject(const struct shoper_settings *set)
{
	for (unsigned int i = 0; i < set->n_match; i++) {
		if (set->match[i] == SHOPER_MATCH_SUBJECT)
			return TRUE;
	}
	return FALSE;
}

int shoper_settings_read(struct mail_user *user, struct shoper_settings **set_r,
			 const char **error_r)
{
	struct shoper_settings *set;
	const char *value;

	*set_r = NULL;
	value = mail_user_plugin_getenv(user, "shoper_shops");
	if (value == NULL || *shoper_split_words(value) == NULL)
		return 0;

	set = p_new(user->pool, struct shoper_settings, 1);
	if (strcmp(t_str_trim(value, " \t"), "*") != 0) {
		const char *const *shops = shoper_split_words(value);
		set->shops =
			(const char *const *)p_strarray_dup(user->pool, shops);
		set->n_shops = str_array_length(shops);
	}

	value = mail_user_plugin_getenv(user, "shoper_index");
	set->index_path = p_strdup(user->pool, value != NULL && *value != '\0'
						       ? value
						       : SHOPER_DEFAULT_INDEX);

	value = mail_user_plugin_getenv(user, "shoper_match");
	if (shoper_settings_match(set,
				  value != NULL ? value : SHOPER_DEFAULT_MATCH,
				  error_r) < 0)
		return -1;

	set->max_orders = SHOPER_DEFAULT_MAX_ORDERS;
	value = mail_user_plugin_getenv(user, "shoper_max_orders");
	if (value != NULL && *value != '\0' &&
	    (str_to_uint(value, &set->max_orders) < 0 || set->max_orders == 0 ||
	     set->max_orders > SHOPER_MAX_MAX_ORDERS)) {
		*error_r = t_strdup_printf("shoper_max_orders: '%s' is not "
					   "a number 1..%d",
					   value, SHOPER_MAX_MAX_ORDERS);
		return -1;
	}

	if (shoper_settings_has_subject(set)) {
		value = mail_user_plugin_getenv(user, "shoper_subject_pattern");
		if (value == NULL || *value == '\0')
			value = SHOPER_DEFAULT_SUBJECT_PATTERN;
		if (shoper_settings_subject(set, value, error_r) < 0)
			return -1;
	}
	/* separators at either end would make an empty level */
	value = mail_user_plugin_getenv(user, "shoper_status_folder");
	if (value != NULL && *(value = t_str_trim(value, " \t/.")) != '\0')
		set->status_folder = p_strdup(user->pool, value);
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
