/* imap_shoper: the IMAP half of the status change. Copying or moving a
   message with X-Shoper-Shop and X-Shoper-Order-Id into a status folder
   queues a request for shoper-sync; this process never touches the
   network. A module of its own because imap doesn't link the delivery
   library that lib99_shoper_plugin.so needs. */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "seq-range-array.h"
#include "mail-user.h"
#include "mail-namespace.h"
#include "mail-storage-private.h"
#include "mail-storage-hooks.h"
#include "mailbox-attribute.h"
#include "shoper-settings.h"
#include "shoper-index-cache.h"
#include "shoper-index.h"
#include "shoper-queue.h"
#include "shoper-status-folders.h"
#include "shoper-status-binding.h"
#include "shoper-status-request.h"
#include "shoper-status-notice.h"

#define SHOPER_USER_CONTEXT(obj) MODULE_CONTEXT(obj, imap_shoper_user_module)
#define SHOPER_BOX_CONTEXT(obj)                                                \
	MODULE_CONTEXT_REQUIRE(obj, imap_shoper_storage_module)

const char *imap_shoper_plugin_version = DOVECOT_ABI_VERSION;
const char imap_shoper_plugin_binary_dependency[] = "imap";

void imap_shoper_plugin_init(struct module *module);
void imap_shoper_plugin_deinit(void);

struct imap_shoper_user {
	union mail_user_module_context module_ctx;
	const struct shoper_settings *set;
	const char *queue_dir;
	ARRAY_TYPE(shoper_status_folder) folders;
};

/* A request waiting for its transaction's commit (and the message's UID) */
struct imap_shoper_pending {
	struct mailbox_transaction_context *t;
	unsigned int save_idx;
	struct shoper_queue_request req;
	struct shoper_request_file file; /* written before the commit */
};
ARRAY_DEFINE_TYPE(imap_shoper_pending, struct imap_shoper_pending);

struct imap_shoper_mailbox {
	union mailbox_module_context module_ctx;
	const struct shoper_status_folder *folder;
	ARRAY_TYPE(imap_shoper_pending) pending;
	ARRAY_TYPE(shoper_refusal) refused;
};

static MODULE_CONTEXT_DEFINE_INIT(imap_shoper_user_module,
				  &mail_user_module_register);
static MODULE_CONTEXT_DEFINE_INIT(imap_shoper_storage_module,
				  &mail_storage_module_register);

static bool copy_str(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return FALSE;
	memcpy(dst, src, strlen(src) + 1);
	return TRUE;
}

/* Fills req for mail dropped into folder; FALSE (logged) when the message
   asks for nothing, for something this user may not do, or for an order
   that is not the message's (see shoper-status-binding.h). */
static bool imap_shoper_make_request(struct mailbox *box, struct mail *mail,
				     const struct shoper_status_folder *folder,
				     struct shoper_queue_request *req,
				     struct shoper_refusal *refusal)
{
	struct mail_user *user = box->storage->user;
	struct imap_shoper_user *suser = SHOPER_USER_CONTEXT(user);
	const char *shop, *order_id;
	struct shoper_order order;
	struct shoper_error err;

