/* Status-change requests: file format, durable put, claim by the helper. */
#include "queue-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REQ_SUFFIX ".req"
#define WORK_SUFFIX ".work"

int shoper_queue_name(const char *shop, const char *order_id, char *out,
		      size_t out_size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(shop), o = 0;

	/* hex keeps any shop name a safe, unique file name */
	if (n == 0 || !shoper_qdigits(order_id, 20) ||
	    n * 2 + strlen(order_id) + 2 + sizeof(REQ_SUFFIX) > out_size)
		return -1;
	for (size_t i = 0; i < n; i++) {
		out[o++] = hex[(unsigned char)shop[i] >> 4];
		out[o++] = hex[(unsigned char)shop[i] & 15];
	}
	snprintf(out + o, out_size - o, ".%s" REQ_SUFFIX, order_id);
	return 0;
}

static int add_field(char *out, size_t size, size_t *pos, const char *key,
		     const char *value)
{
	size_t klen = strlen(key);

	if (*pos + klen + 2 >= size)
		return -1;
	memcpy(out + *pos, key, klen);
	*pos += klen;
	out[(*pos)++] = '=';
	if (shoper_qesc(out, size, pos, value) < 0 || *pos + 2 >= size)
		return -1;
	out[(*pos)++] = '\n';
	out[*pos] = '\0';
	return 0;
}

int shoper_queue_format(const struct shoper_queue_request *req, char *out,
			size_t out_size)
{
	char num[5][24];
	size_t pos = 0;

	snprintf(num[0], sizeof(num[0]), "%" PRIu32, req->uid);
	snprintf(num[1], sizeof(num[1]), "%" PRIu32, req->uidvalidity);
	snprintf(num[2], sizeof(num[2]), "%" PRId64, req->time);
	snprintf(num[3], sizeof(num[3]), "%u", req->tries);
	snprintf(num[4], sizeof(num[4]), "%" PRId64, req->owner_uid);
	if (out_size < sizeof(SHOPER_QUEUE_FORMAT) + 1)
		return -1;
	pos = (size_t)snprintf(out, out_size, "%s\n", SHOPER_QUEUE_FORMAT);
	if (add_field(out, out_size, &pos, "user", req->user) < 0 ||
	    add_field(out, out_size, &pos, "shop", req->shop) < 0 ||
	    add_field(out, out_size, &pos, "order_id", req->order_id) < 0 ||
	    add_field(out, out_size, &pos, "status_id", req->status_id) < 0 ||
	    add_field(out, out_size, &pos, "status_name", req->status_name) <
		    0 ||
	    add_field(out, out_size, &pos, "mailbox", req->mailbox) < 0 ||
	    add_field(out, out_size, &pos, "uid", num[0]) < 0 ||
	    add_field(out, out_size, &pos, "uidvalidity", num[1]) < 0 ||
	    add_field(out, out_size, &pos, "time", num[2]) < 0)
		return -1;
	/* only a copy kept in shoper-sync's own directory has them */
	if (req->tries > 0 &&
	    (add_field(out, out_size, &pos, "tries", num[3]) < 0 ||
	     add_field(out, out_size, &pos, "owner", num[4]) < 0))
		return -1;
	return (int)pos;
}

