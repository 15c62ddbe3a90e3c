#ifndef SHOPER_SETTINGS_INFO_24_H
#define SHOPER_SETTINGS_INFO_24_H

/* Dovecot 2.4: the shoper_* settings as the config process knows them.
   The same info is in the plugins (settings_get()) and in the settings
   module libshoper_settings.so (doveconf). */

#include "settings-parser.h"

struct shoper_settings_24 {
	pool_t pool;
	const char *shoper_shops;
	const char *shoper_index;
	const char *shoper_match;
	const char *shoper_max_orders;
	const char *shoper_subject_pattern;
	const char *shoper_status_folder;
	const char *shoper_notice_from;
	const char *shoper_notice_language;
	const char *shoper_notice_text;
};

extern const struct setting_parser_info shoper_setting_parser_info;

#endif
