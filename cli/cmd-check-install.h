#ifndef SHOPER_SYNC_CMD_CHECK_INSTALL_H
#define SHOPER_SYNC_CMD_CHECK_INSTALL_H
#include <stdbool.h>

/* check's report lines ("problem: ..." counted, "ok: ..."). */
typedef void check_report_fn(const char *fmt, ...);

/* The steps left after installing (the Debian packages): no shop
   configured yet, Dovecot not loading the plugin, the mail processes not
   in the index directory's group. Only for the system configuration, or
   with SHOPER_DOVECONF naming the doveconf to ask ("" turns it off). */
void cmd_check_install(const char *config_path, check_report_fn *problem,
		       check_report_fn *ok);

struct shoper_sync_config;
/* Per shop: the webhook registered, when the last arrived, how many
   failed the signature (cmd-check-hooks.c). */
void cmd_check_hooks(const struct shoper_sync_config *cfg,
		     check_report_fn *problem, check_report_fn *ok);
/* [cluster]: Redis reachable, per shop who holds the lease (token, time
   left) and this node's role and lag as its daemon last wrote them
   (cmd-check-cluster.c). Sets other_leads[i] when another node leads
   shop i: check then does not call that shop (one caller per shop). */
void cmd_check_cluster(const struct shoper_sync_config *cfg,
		       check_report_fn *problem, check_report_fn *ok,
		       bool *other_leads);

#endif