static int parse_field(struct shoper_queue_request *req, const char *key,
		       size_t klen, const char *val, size_t vlen)
{
	char num[32];
	char *end;

#define STRF(name)                                                             \
	if (klen == strlen(#name) && memcmp(key, #name, klen) == 0)            \
	return shoper_qunesc(val, vlen, req->name, sizeof(req->name))
	STRF(user);
	STRF(shop);
	STRF(order_id);
	STRF(status_id);
	STRF(status_name);
	STRF(mailbox);
#undef STRF
	if (shoper_qunesc(val, vlen, num, sizeof(num)) < 0 ||
	    (num[0] != '-' && !shoper_qdigits(num, 20)))
		return -1;
	errno = 0;
	long long v = strtoll(num, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	if (klen == 3 && memcmp(key, "uid", 3) == 0 && v >= 0 &&
	    v <= UINT32_MAX)
		req->uid = (uint32_t)v;
	else if (klen == 11 && memcmp(key, "uidvalidity", 11) == 0 && v >= 0 &&
		 v <= UINT32_MAX)
		req->uidvalidity = (uint32_t)v;
	else if (klen == 4 && memcmp(key, "time", 4) == 0)
		req->time = v;
	else if (klen == 5 && memcmp(key, "tries", 5) == 0 && v >= 0 &&
		 v <= 1000000)
		req->tries = (unsigned int)v;
	else if (klen == 5 && memcmp(key, "owner", 5) == 0 && v >= -1 &&
		 v <= UINT32_MAX)
		req->owner_uid = v;
	else
		return -1;
	return 0;
}

int shoper_queue_parse(const char *data, size_t len,
		       struct shoper_queue_request *req_r,
		       struct shoper_error *err)
{
	const char *p = data, *end = data + len;
	size_t flen = strlen(SHOPER_QUEUE_FORMAT);

	memset(req_r, 0, sizeof(*req_r));
	req_r->owner_uid = -1; /* unknown: neither root nor shoper-sync */
	if (len < flen + 1 || memcmp(p, SHOPER_QUEUE_FORMAT, flen) != 0 ||
	    p[flen] != '\n') {
		shoper_error_set(err, "not a request (first line must be '%s')",
				 SHOPER_QUEUE_FORMAT);
		return -1;
	}
	for (p += flen + 1; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (nl == NULL || eq == NULL || eq > nl ||
		    parse_field(req_r, p, (size_t)(eq - p), eq + 1,
				(size_t)(nl - eq - 1)) < 0) {
			shoper_error_set(err, "bad line %.*s",
					 (int)(nl == NULL ? 40 : nl - p), p);
			return -1;
		}
		p = nl + 1;
	}
	if (req_r->shop[0] == '\0' || !shoper_qdigits(req_r->order_id, 20) ||
	    !shoper_qdigits(req_r->status_id, 20)) {
		shoper_error_set(err,
				 "request needs shop, order_id and status_id");
		return -1;
	}
	return 0;
}

int shoper_queue_put(const char *dir, const struct shoper_queue_request *req,
		     struct shoper_error *err)
{
	char name[400], path[4400];
	static char buf[SHOPER_QUEUE_MAX_FILE];
	int len;

	if (shoper_queue_name(req->shop, req->order_id, name, sizeof(name)) <
		    0 ||
	    !shoper_qdigits(req->status_id, 20)) {
		shoper_error_set(err, "bad shop, order id or status id");
		return -1;
	}
	len = shoper_queue_format(req, buf, sizeof(buf));
	if (len < 0 || (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
					name) >= sizeof(path)) {
		shoper_error_set(err, "request too long");
		return -1;
	}
	return shoper_file_replace_data(path, buf, (size_t)len, 0660, 0, err);
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);
	return n > s && strcmp(name + n - s, suffix) == 0;
}

static DIR *open_dir(const char *dir, struct shoper_error *err)
{
	DIR *d = opendir(dir);

	if (d == NULL)
		shoper_error_set(err, "open %s: %s", dir, strerror(errno));
	return d;
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int shoper_queue_pending(const char *dir, const struct timespec *since,
			 struct shoper_error *err)
{
	DIR *d = open_dir(dir, err);
	struct dirent *de;
	struct stat st;
	int found = 0;

	if (d == NULL)
		return -1;
	while (found == 0 && (de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, REQ_SUFFIX))
			continue;
		/* a request that was there when the last run began and is
		   still there could not be claimed: no reason to run again
		   at once (the rename into place sets ctime) */
		if (since == NULL)
			found = 1;
		else if (fstatat(dirfd(d), de->d_name, &st,
				 AT_SYMLINK_NOFOLLOW) == 0)
			found = !ts_before(&st.st_mtim, since) ||
				!ts_before(&st.st_ctim, since);
	}
	closedir(d);
	return found;
}

/* Finds a request to claim: any .req first (a newer request for an order
   replaces its .work when claimed), else a .work whose time has come (a
   .work set aside has its next try as modification time). Returns 1 with
   the name in name_r; a missing dir is empty when may_miss. */
static int find_next(const char *dir, bool may_miss, char *name_r, size_t size,
		     struct shoper_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	int found = 0;

	if (d == NULL) {
		if (may_miss && errno == ENOENT)
			return 0;
		shoper_error_set(err, "open %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (has_suffix(de->d_name, REQ_SUFFIX) &&
		    strlen(de->d_name) + 6 < size) {
			strcpy(name_r, de->d_name);
			found = 1;
			break;
		}
		if (found == 0 && has_suffix(de->d_name, WORK_SUFFIX) &&
		    strlen(de->d_name) < size &&
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
			    0 &&
		    st.st_mtime <= now) {
			strcpy(name_r, de->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

/* Renames dir/name to dir/name.bad for the admin; -2, or -1 when even that
   fails (then the run stops rather than taking the same file again). */
static int set_bad(const char *dir, const char *name, struct shoper_error *err)
{
	char from[4400], to[4410], msg[sizeof(err->msg)];

	snprintf(from, sizeof(from), "%s/%s", dir, name);
	snprintf(to, sizeof(to), "%s.bad", from);
	if (rename(from, to) < 0 && errno != ENOENT) {
		int e = errno;
		snprintf(msg, sizeof(msg), "%s", err != NULL ? err->msg : "");
		shoper_error_set(err, "%s; setting it aside as .bad: %s", msg,
				 strerror(e));
		return -1;
	}
	return -2;
}

/* Reads and parses dir/name; -2 (set aside as .bad) when it can't be.
   Owner and tries count only in a kept copy (shoper-sync wrote them);
   in the shared queue the owner is the file's. */
static int read_request(const char *dir, const char *name, bool kept,
			struct shoper_queue_request *req_r,
			struct shoper_error *err)
{
	char path[4400];
	struct stat st;
	char *data;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (shoper_qread_file(path, SHOPER_QUEUE_MAX_FILE, &data, &len, &st,
			      err) < 0) {
		/* a lack of resources passes, a bad file stays bad */
		if (errno == ENOMEM || errno == EMFILE || errno == ENFILE ||
		    errno == EINTR || errno == EIO)
			return -1;
		return set_bad(dir, name, err);
	}
	int ret = shoper_queue_parse(data, len, req_r, err);
	free(data);
	if (ret < 0) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err != NULL ? err->msg : "");
		shoper_error_set(err, "%s: %s", path, msg);
		return set_bad(dir, name, err);
	}
	req_r->kept = kept;
	if (!kept) {
		req_r->owner_uid = (int64_t)st.st_uid;
		req_r->tries = 0;
	}
	return 1;
}

/* Claims dir/name (a .req becomes .work); its kept copy, older, goes. */
static int claim_shared(const char *dir, const char *keep_dir, char *name,
			size_t size, struct shoper_error *err)
{
	char from[4400], to[4400];

	if (has_suffix(name, REQ_SUFFIX)) {
		size_t base = strlen(name) - strlen(REQ_SUFFIX);
		snprintf(from, sizeof(from), "%s/%s", dir, name);
		snprintf(name + base, size - base, WORK_SUFFIX);
		snprintf(to, sizeof(to), "%s/%s", dir, name);
		if (rename(from, to) < 0) {
			/* e.g. a directory named .req over a non-empty one */
			shoper_error_set(err, "claim %s: %s", from,
					 strerror(errno));
			name[base] = '\0';
			strcat(name, REQ_SUFFIX);
			return set_bad(dir, name, err);
		}
	}
	if (keep_dir != NULL) {
		snprintf(to, sizeof(to), "%s/%s", keep_dir, name);
		if (unlink(to) < 0 && errno != ENOENT) {
			shoper_error_set(err, "remove %s: %s", to,
					 strerror(errno));
			return -1;
		}
	}
	return 1;
}

int shoper_queue_claim(const char *dir, const char *keep_dir,
		       struct shoper_queue_request *req_r, char *work_r,
		       size_t work_size, struct shoper_error *err)
{
	char name[512];
	bool kept = false;

	memset(req_r, 0, sizeof(*req_r));
	int ret = find_next(dir, false, name, sizeof(name), err);
	if (ret == 0 && keep_dir != NULL) {
		ret = find_next(keep_dir, true, name, sizeof(name), err);
		kept = true;
	}
	if (ret <= 0)
		return ret;
	if (!kept &&
	    (ret = claim_shared(dir, keep_dir, name, sizeof(name), err)) < 0)
		return ret;
	const char *from = kept ? keep_dir : dir;
	if ((size_t)snprintf(work_r, work_size, "%s/%s", from, name) >=
	    work_size) {
		shoper_error_set(err, "work name too long");
		return -1;
	}
	return read_request(from, name, kept, req_r, err);
}

int shoper_queue_defer(const char *keep_dir, const char *work,
		       const struct shoper_queue_request *req,
		       time_t not_before, struct shoper_error *err)
{
	static char buf[SHOPER_QUEUE_MAX_FILE];
	const char *base = strrchr(work, '/');
	char path[4400];
	struct timespec times[2];

	base = base != NULL ? base + 1 : work;
	int len = req->tries > 0 ? shoper_queue_format(req, buf, sizeof(buf))
				 : -1;
	if (len < 0 || (size_t)snprintf(path, sizeof(path), "%s/%s", keep_dir,
					base) >= sizeof(path)) {
		shoper_error_set(err, "request too long (or no tries)");
		return -1;
	}
	if (mkdir(keep_dir, 0700) < 0 && errno != EEXIST) {
		shoper_error_set(err, "create %s: %s", keep_dir,
				 strerror(errno));
		return -1;
	}
	if (shoper_file_replace_data(path, buf, (size_t)len, 0600, 0, err) < 0)
		return -1;
	times[0].tv_sec = times[1].tv_sec = not_before;
	times[0].tv_nsec = times[1].tv_nsec = 0;
	if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) < 0) {
		shoper_error_set(err, "set the next try of %s: %s", path,
				 strerror(errno));
		return -1;
	}
	/* the copy is safe: the shared .work may go */
	if (strcmp(path, work) != 0)
		return shoper_queue_done(work, err);
	return 0;
}

int shoper_queue_done(const char *work, struct shoper_error *err)
{
	if (unlink(work) < 0 && errno != ENOENT) {
		shoper_error_set(err, "remove %s: %s", work, strerror(errno));
		return -1;
	}
	return 0;
}
