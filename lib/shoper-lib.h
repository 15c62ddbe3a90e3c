#ifndef SHOPER_LIB_H
#define SHOPER_LIB_H

/* The ground floor: what every part uses (the index, the queue, the
   webapi client, shoper-sync and the plugin). Plain C11, no Dovecot
   headers. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Errors are returned in this buffer, never printed. */
struct shoper_error {
	char msg[512];
};
/* Formats the message into err (truncated to fit); err may be NULL.
   The one setter of every part. */
void shoper_error_set(struct shoper_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Strict UTF-8 (RFC 3629): the character at p[0..len), len > 0. Returns
   its length, or 0 when it is invalid (overlong, a surrogate, above
   U+10FFFF, cut short). Shop values are cleaned with it by the plugin
   (headers) and by shoper-sync (filters), which must agree. */
size_t shoper_utf8_decode(const unsigned char *p, size_t len, uint32_t *cp_r);
/* Controls, white space, line/paragraph separators and the BOM: what the
   cleaning turns into one space. */
bool shoper_utf8_is_space_or_control(uint32_t cp);

/* ---- replacing a file atomically (lib/file-replace.c): the index, the
   status list, the queue's requests and the generated filters ---- */

/* Give the new file the group of its directory: required (failing is an
   error) or best effort (only root or a member of the group can). */
#define SHOPER_FILE_GROUP_OF_DIR 0x01
#define SHOPER_FILE_GROUP_TRY 0x02

/* Fills the new file: fd is empty, at offset 0; tmp names it for
   messages. Returns 0, or -1 with err. */
typedef int shoper_file_fill_cb(void *ctx, int fd, const char *tmp,
				struct shoper_error *err);
/* Writes "<path>.tmp.XXXXXX" in path's directory (mode whatever the
   umask, group per flags), fills it, fsyncs, renames it over path and
   fsyncs the directory: readers see the old file or the new one. On
   failure path is untouched, the temporary file removed and err says
   why. Returns 0 or -1. */
int shoper_file_replace(const char *path, unsigned int mode, unsigned int flags,
			shoper_file_fill_cb *fill, void *ctx,
			struct shoper_error *err);
/* shoper_file_replace with data[0..len) as the content. */
int shoper_file_replace_data(const char *path, const void *data, size_t len,
			     unsigned int mode, unsigned int flags,
			     struct shoper_error *err);
/* Removes the temporary files a crash inside shoper_file_replace left in
   dir: regular files "<base>.tmp.*" (base NULL: of any file) last
   modified at least min_age seconds ago; min_age 0 removes them all, for
   a caller that knows nobody else is replacing base right now. Returns
   the number removed (a missing dir: 0), or -1 with err. */
int shoper_file_clean_tmp(const char *dir, const char *base,
			  unsigned int min_age, struct shoper_error *err);
/* min_age for a directory whose writers hold no lock (the IMAP processes'
   queue requests, `shoper-sync filters`): such a temporary file is
   written in milliseconds, so one this old was abandoned. */
#define SHOPER_STALE_TMP_SECS 3600

/* Writes s[0..len) to f with the bytes that could move a terminal's
   cursor replaced (shop data is hostile). */
void shoper_print_clean(FILE *f, const char *s, size_t len);

#endif
