/* Replacing a file atomically: a temporary file in the same directory,
   filled, fsynced, renamed over the path, the directory fsynced. A crash
   at any point leaves either the old file or the complete new one at
   path, never a partial file (at worst a stale temporary file, which
   shoper_file_clean_tmp removes). The one writer of the index, the status
   list, the queue's requests and the generated filters. */
#define _GNU_SOURCE /* mkostemp */
#include "shoper-lib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_INFIX ".tmp."

/* The mode whatever the umask, and the group of the directory (as a
   setgid directory would give) when flags ask for it. */
static int set_owner_mode(int fd, const char *dir, const char *tmp,
			  unsigned int mode, unsigned int flags,
			  struct shoper_error *err)
{
	struct stat dst, fst;
	bool group = (flags &
		      (SHOPER_FILE_GROUP_OF_DIR | SHOPER_FILE_GROUP_TRY)) != 0;

	if (group && (stat(dir, &dst) < 0 || fstat(fd, &fst) < 0)) {
		shoper_error_set(err, "stat %s: %s", dir, strerror(errno));
		return -1;
	}
	/* only root or a member of the group may give it */
	if (group && fst.st_gid != dst.st_gid &&
	    fchown(fd, (uid_t)-1, dst.st_gid) < 0 &&
	    (flags & SHOPER_FILE_GROUP_OF_DIR) != 0) {
		shoper_error_set(err, "chgrp %s to the group of %s (%u): %s",
				 tmp, dir, (unsigned int)dst.st_gid,
				 strerror(errno));
		return -1;
	}
	if (fchmod(fd, (mode_t)mode) < 0) {
		shoper_error_set(err, "chmod %s: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

static int fsync_dir(const char *dir, struct shoper_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0) {
		shoper_error_set(err, "fsync %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Fills, fsyncs and closes fd (closed in any case). */
static int fill_and_close(int fd, const char *dir, const char *tmp,
			  unsigned int mode, unsigned int flags,
			  shoper_file_fill_cb *fill, void *ctx,
			  struct shoper_error *err)
{
	if (set_owner_mode(fd, dir, tmp, mode, flags, err) < 0 ||
	    fill(ctx, fd, tmp, err) < 0) {
		close(fd);
		return -1;
	}
	if (fsync(fd) < 0) {
		shoper_error_set(err, "fsync %s: %s", tmp, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		shoper_error_set(err, "close %s: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

int shoper_file_replace(const char *path, unsigned int mode, unsigned int flags,
			shoper_file_fill_cb *fill, void *ctx,
			struct shoper_error *err)
{
	char *tmp = NULL, *dcopy = NULL, *dir;
	int fd, ret = -1;

	if (asprintf(&tmp, "%s" TMP_INFIX "XXXXXX", path) < 0) {
		tmp = NULL;
		shoper_error_set(err, "out of memory");
		goto out;
	}
	dcopy = strdup(path);
	if (dcopy == NULL) {
		shoper_error_set(err, "out of memory");
		goto out;
	}
	dir = dirname(dcopy);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		shoper_error_set(err, "create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fill_and_close(fd, dir, tmp, mode, flags, fill, ctx, err) < 0)
		goto out_unlink;
	if (rename(tmp, path) < 0) {
		shoper_error_set(err, "rename %s to %s: %s", tmp, path,
				 strerror(errno));
		goto out_unlink;
	}
	/* the rename is durable only once the directory is synced */
	ret = fsync_dir(dir, err);
	goto out;
out_unlink:
	(void)unlink(tmp);
out:
	free(tmp);
	free(dcopy);
	return ret;
}

struct data_ctx {
	const unsigned char *data;
	size_t len;
};

static int fill_data(void *_ctx, int fd, const char *tmp,
		     struct shoper_error *err)
{
	const struct data_ctx *ctx = _ctx;
	size_t done = 0;

	while (done < ctx->len) {
		ssize_t n = write(fd, ctx->data + done, ctx->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			shoper_error_set(err, "write %s: %s", tmp,
					 n == 0 ? "no space written"
						: strerror(errno));
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int shoper_file_replace_data(const char *path, const void *data, size_t len,
			     unsigned int mode, unsigned int flags,
			     struct shoper_error *err)
{
	struct data_ctx ctx = {data, len};

	return shoper_file_replace(path, mode, flags, fill_data, &ctx, err);
}

/* name is "<base>.tmp.<suffix>" (base NULL: any base), suffix of
   letters, digits and dots as mkostemp (and older versions) made it. */
static bool is_tmp_name(const char *name, const char *base)
{
	const char *suffix;

	if (base != NULL) {
		size_t n = strlen(base);
		if (strncmp(name, base, n) != 0 ||
		    strncmp(name + n, TMP_INFIX, strlen(TMP_INFIX)) != 0)
			return false;
		suffix = name + n + strlen(TMP_INFIX);
	} else {
		const char *p = strstr(name, TMP_INFIX), *q;
		if (p == NULL || p == name)
			return false;
		while ((q = strstr(p + 1, TMP_INFIX)) != NULL)
			p = q;
		suffix = p + strlen(TMP_INFIX);
	}
	if (*suffix == '\0')
		return false;
	for (; *suffix != '\0'; suffix++) {
		char c = *suffix;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.'))
			return false;
	}
	return true;
}

int shoper_file_clean_tmp(const char *dir, const char *base,
			  unsigned int min_age, struct shoper_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	int removed = 0;

	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		shoper_error_set(err, "open %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_tmp_name(de->d_name, base))
			continue;
		/* a regular file only, not followed through a link */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (min_age > 0 && now - st.st_mtime < (time_t)min_age)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
		else if (errno != ENOENT) {
			shoper_error_set(err, "remove %s/%s: %s", dir,
					 de->d_name, strerror(errno));
			removed = -1;
			break;
		}
	}
	closedir(d);
	return removed;
}
