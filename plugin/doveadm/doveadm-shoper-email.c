/* doveadm shoper lookup: the EMAIL argument, as each Dovecot series'
   init() (doveadm-shoper-23.c, -24.c) hands it over. */

#include "lib.h"
#include "doveadm-mail.h"
#include "doveadm-print.h"
#include "doveadm-shoper.h"

void shoper_lookup_init_email(struct doveadm_mail_cmd_context *_ctx,
			      const char *email)
{
	struct shoper_lookup_cmd_context *ctx =
		container_of(_ctx, struct shoper_lookup_cmd_context, ctx);

	if (email == NULL)
		doveadm_mail_help_name("shoper lookup");
	ctx->email = p_strdup(_ctx->pool, email);
	doveadm_print_header("headers", "headers",
			     DOVEADM_PRINT_HEADER_FLAG_HIDE_TITLE);
}
