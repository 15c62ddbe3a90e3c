#ifndef SHOPER_SYNC_CMD_H
#define SHOPER_SYNC_CMD_H

/* shoper-sync's commands and their shared helpers. */

#include <stdbool.h>
#include <stdio.h>
#include "config.h"

/* Exit codes (documented in shoper-sync(8)). */
enum {
	SYNC_EXIT_OK = 0,
	SYNC_EXIT_FAIL =
		1, /* a shop failed / check found problems / not found */
	SYNC_EXIT_USAGE = 2, /* bad command line */
	SYNC_EXIT_CONFIG = 3, /* bad configuration: nothing was done */
	SYNC_EXIT_LOCAL = 4, /* state, lock or index problem on this host */
};

struct cmd_ctx {
	const char *config_path;
	bool quiet;
	int argc; /* arguments after the command name */
	char **argv;
};

/* Load and check the configuration; prints every problem to stderr. */
struct shoper_sync_config *cmd_load_config(const char *path);

int cmd_sync(struct cmd_ctx *ctx);
int cmd_daemon(struct cmd_ctx *ctx);
int cmd_check(struct cmd_ctx *ctx);
int cmd_lookup(struct cmd_ctx *ctx);
int cmd_statuses(struct cmd_ctx *ctx);
int cmd_filters(struct cmd_ctx *ctx);
int cmd_tag_existing(struct cmd_ctx *ctx);
int cmd_set_status(struct cmd_ctx *ctx);
int cmd_webhooks(struct cmd_ctx *ctx);

#endif
