/* Status folders: created, renamed and retired with the shop's statuses.
   The status list comes from a file shoper-sync writes next to the index,
   so the IMAP process never touches the network. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "hash.h"
#include "mail-user.h"
#include "mail-namespace.h"
#include "mail-storage.h"
#include "shoper-settings.h"
#include "shoper-queue.h"
#include "shoper-status-names.h"
#include "shoper-status-state.h"
#include "shoper-status-folders.h"

#include <errno.h>

#define SHOPER_FOLDER_STATE ".shoper-status-folders"

static bool list_warned;

static struct mailbox *box_alloc(struct mail_user *user, const char *vname)
{
	struct mail_namespace *ns =
		mail_namespace_find(user->namespaces, vname);
	return mailbox_alloc(ns->list, vname, 0);
}

static bool box_exists(struct mail_user *user, const char *vname)
{
	enum mailbox_existence existence = MAILBOX_EXISTENCE_NONE;
	struct mailbox *box = box_alloc(user, vname);

	if (mailbox_exists(box, FALSE, &existence) < 0)
		existence = MAILBOX_EXISTENCE_NONE;
	mailbox_free(&box);
	return existence == MAILBOX_EXISTENCE_SELECT;
}

static void box_create(struct mail_user *user, const char *vname)
{
	struct mailbox *box = box_alloc(user, vname);
	enum mail_error error;

	if (mailbox_create(box, NULL, FALSE) < 0) {
		const char *msg = mailbox_get_last_error(box, &error);
		if (error != MAIL_ERROR_EXISTS)
			e_warning(user->event,
				  "shoper: creating status folder %s: %s",
				  vname, msg);
	}
	(void)mailbox_set_subscribed(box, TRUE);
	mailbox_free(&box);
}

/* Returns 0 when the folder now has its new name. */
static int box_rename(struct mail_user *user, const char *from, const char *to)
{
	struct mailbox *src = box_alloc(user, from);
	struct mailbox *dest = box_alloc(user, to);
	int ret = mailbox_rename(src, dest);

	if (ret < 0)
		e_warning(user->event, "shoper: renaming status folder %s: %s",
			  from, mailbox_get_last_internal_error(src, NULL));
	else {
		(void)mailbox_set_subscribed(src, FALSE);
		(void)mailbox_set_subscribed(dest, TRUE);
		e_info(user->event, "shoper: status folder %s renamed to %s",
		       from, to);
	}
	mailbox_free(&src);
	mailbox_free(&dest);
	return ret;
}

static bool several_shops(const struct shoper_settings *set,
			  const struct shoper_status_list *list)
{
	const char *first = NULL;

	for (unsigned int i = 0; i < list->count; i++) {
		const char *shop = list->items[i].shop;
		if (!shoper_settings_shop_allowed(set, shop))
			continue;
		if (first == NULL)
			first = shop;
		else if (strcmp(first, shop) != 0)
			return TRUE;
	}
	return FALSE;
}

/* One status folder sync: the status list, the state as it was, and the
   new state being made. Keys are "<shop>/<id>" (ids are digits). */
struct folders_sync {
	struct mail_user *user;
	pool_t pool;
	ARRAY_TYPE(shoper_folder_state) state, new_state;
	HASH_TABLE(const char *, const struct shoper_folder_state *) prev;
	HASH_TABLE(const char *, const struct shoper_status_entry *) listed;
	HASH_TABLE(const char *, void *) done;
};

static const char *status_key(pool_t pool, const char *shop, const char *id)
{
	return p_strconcat(pool, shop, "/", id, NULL);
}

static void state_add(struct folders_sync *ctx, const char *shop,
		      const char *id, const char *vname, bool active)
{
	struct shoper_folder_state *e = array_append_space(&ctx->new_state);

	e->shop = p_strdup(ctx->pool, shop);
	e->id = p_strdup(ctx->pool, id);
	e->vname = p_strdup(ctx->pool, vname);
	e->active = active;
	hash_table_update(ctx->done, status_key(ctx->pool, shop, id),
			  POINTER_CAST(1));
}

/* The active statuses in scope, and the names of the folders of every
   other status the state knows (they keep their folders, retired). */
