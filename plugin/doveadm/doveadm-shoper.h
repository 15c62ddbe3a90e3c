#ifndef DOVEADM_SHOPER_H
#define DOVEADM_SHOPER_H

#include "doveadm-mail.h"

/* The command's context (doveadm-shoper.c, doveadm-shoper-email.c). */
struct shoper_lookup_cmd_context {
	struct doveadm_mail_cmd_context ctx;
	const char *email;
};

/* Sets ctx->v.init to the Dovecot series' own init() (doveadm-shoper-23.c
   or -24.c), which passes the EMAIL argument, NULL if missing or followed
   by more, to shoper_lookup_init_email(). */
void shoper_lookup_set_init(struct doveadm_mail_cmd_context *ctx);
/* doveadm-shoper-email.c: keeps EMAIL (NULL: usage). */
void shoper_lookup_init_email(struct doveadm_mail_cmd_context *ctx,
			      const char *email);

#endif
