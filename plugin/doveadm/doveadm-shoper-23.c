/* Dovecot 2.3: doveadm passes the positional arguments to init(). */

#include "lib.h"
#include "doveadm-mail.h"
#include "doveadm-shoper.h"

static void cmd_shoper_lookup_init(struct doveadm_mail_cmd_context *ctx,
				   const char *const args[])
{
	shoper_lookup_init_email(
		ctx, args[0] == NULL || args[1] != NULL ? NULL : args[0]);
}

void shoper_lookup_set_init(struct doveadm_mail_cmd_context *ctx)
{
	ctx->v.init = cmd_shoper_lookup_init;
}
