#ifndef SHOPER_SYNC_CMD_CHECK_INSTALL_H
#define SHOPER_SYNC_CMD_CHECK_INSTALL_H

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

#endif
