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

/* The folders as the IMAP metadata entry SHOPER_STATUS_FOLDERS_ENTRY
   shows them to clients (doc/status-change.md): the format line, then
   "shop=S id=N active=0|1 folder=F" per folder, the active ones in the
   shop's own order (the status list's), the retired ones after them;
   values percent-escaped like the status list's. Data stack. */
#define SHOPER_STATUS_FOLDERS_FORMAT "shoper-status-folders 1"
#define SHOPER_STATUS_FOLDERS_ENTRY "vendor/vendor.shoper/status-folders"
const char *shoper_status_folders_describe(
	const ARRAY_TYPE(shoper_status_folder) * folders);

const struct shoper_status_folder *shoper_status_folder_find(
	const ARRAY_TYPE(shoper_status_folder) * folders, const char *vname);

#endif