static void collect_names(struct folders_sync *ctx,
			  const struct shoper_settings *set,
			  const struct shoper_status_list *list,
			  ARRAY_TYPE(shoper_status_name) * names,
			  ARRAY_TYPE(const_string) * taken)
{
	HASH_TABLE(const char *, void *) active;
	const struct shoper_folder_state *s;

	hash_table_create(&active, ctx->pool, 0, str_hash, strcmp);
	p_array_init(names, ctx->pool, list->count + 1);
	p_array_init(taken, ctx->pool, array_count(&ctx->state) + 1);
	for (unsigned int i = 0; i < list->count; i++) {
		const struct shoper_status_entry *e = &list->items[i];
		if (!shoper_settings_shop_allowed(set, e->shop))
			continue;
		const char *key = status_key(ctx->pool, e->shop, e->id);
		hash_table_update(ctx->listed, key, e);
		if (!e->active || hash_table_lookup(active, key) != NULL)
			continue;
		hash_table_insert(active, key, POINTER_CAST(1));
		struct shoper_status_name *n = array_append_space(names);
		n->shop = e->shop;
		n->id = e->id;
		n->name = e->name;
	}
	array_foreach(&ctx->state, s)
	{
		const char *key = status_key(ctx->pool, s->shop, s->id);
		if (hash_table_lookup(active, key) == NULL)
			array_push_back(taken, &s->vname);
	}
	hash_table_destroy(&active);
}

/* Renames first, so that a name a renamed status gave up can go to
   another status; then the folders still missing are created. */
static void sync_active(struct folders_sync *ctx,
			const ARRAY_TYPE(shoper_status_name) * names)
{
	const struct shoper_status_name *n;

	array_foreach(names, n)
	{
		const struct shoper_folder_state *prev = hash_table_lookup(
			ctx->prev, status_key(ctx->pool, n->shop, n->id));
		if (n->vname != NULL && prev != NULL &&
		    strcmp(prev->vname, n->vname) != 0 &&
		    box_exists(ctx->user, prev->vname) &&
		    !box_exists(ctx->user, n->vname))
			(void)box_rename(ctx->user, prev->vname, n->vname);
	}
	array_foreach(names, n)
	{
		if (n->vname == NULL) {
			e_warning(ctx->user->event,
				  "shoper: status %s of shop %s: no folder "
				  "name of its own",
				  n->id, n->shop);
			continue;
		}
		if (!box_exists(ctx->user, n->vname))
			box_create(ctx->user, n->vname);
		state_add(ctx, n->shop, n->id, n->vname, TRUE);
	}
}

/* Statuses retired in the shop, gone from it or out of scope: their
   folders and mail stay, requests stop. */
static void sync_retired(struct folders_sync *ctx)
{
	const struct shoper_folder_state *s;

	array_foreach(&ctx->state, s)
	{
		const char *key = status_key(ctx->pool, s->shop, s->id);
		if (hash_table_lookup(ctx->done, key) == NULL)
			state_add(ctx, s->shop, s->id, s->vname, FALSE);
	}
}

static bool state_changed(struct folders_sync *ctx)
{
	const struct shoper_folder_state *e;

	if (array_count(&ctx->state) != array_count(&ctx->new_state))
		return TRUE;
	array_foreach(&ctx->new_state, e)
	{
		const struct shoper_folder_state *p = hash_table_lookup(
			ctx->prev, status_key(ctx->pool, e->shop, e->id));
		if (p == NULL || p->active != e->active ||
		    strcmp(p->vname, e->vname) != 0)
			return TRUE;
	}
	return FALSE;
}

static void fill_folders(struct folders_sync *ctx,
			 ARRAY_TYPE(shoper_status_folder) * folders_r)
{
	pool_t upool = ctx->user->pool;
	const struct shoper_folder_state *e;

	p_array_init(folders_r, upool, array_count(&ctx->new_state) + 1);
	array_foreach(&ctx->new_state, e)
	{
		const struct shoper_status_entry *st = hash_table_lookup(
			ctx->listed, status_key(ctx->pool, e->shop, e->id));
		struct shoper_status_folder *f = array_append_space(folders_r);
		f->vname = p_strdup(upool, e->vname);
		f->shop = p_strdup(upool, e->shop);
		f->status_id = p_strdup(upool, e->id);
		f->status_name = p_strdup(upool, st != NULL ? st->name : "");
		f->active = e->active && st != NULL && st->active;
	}
}

/* The state as it was: a missing file is a first login, one that can't
   be read is said and then replaced. */
static void read_state(struct folders_sync *ctx, const char *path)
{
	const struct shoper_folder_state *s;
	const char *error;

	if (path != NULL &&
	    shoper_folder_state_read(path, ctx->pool, &ctx->state, &error) <
		    0 &&
	    errno != ENOENT)
		e_warning(ctx->user->event, "shoper: %s", error);
	if (path == NULL)
		p_array_init(&ctx->state, ctx->pool, 1);
	array_foreach(&ctx->state, s)
	{
		hash_table_update(ctx->prev,
				  status_key(ctx->pool, s->shop, s->id), s);
	}
}

