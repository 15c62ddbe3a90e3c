/* Dovecot 2.4: the definitions of the shoper_* settings. All are strings,
   parsed by shoper-settings.c as on 2.3, so both series accept and reject
   the same values with the same messages. */

#include "lib.h"
#include "shoper-settings.h"
#include "shoper-settings-info-24.h"

#undef DEF
#define DEF(type, name)                                                        \
	SETTING_DEFINE_STRUCT_##type(#name, name, struct shoper_settings_24)

static const struct setting_define shoper_setting_defines[] = {
	DEF(STR, shoper_shops),
	DEF(STR, shoper_index),
	DEF(STR, shoper_match),
	DEF(STR, shoper_max_orders),
	/* a regex: % and { } are the pattern's, not Dovecot variables */
	DEF(STR_NOVARS, shoper_subject_pattern),
	DEF(STR, shoper_status_folder),
	DEF(STR, shoper_notice_from),
	DEF(STR, shoper_notice_language),
	/* {order} {shop} {folder} are the notice's own placeholders */
	DEF(STR_NOVARS, shoper_notice_text),
	SETTING_DEFINE_LIST_END,
};

static const struct shoper_settings_24 shoper_default_settings = {
	.shoper_shops = "",
	.shoper_index = SHOPER_DEFAULT_INDEX,
	.shoper_match = SHOPER_DEFAULT_MATCH,
	.shoper_max_orders = SHOPER_DEFAULT_MAX_ORDERS_STR,
	.shoper_subject_pattern = SHOPER_DEFAULT_SUBJECT_PATTERN,
	.shoper_status_folder = "",
	.shoper_notice_from = "",
	.shoper_notice_language = "",
	.shoper_notice_text = "",
};

const struct setting_parser_info shoper_setting_parser_info = {
	.name = "shoper",
	.defines = shoper_setting_defines,
	.defaults = &shoper_default_settings,
	.struct_size = sizeof(struct shoper_settings_24),
	.pool_offset1 = 1 + offsetof(struct shoper_settings_24, pool),
};