	if (mail_get_first_header(mail, "X-Shoper-Shop", &shop) <= 0 ||
	    mail_get_first_header(mail, "X-Shoper-Order-Id", &order_id) <= 0)
		return FALSE; /* not an order's message: simply stored */
	shop = t_str_trim(shop, " \t");
	order_id = t_str_trim(order_id, " \t");
	if (strspn(shop, SHOPER_NAME_CHARS) == strlen(shop))
		refusal->shop = p_strdup(box->pool, shop);
	if (strspn(order_id, SHOPER_NAME_CHARS) == strlen(order_id) &&
	    strlen(order_id) <= 64)
		refusal->order_id = p_strdup(box->pool, order_id);
	if (!folder->active) {
		refusal->reason = SHOPER_REFUSED_RETIRED;
		return FALSE;
	}
	const char *what = t_strdup_printf("order %s:%s to %s", shop, order_id,
					   folder->vname);
	if (!shoper_settings_shop_allowed(suser->set, shop)) {
		e_warning(user->event,
			  "shoper: %s refused: shop not in "
			  "this user's shoper_shops",
			  what);
		refusal->reason = SHOPER_REFUSED_SCOPE;
		return FALSE;
	}
	if (strcmp(shop, folder->shop) != 0) {
		e_warning(user->event,
			  "shoper: %s refused: the folder "
			  "belongs to shop %s",
			  what, folder->shop);
		refusal->reason = SHOPER_REFUSED_OTHER_SHOP;
		return FALSE;
	}
	struct shoper_index_reader *r =
		shoper_index_cache_get(suser->set->index_path);
	int ret = r == NULL ? -1
			    : shoper_index_lookup_order(r, shop, order_id,
							&order, &err);
	if (ret <= 0) {
		e_warning(user->event, "shoper: %s refused: %s", what,
			  ret == 0 ? "no such order in the index"
				   : "index unavailable");
		refusal->reason = ret == 0 ? SHOPER_REFUSED_NO_SUCH_ORDER
					   : SHOPER_REFUSED_INDEX;
		return FALSE;
	}
	/* the headers alone may be forged (APPENDed, or stored before the
	   delivery plugin stripped them): the order must be this sender's */
	ret = shoper_status_binding_check(mail, suser->set, &order, order_id);
	if (ret <= 0) {
		e_warning(user->event, "shoper: %s refused: %s", what,
			  ret == 0 ? "the message is not from this order's "
				     "customer"
				   : "the message's header is unreadable");
		refusal->reason = ret == 0 ? SHOPER_REFUSED_NOT_CUSTOMER
					   : SHOPER_REFUSED_UNREADABLE;
		return FALSE;
	}
	i_zero(req);
	if (!copy_str(req->user, sizeof(req->user), user->username) ||
	    !copy_str(req->shop, sizeof(req->shop), shop) ||
	    !copy_str(req->order_id, sizeof(req->order_id), order_id) ||
	    !copy_str(req->status_id, sizeof(req->status_id),
		      folder->status_id) ||
	    !copy_str(req->mailbox, sizeof(req->mailbox), folder->vname)) {
		e_error(user->event,
			"shoper: %s refused: user, shop or folder name too "
			"long for a request",
			what);
		refusal->reason = SHOPER_REFUSED_INTERNAL;
		return FALSE;
	}
	(void)copy_str(req->status_name, sizeof(req->status_name),
		       folder->status_name);
	req->time = ioloop_time;
	return TRUE;
}

static int imap_shoper_copy(struct mail_save_context *ctx, struct mail *mail)
{
	struct mailbox_transaction_context *t = ctx->transaction;
	struct imap_shoper_mailbox *sbox = SHOPER_BOX_CONTEXT(t->box);
	struct imap_shoper_pending p;
	struct shoper_refusal refusal = {
		.reason = SHOPER_REFUSED_NO_ORDER, .shop = "", .order_id = ""};
	bool have = FALSE;

	i_zero(&p);
	/* COPY and MOVE only: APPEND (ctx->saving) creates a new message,
	   it doesn't file the customer's one */
	if (!ctx->saving)
		have = imap_shoper_make_request(t->box, mail, sbox->folder,
						&p.req, &refusal);
	p.t = t;
	p.save_idx = t->save_count;
	refusal.t = t;
	refusal.save_idx = t->save_count;
	if (sbox->module_ctx.super.copy(ctx, mail) < 0)
		return -1;
	if (have)
		array_push_back(&sbox->pending, &p);
	else if (!ctx->saving) /* refused: visibly, after the commit */
		array_push_back(&sbox->refused, &refusal);
	return 0;
}

/* Moves t's refusals out of the mailbox's list into mine (or drops them). */
static void take_refused(struct imap_shoper_mailbox *sbox,
			 struct mailbox_transaction_context *t,
			 ARRAY_TYPE(shoper_refusal) * mine)
{
	unsigned int i = array_count(&sbox->refused);

	while (i-- > 0) {
		const struct shoper_refusal *r = array_idx(&sbox->refused, i);
		if (r->t != t)
			continue;
		if (mine != NULL)
			array_push_front(mine, r);
		array_delete(&sbox->refused, i, 1);
	}
}

/* Moves t's pending requests out of the mailbox's list into mine. */
static void take_pending(struct imap_shoper_mailbox *sbox,
			 struct mailbox_transaction_context *t,
			 ARRAY_TYPE(imap_shoper_pending) * mine)
{
	unsigned int i = array_count(&sbox->pending);

	while (i-- > 0) {
		const struct imap_shoper_pending *p =
			array_idx(&sbox->pending, i);
		if (p->t != t)
			continue;
		if (mine != NULL)
			array_push_back(mine, p);
		array_delete(&sbox->pending, i, 1);
	}
}

