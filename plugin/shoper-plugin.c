/* The shoper mail plugin: loaded by dovecot-lda and lmtp. The file name
   lib99_ sorts after lib90_sieve_plugin.so, so our deliver hook is set
   last and called first; Sieve's hook never calls the one before it. */

#include "lib.h"
#include "mail-user.h"
#include "mail-storage-hooks.h"
#include "mail-deliver.h"
#include "shoper-index-cache.h"
#include "shoper-deliver.h"
#include "shoper-settings.h"

const char *shoper_plugin_version = DOVECOT_ABI_VERSION;
const char shoper_plugin_binary_dependency[] = "lda lmtp";

void shoper_plugin_init(struct module *module);
void shoper_plugin_deinit(void);

static deliver_mail_func_t *shoper_next_deliver_mail;

static struct mail_storage_hooks shoper_storage_hooks = {
	.mail_user_created = shoper_deliver_user_created,
};

static int shoper_deliver_mail(struct mail_deliver_context *dctx,
			       struct mail_storage **storage_r)
{
	*storage_r = NULL;
	if (shoper_deliver_prepare(dctx) < 0)
		return -1;
	/* 0 without a next hook: core saves dctx->src_mail (ours) */
	return shoper_next_deliver_mail == NULL
		       ? 0
		       : shoper_next_deliver_mail(dctx, storage_r);
}

void shoper_plugin_init(struct module *module)
{
	mail_storage_hooks_add(module, &shoper_storage_hooks);
	shoper_next_deliver_mail = mail_deliver_hook_set(shoper_deliver_mail);
}

void shoper_plugin_deinit(void)
{
	mail_deliver_hook_set(shoper_next_deliver_mail);
	mail_storage_hooks_remove(&shoper_storage_hooks);
	shoper_index_cache_deinit();
	shoper_settings_deinit();
}
