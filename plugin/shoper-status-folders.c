/* Status folders: created, renamed and retired with the shop's statuses.
   The status list comes from a file shoper-sync writes next to the index,
   so the IMAP process never touches the network. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mail-user.h"
#include "mail-namespace.h"
#include "mail-storage.h"
#include "shoper-settings.h"
#include "shoper-queue.h"
#include "shoper-status-folders.h"

#include <errno.h>

#define SHOPER_FOLDER_STATE ".shoper-status-folders"

static bool list_warned;

/* A status name as one mailbox level: no separator, no control bytes,
   nothing a mailbox list layout treats specially at the start. */
static void append_level(string_t *str, const char *name, char sep,
			 const char *fallback)
{
	size_t start = str_len(str);

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0';
	     p++) {
		bool bad = *p < 0x20 || *p == 0x7f ||
			   *p == (unsigned char)sep || *p == '/' || *p == '*' ||
			   *p == '%' ||
			   (str_len(str) == start && (*p == '.' || *p == '~'));
		str_append_c(str, bad ? '-' : (char)*p);
	}
	if (str_len(str) == start)
		str_append(str, fallback);
}

static const char *folder_vname(const struct shoper_settings *set, char sep,
				const struct shoper_status_entry *e,
				bool with_shop)
{
	string_t *str = t_str_new(128);

	str_append(str, set->status_folder);
	str_append_c(str, sep);
	if (with_shop) {
		append_level(str, e->shop, sep, "shop");
		str_append_c(str, sep);
	}
	append_level(str, e->name, sep, t_strconcat("status-", e->id, NULL));
	return str_c(str);
}

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

/* One status of the list: make its folder exist under its current name
   and record it in new_state. */
static void sync_one(struct mail_user *user, const struct shoper_settings *set,
		     char sep, bool with_shop,
		     const struct shoper_status_entry *e,
		     const struct shoper_status_list *state,
		     struct shoper_status_list *new_state)
{
	const struct shoper_status_entry *prev =
		shoper_status_list_find(state, e->shop, e->id);

	if (!e->active) {
		/* retired: the folder and its mail stay, requests stop */
		if (prev != NULL)
			(void)shoper_status_list_add(new_state, e->shop, e->id,
						     prev->name, FALSE);
		return;
	}
	const char *vname = folder_vname(set, sep, e, with_shop);
	if (prev != NULL && strcmp(prev->name, vname) != 0 &&
	    box_exists(user, prev->name) && !box_exists(user, vname) &&
	    box_rename(user, prev->name, vname) == 0) {
		/* renamed with its mail */
	} else if (!box_exists(user, vname)) {
		box_create(user, vname);
	}
	(void)shoper_status_list_add(new_state, e->shop, e->id, vname, TRUE);
}

static bool state_equal(const struct shoper_status_list *a,
			const struct shoper_status_list *b)
{
	if (a->count != b->count)
		return FALSE;
	for (unsigned int i = 0; i < a->count; i++) {
		const struct shoper_status_entry *x = &a->items[i];
		const struct shoper_status_entry *y =
			shoper_status_list_find(b, x->shop, x->id);
		if (y == NULL || y->active != x->active ||
		    strcmp(x->name, y->name) != 0)
			return FALSE;
	}
	return TRUE;
}

static void fill_folders(struct mail_user *user,
			 const struct shoper_status_list *state,
			 const struct shoper_status_list *list,
			 ARRAY_TYPE(shoper_status_folder) * folders_r)
{
	p_array_init(folders_r, user->pool, state->count + 1);
	for (unsigned int i = 0; i < state->count; i++) {
		const struct shoper_status_entry *e = &state->items[i];
		const struct shoper_status_entry *st =
			shoper_status_list_find(list, e->shop, e->id);
		struct shoper_status_folder *f = array_append_space(folders_r);
		f->vname = p_strdup(user->pool, e->name);
		f->shop = p_strdup(user->pool, e->shop);
		f->status_id = p_strdup(user->pool, e->id);
		f->status_name =
			p_strdup(user->pool, st != NULL ? st->name : "");
		f->active = e->active && st != NULL && st->active;
	}
}

void shoper_status_folders_sync(struct mail_user *user,
				const struct shoper_settings *set,
				ARRAY_TYPE(shoper_status_folder) * folders_r)
{
	struct shoper_status_list list, state, new_state;
	struct shoper_error err;
	const char *home = NULL, *state_path = NULL;
	char list_path[4096];

	i_zero(&state);
	i_zero(&new_state);
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
	if (mail_user_get_home(user, &home) > 0) {
		state_path = t_strconcat(home, "/" SHOPER_FOLDER_STATE, NULL);
		if (shoper_status_list_read(state_path, &state, &err) < 0 &&
		    errno != ENOENT)
			e_warning(user->event, "shoper: %s", err.msg);
	}
	struct mail_namespace *ns = mail_namespace_find_inbox(user->namespaces);
	char sep = mail_namespace_get_sep(ns);
	bool with_shop = several_shops(set, &list);

	for (unsigned int i = 0; i < list.count; i++) {
		if (shoper_settings_shop_allowed(set, list.items[i].shop))
			sync_one(user, set, sep, with_shop, &list.items[i],
				 &state, &new_state);
	}
	/* statuses gone from the shop altogether: folders stay, retired */
	for (unsigned int i = 0; i < state.count; i++) {
		const struct shoper_status_entry *e = &state.items[i];
		if (shoper_status_list_find(&new_state, e->shop, e->id) == NULL)
			(void)shoper_status_list_add(&new_state, e->shop, e->id,
						     e->name, FALSE);
	}
	if (state_path != NULL && !state_equal(&state, &new_state) &&
	    shoper_status_list_write(state_path, &new_state, &err) < 0)
		e_warning(user->event, "shoper: %s", err.msg);
	fill_folders(user, &new_state, &list, folders_r);
	shoper_status_list_free(&list);
	shoper_status_list_free(&state);
	shoper_status_list_free(&new_state);
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
