/* filters: (re)generate the Sieve script and virtual folders now. */
#include "cmd.h"
#include "filters.h"

#include <string.h>

int cmd_filters(struct cmd_ctx *ctx)
{
	struct sync_state *st;
	struct shoper_error err;
	bool print = false, changed;
	int ret = SYNC_EXIT_OK;

	for (int i = 0; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--print") == 0)
			print = true;
		else {
			fprintf(stderr,
				"usage: shoper-sync filters [--print]\n");
			return SYNC_EXIT_USAGE;
		}
	}
	struct shoper_sync_config *cfg = cmd_load_config(ctx->config_path);
	if (cfg == NULL)
		return SYNC_EXIT_CONFIG;
	if (cfg->filters_dir == NULL && !print) {
		fprintf(stderr,
			"%s: no filters_dir in [sync]; add e.g. filters_dir = /var/lib/dovecot-shoper/filters\n",
			cfg->path);
		shoper_config_free(&cfg);
		return SYNC_EXIT_CONFIG;
	}
	if (sync_state_open(cfg->state_dir, true, &st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		shoper_config_free(&cfg);
		return SYNC_EXIT_LOCAL;
	}
	if (print) {
		struct filter_set set = {0};
		struct fbuf text = {0};
		if (filter_set_load(cfg, st, &set, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			ret = SYNC_EXIT_LOCAL;
		} else {
			filters_sieve_build(cfg, &set, &text);
			if (cfg->filters_mode_folders) {
				fputs("# --- shoper.sieve (sieve_before)\n",
				      stdout);
				fputs(text.data, stdout);
				fbuf_free(&text);
				fputs("# --- shoper-after.sieve (sieve_after)\n",
				      stdout);
				filters_sieve_after_build(cfg, &text);
			}
			fputs(text.data, stdout);
			fbuf_free(&text);
			filter_set_free(&set);
		}
	} else if (sync_filters_update(cfg, st, &changed, &err) < 0) {
		fprintf(stderr, "filters %s: %s\n", cfg->filters_dir, err.msg);
		ret = SYNC_EXIT_LOCAL;
	} else if (!ctx->quiet) {
		printf("filters %s: %s\n", cfg->filters_dir,
		       changed ? "updated" : "unchanged");
	}
	sync_state_close(&st);
	shoper_config_free(&cfg);
	return ret;
}