static void sync_folders(struct folders_sync *ctx,
			 const struct shoper_settings *set,
			 const struct shoper_status_list *list,
			 const char *state_path)
{
	struct mail_namespace *ns =
		mail_namespace_find_inbox(ctx->user->namespaces);
	ARRAY_TYPE(shoper_status_name) names;
	ARRAY_TYPE(const_string) taken;
	struct shoper_status_naming naming;
	const char *error;

	read_state(ctx, state_path);
	i_zero(&naming);
	naming.parent = set->status_folder;
	naming.sep = mail_namespace_get_sep(ns);
	naming.storage_sep = mailbox_list_get_hierarchy_sep(ns->list);
	naming.with_shop = several_shops(set, list);
	collect_names(ctx, set, list, &names, &taken);
	shoper_status_names_make(&naming, ctx->pool, &names, &taken);
	sync_active(ctx, &names);
	sync_retired(ctx);
	if (state_path != NULL && state_changed(ctx) &&
	    shoper_folder_state_write(state_path, &ctx->new_state, &error) < 0)
		e_warning(ctx->user->event, "shoper: %s", error);
}

void shoper_status_folders_sync(struct mail_user *user,
				const struct shoper_settings *set,
				ARRAY_TYPE(shoper_status_folder) * folders_r)
{
	struct shoper_status_list list;
	struct shoper_error err;
	const char *home = NULL, *state_path = NULL;
	char list_path[4096];

	err.msg[0] = '\0';
	if (shoper_status_list_path(set->index_path, list_path,
				    sizeof(list_path)) < 0 ||
	    shoper_status_list_read(list_path, &list, &err) < 0) {
		/* no list yet (shoper-sync hasn't run): no folders; one that
		   can't be read hides them all, so the admin must hear of it
		   (once: this process may serve many logins) */
		if (errno == ENOENT || list_warned)
			e_debug(user->event, "shoper: no status folders: %s",
				err.msg);
		else {
			e_warning(user->event, "shoper: no status folders: %s",
				  err.msg);
			list_warned = TRUE;
		}
		p_array_init(folders_r, user->pool, 1);
		return;
	}
	if (mail_user_get_home(user, &home) > 0)
		state_path = t_strconcat(home, "/" SHOPER_FOLDER_STATE, NULL);

	struct folders_sync ctx;
	i_zero(&ctx);
	ctx.user = user;
	ctx.pool = pool_alloconly_create("shoper status folders", 16384);
	hash_table_create(&ctx.prev, ctx.pool, 0, str_hash, strcmp);
	hash_table_create(&ctx.listed, ctx.pool, 0, str_hash, strcmp);
	hash_table_create(&ctx.done, ctx.pool, 0, str_hash, strcmp);
	p_array_init(&ctx.new_state, ctx.pool, list.count + 1);
	sync_folders(&ctx, set, &list, state_path);
	fill_folders(&ctx, folders_r);
	hash_table_destroy(&ctx.prev);
	hash_table_destroy(&ctx.listed);
	hash_table_destroy(&ctx.done);
	pool_unref(&ctx.pool);
	shoper_status_list_free(&list);
}

const struct shoper_status_folder *shoper_status_folder_find(
	const ARRAY_TYPE(shoper_status_folder) * folders, const char *vname)
{
	unsigned int i, count;
	const struct shoper_status_folder *f = array_get(folders, &count);

	/* a plain loop: cppcheck can't see through array_foreach */
	for (i = 0; i < count; i++) {
		if (strcmp(f[i].vname, vname) == 0)
			return &f[i];
	}
	return NULL;
}

static void append_escaped(string_t *str, const char *key, const char *value)
{
	size_t size = strlen(value) * 3 + 1, pos = 0;
	char *buf = t_malloc_no0(size);

	(void)shoper_qesc(buf, size, &pos, value);
	str_printfa(str, "%s=%s", key, buf);
}

const char *shoper_status_folders_describe(
	const ARRAY_TYPE(shoper_status_folder) * folders)
{
	unsigned int i, count;
	const struct shoper_status_folder *f = array_get(folders, &count);
	string_t *str = t_str_new(64 + count * 64);

	str_append(str, SHOPER_STATUS_FOLDERS_FORMAT "\n");
	for (i = 0; i < count; i++) {
		append_escaped(str, "shop", f[i].shop);
		append_escaped(str, " id", f[i].status_id);
		str_printfa(str, " active=%d", f[i].active ? 1 : 0);
		append_escaped(str, " folder", f[i].vname);
		str_append_c(str, '\n');
	}
	return str_c(str);
}