static void abort_requests(ARRAY_TYPE(imap_shoper_pending) * mine)
{
	struct imap_shoper_pending *p;

	array_foreach_modifiable(mine, p) shoper_request_file_abort(&p->file);
}

/* Before the commit: every request is written but for its UID, or the
   command fails. A moved message whose request was lost would look like
   a change asked for (only the log would tell); a NO leaves it where it
   was for the user to try again. */
static int prepare_requests(struct mailbox *box,
			    ARRAY_TYPE(imap_shoper_pending) * mine)
{
	struct mail_user *user = box->storage->user;
	struct imap_shoper_user *suser = SHOPER_USER_CONTEXT(user);
	struct imap_shoper_pending *p;
	const char *error;

	array_foreach_modifiable(mine, p)
	{
		if (shoper_request_file_create(suser->queue_dir, &p->req,
					       &p->file, &error) == 0)
			continue;
		e_error(user->event,
			"shoper: status change of order %s:%s not queued, "
			"the command fails: %s",
			p->req.shop, p->req.order_id, error);
		abort_requests(mine);
		return -1;
	}
	return 0;
}

static const char *prepare_error(const ARRAY_TYPE(imap_shoper_pending) * mine)
{
	const struct imap_shoper_pending *p = array_front(mine);

	return t_strdup_printf(
		"Status change of order %s (shop %s) can't be requested now "
		"(the status queue can't be written): nothing was copied or "
		"moved. Try again later or tell the administrator.",
		p->req.order_id, p->req.shop);
}

/* After the commit: the UIDs go in and the requests into the queue. */
static void queue_requests(struct mailbox *box,
			   ARRAY_TYPE(imap_shoper_pending) * mine,
			   const struct mail_transaction_commit_changes *ch)
{
	struct mail_user *user = box->storage->user;
	struct imap_shoper_pending *p;
	struct seq_range_iter iter;
	const char *error;

	seq_range_array_iter_init(&iter, &ch->saved_uids);
	/* mine is newest first: queue oldest first, so the last one wins */
	array_foreach_reverse_modifiable(mine, p)
	{
		uint32_t uid = 0;
		if (seq_range_array_iter_nth(&iter, p->save_idx, &uid))
			p->req.uid = uid;
		p->req.uidvalidity = ch->uid_validity;
		if (shoper_request_file_finish(&p->file, &p->req, &error) < 0) {
			e_error(user->event,
				"shoper: status change of order %s:%s not "
				"queued: %s",
				p->req.shop, p->req.order_id, error);
			continue;
		}
		e_info(user->event,
		       "shoper: status change queued: shop=%s order=%s "
		       "status=%s (%s) mailbox=%s uid=%u",
		       p->req.shop, p->req.order_id, p->req.status_id,
		       p->req.status_name, p->req.mailbox, p->req.uid);
	}
}

static int imap_shoper_transaction_commit(
	struct mailbox_transaction_context *t,
	struct mail_transaction_commit_changes *changes_r)
{
	struct mailbox *box = t->box;
	struct imap_shoper_mailbox *sbox = SHOPER_BOX_CONTEXT(box);
	struct imap_shoper_user *suser =
		SHOPER_USER_CONTEXT(box->storage->user);
	ARRAY_TYPE(imap_shoper_pending) mine;
	ARRAY_TYPE(shoper_refusal) refused;

	t_array_init(&mine, 4);
	t_array_init(&refused, 4);
	take_pending(sbox, t, &mine);
	take_refused(sbox, t, &refused);
	if (array_count(&mine) > 0 && prepare_requests(box, &mine) < 0) {
		const char *error = prepare_error(&mine);
		sbox->module_ctx.super.transaction_rollback(t);
		/* after the rollback, which must not clear it */
		mail_storage_set_error(box->storage, MAIL_ERROR_UNAVAILABLE,
				       error);
		return -1;
	}
	if (sbox->module_ctx.super.transaction_commit(t, changes_r) < 0) {
		abort_requests(&mine);
		return -1;
	}
	if (array_count(&mine) > 0)
		queue_requests(box, &mine, changes_r);
	if (array_count(&refused) > 0)
		shoper_status_notice_refused(box, suser->set, &refused,
					     changes_r);
	return 0;
}

static void imap_shoper_transaction_rollback(
	struct mailbox_transaction_context *t)
{
	struct imap_shoper_mailbox *sbox = SHOPER_BOX_CONTEXT(t->box);

