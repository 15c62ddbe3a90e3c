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

/* the hook we call, and the one that was set before ours */
static deliver_mail_func_t *shoper_next_deliver_mail;
static deliver_mail_func_t *shoper_prev_deliver_mail;
static bool shoper_in_deliver_mail;

static int shoper_deliver_mail(struct mail_deliver_context *dctx,
			       struct mail_storage **storage_r)
{
	int ret;

	*storage_r = NULL;
	if (shoper_in_deliver_mail) {
		/* a hook set after ours that calls the one before it (ours)
		   after we put ours in front again: go on down the chain */
		return shoper_prev_deliver_mail == NULL
			       ? 0
			       : shoper_prev_deliver_mail(dctx, storage_r);
	}
	if (shoper_deliver_prepare(dctx) < 0)
		return -1;
	/* 0 without a next hook: core saves dctx->src_mail (ours) */
	if (shoper_next_deliver_mail == NULL)
		return 0;
	shoper_in_deliver_mail = TRUE;
	ret = shoper_next_deliver_mail(dctx, storage_r);
	shoper_in_deliver_mail = FALSE;
	return ret;
}

/* A module loaded after ours (Sieve named in one user's userdb
   mail_plugins, loaded at that RCPT) sets its deliver hook in front of
   ours, and Sieve's never calls the one before it: for the rest of the
   process no mail would be filtered. Every user's creation (before its
   delivery, for all users: a forced hook) puts ours in front again. */
static void shoper_deliver_hook_front(struct mail_user *user ATTR_UNUSED)
{
	deliver_mail_func_t *cur = mail_deliver_hook_set(shoper_deliver_mail);

	if (cur != shoper_deliver_mail)
		shoper_next_deliver_mail = cur;
}

static struct mail_storage_hooks shoper_storage_hooks = {
	.mail_user_created = shoper_deliver_user_created,
};

static struct mail_storage_hooks shoper_forced_hooks = {
	.mail_user_created = shoper_deliver_hook_front,
};

void shoper_plugin_init(struct module *module)
{
	mail_storage_hooks_add(module, &shoper_storage_hooks);
	mail_storage_hooks_add_forced(module, &shoper_forced_hooks);
	shoper_prev_deliver_mail = mail_deliver_hook_set(shoper_deliver_mail);
	shoper_next_deliver_mail = shoper_prev_deliver_mail;
}

void shoper_plugin_deinit(void)
{
	mail_deliver_hook_set(shoper_prev_deliver_mail);
	mail_storage_hooks_remove(&shoper_forced_hooks);
	mail_storage_hooks_remove(&shoper_storage_hooks);
	shoper_index_cache_deinit();
	shoper_settings_deinit();
}
