/* Dovecot 2.3: the shoper_* settings are plugin {} settings, overridden by
   userdb extra fields, both read with mail_user_plugin_getenv(). */

#include "lib.h"
#include "mail-user.h"
#include "shoper-settings.h"

int shoper_settings_read(struct mail_user *user, struct shoper_settings **set_r,
			 const char **error_r)
{
	struct shoper_settings_raw raw = {
		.shops = mail_user_plugin_getenv(user, "shoper_shops"),
		.index = mail_user_plugin_getenv(user, "shoper_index"),
		.match = mail_user_plugin_getenv(user, "shoper_match"),
		.max_orders =
			mail_user_plugin_getenv(user, "shoper_max_orders"),
		.subject_pattern =
			mail_user_plugin_getenv(user, "shoper_subject_pattern"),
		.status_folder =
			mail_user_plugin_getenv(user, "shoper_status_folder"),
		.notice_from =
			mail_user_plugin_getenv(user, "shoper_notice_from"),
		.notice_language =
			mail_user_plugin_getenv(user, "shoper_notice_language"),
		.notice_text =
			mail_user_plugin_getenv(user, "shoper_notice_text"),
	};

	return shoper_settings_parse(user->pool, &raw, set_r, error_r);
}
