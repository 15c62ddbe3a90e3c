/* doveadm shoper lookup [-u USER] EMAIL: prints the X-Shoper-* headers a
   mail from EMAIL would get when delivered to USER (USER's shoper_shops,
   shoper_max_orders and shoper_index; match key "from"). */

#include "lib.h"
#include "str.h"
#include "mail-user.h"
#include "doveadm-mail.h"
#include "doveadm-print.h"
#include "doveadm.h"
#include "shoper-index.h"
#include "shoper-index-cache.h"
#include "shoper-match.h"
#include "doveadm-shoper.h"

const char *doveadm_shoper_plugin_version = DOVECOT_ABI_VERSION;

void doveadm_shoper_plugin_init(struct module *module);
void doveadm_shoper_plugin_deinit(void);

static int shoper_lookup_print(struct doveadm_mail_cmd_context *_ctx,
			       struct shoper_settings *set, const char *email)
{
	struct shoper_index_reader *reader;
	struct shoper_match_input in;
	struct shoper_lookup lookup;
	struct shoper_settings from_only = *set;
	const char *error;
	string_t *block;
	int ret;

	reader = shoper_index_cache_get(set->index_path);
	if (reader == NULL) {
		_ctx->exit_code = EX_TEMPFAIL;
		return -1;
	}
	/* the address as a mail's From: the lookup the delivery makes */
	from_only.match[0] = SHOPER_MATCH_FROM;
	from_only.n_match = 1;
	i_zero(&in);
	in.from = email;
	ret = shoper_match_lookup(reader, &from_only, &in,
				  pool_datastack_create(), &lookup, &error);
	if (ret < 0) {
		i_error("shoper lookup: %s: %s", set->index_path, error);
		_ctx->exit_code = EX_TEMPFAIL;
		return -1;
	}
	if (ret == 0) {
		i_error("shoper lookup: no orders of %s in this user's shops",
			email);
		_ctx->exit_code = DOVEADM_EX_NOTFOUND;
		return -1;
	}
	block = t_str_new(1024);
	shoper_headers_build(&lookup, set->max_orders, block);
	str_truncate(block, str_len(block) - 1);
	doveadm_print(str_c(block));
	return 0;
}

static int cmd_shoper_lookup_run(struct doveadm_mail_cmd_context *_ctx,
				 struct mail_user *user)
{
	struct shoper_lookup_cmd_context *ctx =
		container_of(_ctx, struct shoper_lookup_cmd_context, ctx);
	struct shoper_settings *set;
	const char *error;
	int ret;

	ret = shoper_settings_read(user, &set, &error);
	if (ret < 0) {
		i_error("shoper lookup: %s", error);
		_ctx->exit_code = EX_CONFIG;
		return -1;
	}
	if (ret == 0) {
		i_error("shoper lookup: shoper_shops is not set for %s: "
			"the plugin adds no headers",
			user->username);
		_ctx->exit_code = DOVEADM_EX_NOTFOUND;
		return -1;
	}
	T_BEGIN
	{
		ret = shoper_lookup_print(_ctx, set, ctx->email);
	}
	T_END;
	return ret;
}

static struct doveadm_mail_cmd_context *cmd_shoper_lookup_alloc(void)
{
	struct shoper_lookup_cmd_context *ctx;

	ctx = doveadm_mail_cmd_alloc(struct shoper_lookup_cmd_context);
	shoper_lookup_set_init(&ctx->ctx);
	ctx->ctx.v.run = cmd_shoper_lookup_run;
	doveadm_print_init(DOVEADM_PRINT_TYPE_FLOW);
	return &ctx->ctx;
}

static struct doveadm_cmd_ver2 shoper_lookup_cmd = {
	.name = "shoper lookup",
	.mail_cmd = cmd_shoper_lookup_alloc,
	.usage = DOVEADM_CMD_MAIL_USAGE_PREFIX "<email>",
	DOVEADM_CMD_PARAMS_START DOVEADM_CMD_MAIL_COMMON DOVEADM_CMD_PARAM(
		'\0', "email", CMD_PARAM_STR, CMD_PARAM_FLAG_POSITIONAL)
		DOVEADM_CMD_PARAMS_END};

void doveadm_shoper_plugin_init(struct module *module ATTR_UNUSED)
{
	doveadm_cmd_register_ver2(&shoper_lookup_cmd);
}

void doveadm_shoper_plugin_deinit(void)
{
	shoper_index_cache_deinit();
	shoper_settings_deinit();
}
