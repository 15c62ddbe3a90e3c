#ifndef SHOPER_STATUS_NAMES_H
#define SHOPER_STATUS_NAMES_H

/* Folder names of the shop's statuses: one folder per status, the same
   names whatever the order of the status list, and short enough for every
   mailbox list layout. */

#include "array.h"

/* Longest folder name made, in bytes of UTF-8 and of modified UTF-7 (the
   storage name of a maildir without the UTF-8 option): Maildir++ keeps
   the whole name in one file name of at most 255 bytes (with its dot). */
#define SHOPER_STATUS_FOLDER_NAME_MAX 240

struct shoper_status_naming {
	const char *parent; /* shoper_status_folder */
	char sep; /* the namespace's hierarchy separator */
	char storage_sep; /* the mailbox list's, not allowed in a level */
	bool with_shop; /* a <shop> level between parent and status */
};

struct shoper_status_name {
	const char *shop, *id, *name; /* the status */
	const char *vname; /* its folder name (set by make) */
	unsigned int ids; /* " (id N)" suffixes the name needed */
};
ARRAY_DEFINE_TYPE(shoper_status_name, struct shoper_status_name);

/* Sets vname of every entry (allocated from pool): the sanitized status
   name; when that is longer than SHOPER_STATUS_FOLDER_NAME_MAX, cut with
   "…" and " (id N)" appended; when two entries, or an entry and a name in
   taken (folders of other statuses, may be NULL), would get the same
   name, each of them gets " (id N)". Shop levels that collide are told
   apart by " (2)", " (3)"... in the order of the exact shop names. */
void shoper_status_names_make(const struct shoper_status_naming *naming,
			      pool_t pool,
			      ARRAY_TYPE(shoper_status_name) * names,
			      const ARRAY_TYPE(const_string) * taken);

#endif
