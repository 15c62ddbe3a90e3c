/* Helpers shared by the commands. */
#include "cmd.h"

#include <stdlib.h>

struct shoper_sync_config *cmd_load_config(const char *path)
{
	char *errors;
	struct shoper_sync_config *cfg = shoper_config_load(path, &errors);

	if (cfg == NULL) {
		fputs(errors, stderr);
		free(errors);
	}
	return cfg;
}

void cmd_print_clean(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
}
