#ifndef SHOPER_STATUS_FOLDERS_H
#define SHOPER_STATUS_FOLDERS_H

/* The IMAP status folders: <shoper_status_folder>/<status name> (with a
   <shop> level when the user has several shops), kept in line with the
   status list that shoper-sync writes next to the index. */

#include "array.h"

struct mail_user;
struct shoper_settings;

struct shoper_status_folder {
	const char *vname; /* mailbox name, UTF-8 */
	const char *shop, *status_id, *status_name;
	/* FALSE: the status was retired; the folder stays but moving mail
	   into it requests nothing */
	bool active;
};
ARRAY_DEFINE_TYPE(shoper_status_folder, struct shoper_status_folder);

/* Creates missing folders, renames folders whose status was renamed (the
   folder -> status mapping is kept in ~/.shoper-status-folders) and fills
   folders_r (allocated from the user's pool) with every known status
   folder. Problems are logged; never deletes a folder. */
void shoper_status_folders_sync(struct mail_user *user,
				const struct shoper_settings *set,
				ARRAY_TYPE(shoper_status_folder) * folders_r);

const struct shoper_status_folder *shoper_status_folder_find(
	const ARRAY_TYPE(shoper_status_folder) * folders, const char *vname);

#endif
