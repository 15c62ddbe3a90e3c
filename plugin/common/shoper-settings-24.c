/* Dovecot 2.4: the shoper_* settings are global settings (also inside
   protocol {} and other filters) known to the config process through
   libshoper_settings.so; userdb extra fields override them. */

#include "lib.h"
#include "settings.h"
#include "mail-user.h"
#include "shoper-settings.h"
#include "shoper-settings-info-24.h"

int shoper_settings_read(struct mail_user *user, struct shoper_settings **set_r,
			 const char **error_r)
{
	const struct shoper_settings_24 *set24;
	const char *error;
	int ret;

	*set_r = NULL;
	if (settings_get(user->event, &shoper_setting_parser_info, 0, &set24,
			 &error) < 0) {
		*error_r = t_strdup(error);
		return -1;
	}
	struct shoper_settings_raw raw = {
		.shops = set24->shoper_shops,
		.index = set24->shoper_index,
		.match = set24->shoper_match,
		.max_orders = set24->shoper_max_orders,
		.subject_pattern = set24->shoper_subject_pattern,
		.status_folder = set24->shoper_status_folder,
		.notice_from = set24->shoper_notice_from,
		.notice_language = set24->shoper_notice_language,
		.notice_text = set24->shoper_notice_text,
	};
	/* the parsed settings are copied into the user's pool */
	ret = shoper_settings_parse(user->pool, &raw, set_r, error_r);
	settings_free(set24);
	return ret;
}