	take_pending(sbox, t, NULL);
	take_refused(sbox, t, NULL);
	sbox->module_ctx.super.transaction_rollback(t);
}

static void imap_shoper_mailbox_allocated(struct mailbox *box)
{
	struct imap_shoper_user *suser =
		SHOPER_USER_CONTEXT(box->storage->user);
	struct mailbox_vfuncs *v = box->vlast;
	struct imap_shoper_mailbox *sbox;

	if (suser == NULL)
		return;
	const struct shoper_status_folder *folder =
		shoper_status_folder_find(&suser->folders, box->vname);
	if (folder == NULL)
		return;
	sbox = p_new(box->pool, struct imap_shoper_mailbox, 1);
	sbox->module_ctx.super = *v;
	box->vlast = &sbox->module_ctx.super;
	sbox->folder = folder;
	p_array_init(&sbox->pending, box->pool, 4);
	p_array_init(&sbox->refused, box->pool, 4);
	v->copy = imap_shoper_copy;
	v->transaction_commit = imap_shoper_transaction_commit;
	v->transaction_rollback = imap_shoper_transaction_rollback;
	MODULE_CONTEXT_SET(box, imap_shoper_storage_module, sbox);
}

static void imap_shoper_namespaces_created(struct mail_namespace *namespaces)
{
	struct mail_user *user = namespaces->user;
	struct shoper_settings *set;
	struct imap_shoper_user *suser;
	const char *error;
	char qdir[4096];

	int ret = shoper_settings_read(user, &set, &error);
	if (ret < 0)
		e_error(user->event, "shoper: %s", error);
	if (ret <= 0 || set->status_folder == NULL ||
	    shoper_queue_dir(set->index_path, qdir, sizeof(qdir)) < 0)
		return;
	suser = p_new(user->pool, struct imap_shoper_user, 1);
	suser->set = set;
	suser->queue_dir = p_strdup(user->pool, qdir);
	/* folders allocated while syncing aren't hooked: no context yet */
	shoper_status_folders_sync(user, set, &suser->folders);
	/* vlast is gone after mail_user_created; no user vfunc is
	   overridden, so a copy of the vfuncs is all the context needs */
	suser->module_ctx.super = user->v;
	MODULE_CONTEXT_SET(user, imap_shoper_user_module, suser);
}

/* GETMETADATA "" (/private/vendor/vendor.shoper/status-folders): the
   user's status folders in the shop's order, for clients that offer
   "set status" (the Roundcube plugin). Read-only, and readable without
   imap_metadata (validated), as it needs no attribute dict. */
static int imap_shoper_folders_get(struct mailbox *box,
				   const char *key ATTR_UNUSED,
				   struct mail_attribute_value *value_r)
{
	struct imap_shoper_user *suser =
		SHOPER_USER_CONTEXT(box->storage->user);

	if (suser == NULL || array_count(&suser->folders) == 0)
		return 0;
	value_r->value = shoper_status_folders_describe(&suser->folders);
	value_r->flags |= MAIL_ATTRIBUTE_VALUE_FLAG_READONLY;
	return 1;
}

static const struct mailbox_attribute_internal imap_shoper_folders_attr = {
	.type = MAIL_ATTRIBUTE_TYPE_PRIVATE,
	.key = MAILBOX_ATTRIBUTE_PREFIX_DOVECOT_PVT_SERVER
		SHOPER_STATUS_FOLDERS_ENTRY,
	.rank = MAIL_ATTRIBUTE_INTERNAL_RANK_AUTHORITY,
	.flags = MAIL_ATTRIBUTE_INTERNAL_FLAG_VALIDATED,
	.get = imap_shoper_folders_get,
};

static struct mail_storage_hooks imap_shoper_storage_hooks = {
	.mail_namespaces_created = imap_shoper_namespaces_created,
	.mailbox_allocated = imap_shoper_mailbox_allocated,
};

void imap_shoper_plugin_init(struct module *module)
{
	mail_storage_hooks_add(module, &imap_shoper_storage_hooks);
	mailbox_attribute_register_internal(&imap_shoper_folders_attr);
}

void imap_shoper_plugin_deinit(void)
{
	mailbox_attribute_unregister_internal(&imap_shoper_folders_attr);
	mail_storage_hooks_remove(&imap_shoper_storage_hooks);
	shoper_index_cache_deinit();
	shoper_settings_deinit();
}
