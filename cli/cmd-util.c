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
