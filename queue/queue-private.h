#ifndef SHOPER_QUEUE_PRIVATE_H
#define SHOPER_QUEUE_PRIVATE_H

/* Internals shared by the queue library's files. */

#include "shoper-queue.h"

#include <stdio.h>
#include <sys/stat.h>

/* Reads a whole regular file of at most max bytes into a malloc'd,
   NUL-terminated buffer; never follows a symlink. On failure errno tells
   why (ELOOP symlink, EINVAL not a regular file, EFBIG too big, else the
   system's). st_r (may be NULL) gets the file's status. */
int shoper_qread_file(const char *path, size_t max, char **data_r,
		      size_t *len_r, struct stat *st_r,
		      struct shoper_error *err);
bool shoper_qdigits(const char *s, size_t max);

#endif
