#ifndef SHOPER_QUEUE_PRIVATE_H
#define SHOPER_QUEUE_PRIVATE_H

/* Internals shared by the queue library's files. */

#include "shoper-queue.h"

#include <stdio.h>
#include <sys/stat.h>

/* Appends s percent-escaped (bytes <= 0x20, 0x7f, '%', '=') to out at *pos.
   -1 when it doesn't fit. */
int shoper_qesc(char *out, size_t size, size_t *pos, const char *s);
/* Unescapes src[0..len) into out (NUL-terminated). -1 on a bad escape,
   a NUL byte or when it doesn't fit. */
int shoper_qunesc(const char *src, size_t len, char *out, size_t size);
/* Reads a whole regular file of at most max bytes into a malloc'd,
   NUL-terminated buffer; never follows a symlink. On failure errno tells
   why (ELOOP symlink, EINVAL not a regular file, EFBIG too big, else the
   system's). st_r (may be NULL) gets the file's status. */
int shoper_qread_file(const char *path, size_t max, char **data_r,
		      size_t *len_r, struct stat *st_r,
		      struct shoper_error *err);
bool shoper_qdigits(const char *s, size_t max);

#endif
