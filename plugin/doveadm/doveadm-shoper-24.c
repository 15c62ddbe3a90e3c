/* Dovecot 2.4: init() reads its parameters from the command context. */

#include "lib.h"
#include "doveadm-mail.h"
#include "doveadm-shoper.h"

static void cmd_shoper_lookup_init(struct doveadm_mail_cmd_context *ctx)
{
	const char *email;

	if (!doveadm_cmd_param_str(ctx->cctx, "email", &email))
		email = NULL;
	shoper_lookup_init_email(ctx, email);
}

void shoper_lookup_set_init(struct doveadm_mail_cmd_context *ctx)
{
	ctx->v.init = cmd_shoper_lookup_init;
}
