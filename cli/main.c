/* shoper-sync: keeps the order index in step with Shoper shops. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static void usage(FILE *f)
{
	fputs("usage: shoper-sync [-c FILE] [--quiet] COMMAND [ARGS]\n"
	      "commands:\n"
	      "  sync [--shop NAME] [--full]   sync once and publish the index\n"
	      "  daemon                        sync every interval, take webhooks (SIGHUP reloads)\n"
	      "  check                         check config, files, TLS, login, permissions\n"
	      "  lookup [--json] EMAIL         show what the index holds for EMAIL\n"
	      "  statuses [--shop NAME] [--json]  order statuses of the shops\n"
	      "  set-status --shop NAME ORDER_ID STATUS  change an order's status\n"
	      "  webhooks install --shop NAME --url URL | status | remove --shop NAME\n"
	      "                                the shop's webhook to the daemon\n"
	      "  filters [--print]             regenerate the Sieve script and virtual folders\n"
	      "  tag-existing -u USER [--mailbox NAME] [--since DATE] [--dry-run]\n"
	      "                                order keywords for mail already stored\n"
	      "default FILE: " SHOPER_SYNC_DEFAULT_CONFIG "\n"
	      "exit codes: 0 ok, 1 shop failed/problem found/not found, 2 usage,\n"
	      "            3 bad configuration, 4 local state/index problem\n",
	      f);
}

struct command {
	const char *name;
	int (*run)(struct cmd_ctx *ctx);
};

static const struct command commands[] = {
	{"sync", cmd_sync},         {"daemon", cmd_daemon},
	{"check", cmd_check},       {"lookup", cmd_lookup},
	{"filters", cmd_filters},   {"tag-existing", cmd_tag_existing},
	{"statuses", cmd_statuses}, {"set-status", cmd_set_status},
	{"webhooks", cmd_webhooks},
};

/* The process holds the shops' passwords and tokens: no core dump may
   carry them, nor may another process of our user read our memory
   (ptrace, /proc/PID/mem). Children (doveadm) are dumpable again after
   their exec, as usual. */
static void no_core_dumps(void)
{
	const struct rlimit none = {0, 0};

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		perror("shoper-sync: prctl(PR_SET_DUMPABLE)");
	if (setrlimit(RLIMIT_CORE, &none) < 0)
		perror("shoper-sync: setrlimit(RLIMIT_CORE)");
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx;
	int i;

	no_core_dumps();
	memset(&ctx, 0, sizeof(ctx));
	ctx.config_path = SHOPER_SYNC_DEFAULT_CONFIG;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			ctx.config_path = argv[++i];
		else if (strcmp(argv[i], "-q") == 0 ||
			 strcmp(argv[i], "--quiet") == 0)
			ctx.quiet = true;
		else if (strcmp(argv[i], "-h") == 0 ||
			 strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return SYNC_EXIT_OK;
		} else {
			fprintf(stderr, "shoper-sync: unknown option %s\n",
				argv[i]);
			usage(stderr);
			return SYNC_EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return SYNC_EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(argv[i], commands[c].name) == 0) {
			ctx.argc = argc - i - 1;
			ctx.argv = argv + i + 1;
			return commands[c].run(&ctx);
		}
	}
	fprintf(stderr, "shoper-sync: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return SYNC_EXIT_USAGE;
}
