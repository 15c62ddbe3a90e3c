#ifndef SHOPER_STATUS_STATE_H
#define SHOPER_STATUS_STATE_H

/* ~/.shoper-status-folders: which folder belongs to which (shop, status
   id), so that a status renamed in the shop renames its folder. The
   status list's format (doc/status-change.md), read and written here with
   names of any length. */

#include "array.h"

struct shoper_folder_state {
	const char *shop, *id, *vname;
	bool active; /* FALSE: retired, moving mail in requests nothing */
};
ARRAY_DEFINE_TYPE(shoper_folder_state, struct shoper_folder_state);

/* Reads path into state_r (initialized here, strings from pool). Returns
   0, or -1 with error_r; errno is ENOENT when the file doesn't exist. */
int shoper_folder_state_read(const char *path, pool_t pool,
			     ARRAY_TYPE(shoper_folder_state) * state_r,
			     const char **error_r);
/* Replaces path atomically (mode 0640). 0 or -1 with error_r. */
int shoper_folder_state_write(const char *path,
			      const ARRAY_TYPE(shoper_folder_state) * state,
			      const char **error_r);

#endif
