#ifndef SHOPER_STATUS_REQUEST_H
#define SHOPER_STATUS_REQUEST_H

/* A status request written in two steps around the commit of the COPY or
   MOVE that asks for it: a queue that can't take the request fails the
   command (the client sees NO and the message stays where it was),
   rather than a moved message whose request is lost. The file is the
   queue's (shoper-queue.h); only its UID is known after the commit. */

struct shoper_queue_request;

struct shoper_request_file {
	int fd;
	const char *dir, *tmp_path, *path;
};

/* Before the commit: writes req under a temporary name in dir, with the
   largest UIDs so the final text needs no more space. 0, or -1 with
   error_r (nothing left behind). Strings are from the data stack. */
int shoper_request_file_create(const char *dir,
			       const struct shoper_queue_request *req,
			       struct shoper_request_file *file_r,
			       const char **error_r);
/* After the commit: rewrites the file with req (now with its UID), syncs
   it and renames it over the order's request. 0, or -1 with error_r. */
int shoper_request_file_finish(struct shoper_request_file *file,
			       const struct shoper_queue_request *req,
			       const char **error_r);
/* The commit failed: removes the temporary file (nothing when create
   failed or wasn't called on a zeroed file). */
void shoper_request_file_abort(struct shoper_request_file *file);

#endif
