#ifndef SHOPER_QUEUE_H
#define SHOPER_QUEUE_H

/* The status-change queue: the contract between the IMAP module (writer)
   and shoper-sync (reader). Plain C11, no Dovecot headers, so both can link
   it. Format and rules: doc/status-change.md.

   A spool directory with one file per (shop, order): NAME = hex(shop) "."
   order_id ".req". A request is written to a temporary file, fsynced and
   renamed over NAME, so a later request for the same order replaces the
   earlier one and a reader sees either, never half. The helper claims a
   request by renaming it to NAME ".work" (a new request arriving meanwhile
   is a new NAME and is carried out after it: the last one wins) and
   deletes the .work file when done. New requests are claimed before old
   .work files, so a newer .req for an order replaces a .work left over
   for it (the last one wins). A .work left by a crash is carried out
   again (setting a status twice is harmless).

   A request set aside (its shop could not be reached) is kept in a
   directory only shoper-sync can write (the keep dir, in its state_dir),
   never rewritten in the shared queue: the mail group can write there,
   so a kept file there would carry shoper-sync's ownership and with it
   its trust. The kept copy records the owner of the file the request
   came in (its writer) and the tries so far; it waits until its
   modification time (the time of the next try) has passed. Claiming a
   newer request for the same order drops the kept copy.

   Also here: the status list file (every shop's statuses with their
   active flag) that shoper-sync writes next to the index and the IMAP
   module reads to build the status folders. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "shoper-lib.h" /* struct shoper_error */

#define SHOPER_QUEUE_FORMAT "shoper-queue 1"
#define SHOPER_STATUS_LIST_FORMAT "shoper-statuses 1"
/* Longest request file accepted. */
#define SHOPER_QUEUE_MAX_FILE (64 * 1024)
/* Longest status list written and read: about 60,000 statuses of the
   usual length (45 shops of 25 statuses take 68 KB). */
#define SHOPER_STATUS_LIST_MAX_FILE (4 * 1024 * 1024)

struct shoper_queue_request {
	char user[256]; /* Dovecot user, "" from the shell */
	char shop[128];
	char order_id[32]; /* digits only */
	char status_id[32]; /* digits only */
	char status_name[256];
	char mailbox[512]; /* UTF-8 name of the status folder, or "" */
	uint32_t uid, uidvalidity; /* the moved message there, 0 unknown */
	int64_t time; /* unix seconds of the request */
	/* failed tries so far (shop unreachable); stored only in a kept
	   copy, 0 for a request claimed from the shared queue */
	unsigned int tries;
	/* uid of the request's writer: the owner of its file in the shared
	   queue, or as a kept copy recorded it (-1 unknown); 0 (root) for a
	   request made in this process */
	int64_t owner_uid;
	bool kept; /* set by claim: it came from the keep dir */
};

/* Name (without directory) of the request file for shop and order_id.
   Returns 0, or -1 when the order id is not 1..20 digits, the shop is
   empty or the name would not fit. */
int shoper_queue_name(const char *shop, const char *order_id, char *out,
		      size_t out_size);

/* Text form of a request, and back. format returns the length (buffer of
   SHOPER_QUEUE_MAX_FILE is always enough) or -1. parse checks every field
   (digits, sizes, known keys) and returns 0 or -1 with err. */
int shoper_queue_format(const struct shoper_queue_request *req, char *out,
			size_t out_size);
int shoper_queue_parse(const char *data, size_t len,
		       struct shoper_queue_request *req_r,
		       struct shoper_error *err);

/* Writes req durably into dir (which must exist), replacing any earlier
   request for the same order. File mode 0660. */
int shoper_queue_put(const char *dir, const struct shoper_queue_request *req,
		     struct shoper_error *err);

/* 1 when dir holds a new request (.req) that arrived (was written or
   renamed into place) at or after since (NULL: any time), 0 none, -1
   error. A .work left over (e.g. the shop was unreachable) doesn't count:
   it waits for its time, so a daemon polling this doesn't spin. */
int shoper_queue_pending(const char *dir, const struct timespec *since,
			 struct shoper_error *err);

/* Claims the next request: a .req renamed to .work, else a .work left by
   a crash, else (keep_dir not NULL) a kept request whose time for the
   next try has come. Returns 1 with req_r and the path of the claimed
   file in work_r, 0 when there is nothing to do, -1 error. A request file
   that can't be read (a symlink, not a regular file, too big,
   unreadable) or parsed is renamed to NAME.bad (kept for the admin) and
   err tells why; the call then returns -2 and the caller goes on with the
   next one. */
int shoper_queue_claim(const char *dir, const char *keep_dir,
		       struct shoper_queue_request *req_r, char *work_r,
		       size_t work_size, struct shoper_error *err);
/* Sets a claimed request aside until not_before: writes req (tries > 0,
   owner_uid) to keep_dir (created 0700 when missing) under the claimed
   file's name, with not_before as modification time (claim skips it until
   then), and removes the claimed file when it was elsewhere. */
int shoper_queue_defer(const char *keep_dir, const char *work,
		       const struct shoper_queue_request *req,
		       time_t not_before, struct shoper_error *err);
/* Removes a claimed request (work: the path claim gave) after it was
   carried out. */
int shoper_queue_done(const char *work, struct shoper_error *err);

/* ---- the status list ---- */

struct shoper_status_entry {
	char shop[128];
	char id[32];
	char name[256];
	bool active;
};

struct shoper_status_list {
	unsigned int count;
	unsigned int alloc; /* entries allocated; start from a zeroed list */
	struct shoper_status_entry *items;
};

/* Appends one entry (strings are copied, cut to size). 0 or -1. */
int shoper_status_list_add(struct shoper_status_list *list, const char *shop,
			   const char *id, const char *name, bool active);
/* Writes the list atomically (tmp, fsync, rename), mode 0640, group of
   the directory. A list longer than SHOPER_STATUS_LIST_MAX_FILE is
   refused (the old file stays), as no reader would take it. */
int shoper_status_list_write(const char *path,
			     const struct shoper_status_list *list,
			     struct shoper_error *err);
/* Reads a list; a missing file is an error (errno ENOENT kept). */
int shoper_status_list_read(const char *path, struct shoper_status_list *list_r,
			    struct shoper_error *err);
/* The entry of shop + id, or NULL. */
const struct shoper_status_entry *shoper_status_list_find(
	const struct shoper_status_list *list, const char *shop,
	const char *id);
void shoper_status_list_free(struct shoper_status_list *list);

/* Path of the status list and of the queue for an index path:
   "<index>.statuses" and "<dir of index>/queue". */
int shoper_status_list_path(const char *index_path, char *out, size_t out_size);
int shoper_queue_dir(const char *index_path, char *out, size_t out_size);

/* The percent-escaping of the queue and status-list formats, also used by
   the IMAP module's folder state. Appends s escaped (bytes <= 0x20, 0x7f,
   '%', '=') to out at *pos; -1 when it doesn't fit (3 * strlen(s) + 1
   always does). */
int shoper_qesc(char *out, size_t size, size_t *pos, const char *s);
/* Unescapes src[0..len) into out (NUL-terminated). -1 on a bad escape,
   a NUL byte or when it doesn't fit (len + 1 always does). */
int shoper_qunesc(const char *src, size_t len, char *out, size_t size);

#endif
