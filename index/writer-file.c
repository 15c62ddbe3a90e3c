/* Publishing the index file: a crash at any point leaves either the old
   file or the complete new one at path, never a partial file. */
#define _GNU_SOURCE /* qsort_r, asprintf, mkostemp */
#include "writer-private.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHOPER_INDEX_FILE_MODE 0640

/* Mode 0640 and the group of the directory (as a setgid directory would
   give), so that only the mail processes' group can read the orders. */
static int set_owner_mode(int fd, const char *dir, const char *tmp,
			  struct shoper_error *err)
{
	struct stat dst, fst;

	if (stat(dir, &dst) < 0 || fstat(fd, &fst) < 0) {
		shoper_error_set(err, "stat %s: %s", dir, strerror(errno));
		return -1;
	}
	if (fst.st_gid != dst.st_gid && fchown(fd, (uid_t)-1, dst.st_gid) < 0) {
		shoper_error_set(err, "chgrp %s to the group of %s (%u): %s",
				 tmp, dir, (unsigned int)dst.st_gid,
				 strerror(errno));
		return -1;
	}
	if (fchmod(fd, SHOPER_INDEX_FILE_MODE) < 0) {
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

int shoper_index_writer_publish(struct shoper_index_writer *w, const char *path,
				struct shoper_error *err)
{
	char *tmp = NULL, *dcopy = NULL, *dir;
	int fd = -1, ret = -1;

	/* the duplicate-order table is not needed for writing: free its
	   memory for the peak (a later add rebuilds it) */
	free(w->oslots);
	w->oslots = NULL;
	w->n_oslots = 0;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
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
	if (set_owner_mode(fd, dir, tmp, err) < 0 ||
	    shoper_index_writer_write_fd(w, fd, tmp, err) < 0)
		goto out_unlink;
	if (fsync(fd) < 0) {
		shoper_error_set(err, "fsync %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	if (close(fd) < 0) {
		fd = -1;
		shoper_error_set(err, "close %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	fd = -1;
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
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dcopy);
	return ret;
}
