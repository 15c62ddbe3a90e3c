#ifndef DOVEADM_SHOPER_H
#define DOVEADM_SHOPER_H

struct doveadm_mail_cmd_context;

/* Sets ctx->v.init to the Dovecot series' own init() (doveadm-shoper-23.c
   or -24.c), which passes the EMAIL argument, NULL if missing or followed
   by more, to shoper_lookup_init_email(). */
void shoper_lookup_set_init(struct doveadm_mail_cmd_context *ctx);
void shoper_lookup_init_email(struct doveadm_mail_cmd_context *ctx,
			      const char *email);

#endif
