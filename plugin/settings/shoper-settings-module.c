/* Dovecot 2.4's config process (doveconf, and every program reading the
   configuration) loads the modules in <moduledir>/settings and takes their
   <name>_set_infos: with this one it knows the shoper_* settings, shows
   them in doveconf -n and rejects misspelt ones. */

#include "lib.h"
#include "shoper-settings-info-24.h"

extern const char *shoper_settings_version;
extern const struct setting_parser_info *shoper_settings_set_infos[];

const char *shoper_settings_version = DOVECOT_ABI_VERSION;
const struct setting_parser_info *shoper_settings_set_infos[] = {
	&shoper_setting_parser_info,
	NULL,
};
