/* Status requests written around the commit (see the header). */

#include "lib.h"
#include "fd-util.h"
#include "write-full.h"
#include "shoper-queue.h"
#include "shoper-status-request.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

static const char *format(const struct shoper_queue_request *req, int *len_r)
{
	/* one at a time, and the data stack would hold one per message of
	   a large COPY */
	static char buf[SHOPER_QUEUE_MAX_FILE];

	*len_r = shoper_queue_format(req, buf, SHOPER_QUEUE_MAX_FILE);
	return buf;
}

int shoper_request_file_create(const char *dir,
			       const struct shoper_queue_request *req,
			       struct shoper_request_file *file_r,
			       const char **error_r)
{
	struct shoper_queue_request full = *req;
	char name[400];
	int len;

	i_zero(file_r);
	file_r->fd = -1;
	if (shoper_queue_name(req->shop, req->order_id, name, sizeof(name)) <
	    0) {
		*error_r = "bad shop or order id";
		return -1;
	}
	full.uid = full.uidvalidity = (uint32_t)-1;
	const char *data = format(&full, &len);
	if (len < 0) {
		*error_r = "request too long";
		return -1;
	}
	file_r->dir = dir;
	file_r->path = t_strdup_printf("%s/%s", dir, name);
	/* the name shoper-sync cleans up when a crash left it */
	char *tmp = t_strdup_noconst(
		t_strdup_printf("%s.tmp.XXXXXX", file_r->path));
	int fd = mkstemp(tmp);
	if (fd < 0) {
		*error_r = t_strdup_printf("create %s: %m", tmp);
		return -1;
	}
	file_r->tmp_path = tmp;
	fd_close_on_exec(fd, TRUE);
	/* closed until the commit: a large COPY must not run out of fds */
	if (fchmod(fd, 0660) < 0 || write_full(fd, data, (size_t)len) < 0) {
		*error_r = t_strdup_printf("write %s: %m", tmp);
		i_close_fd(&fd);
	} else if (close(fd) < 0) {
		*error_r = t_strdup_printf("close %s: %m", tmp);
	} else {
		return 0;
	}
	shoper_request_file_abort(file_r);
	return -1;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = fd < 0 || fsync(fd) < 0 ? -1 : 0;

	if (fd >= 0)
		i_close_fd(&fd);
	return ret;
}

int shoper_request_file_finish(struct shoper_request_file *file,
			       const struct shoper_queue_request *req,
			       const char **error_r)
{
	int len;
	const char *data = format(req, &len);

	file->fd = len < 0 ? -1
			   : open(file->tmp_path,
				  O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	/* shorter than what create wrote: no block to allocate */
	if (file->fd < 0 || pwrite_full(file->fd, data, (size_t)len, 0) < 0 ||
	    ftruncate(file->fd, len) < 0 || fsync(file->fd) < 0) {
		*error_r = len < 0 ? "request too long"
				   : t_strdup_printf("write %s: %m",
						     file->tmp_path);
		shoper_request_file_abort(file);
		return -1;
	}
	int ret = close(file->fd);
	file->fd = -1;
	if (ret < 0 || rename(file->tmp_path, file->path) < 0) {
		*error_r = t_strdup_printf("rename %s: %m", file->tmp_path);
		shoper_request_file_abort(file);
		return -1;
	}
	file->tmp_path = NULL;
	/* the rename is durable only once the directory is synced; the
	   request is in place either way */
	if (fsync_dir(file->dir) < 0)
		i_warning("fsync(%s) failed: %m", file->dir);
	return 0;
}

void shoper_request_file_abort(struct shoper_request_file *file)
{
	/* nothing created (a zeroed file, or finished already) */
	if (file->tmp_path == NULL)
		return;
	if (file->fd >= 0)
		i_close_fd(&file->fd);
	if (unlink(file->tmp_path) < 0 && errno != ENOENT)
		i_error("unlink(%s) failed: %m", file->tmp_path);
	file->tmp_path = NULL;
}
