/* Status-change requests: file format, durable put, claim by the helper. */
#include "queue-private.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
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
	char num[3][24];
	size_t pos = 0;

	snprintf(num[0], sizeof(num[0]), "%" PRIu32, req->uid);
	snprintf(num[1], sizeof(num[1]), "%" PRIu32, req->uidvalidity);
	snprintf(num[2], sizeof(num[2]), "%" PRId64, req->time);
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

int shoper_queue_pending(const char *dir, struct shoper_error *err)
{
	DIR *d = open_dir(dir, err);
	struct dirent *de;
	int found = 0;

	if (d == NULL)
		return -1;
	while (found == 0 && (de = readdir(d)) != NULL)
		found = has_suffix(de->d_name, REQ_SUFFIX);
	closedir(d);
	return found;
}

/* Finds a request to claim: a .work left over (whose .req is not newer)
   first, else any .req. Returns 1 with the name in name_r. */
static int find_next(const char *dir, char *name_r, size_t size,
		     struct shoper_error *err)
{
	DIR *d = open_dir(dir, err);
	struct dirent *de;
	int found = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (has_suffix(de->d_name, WORK_SUFFIX) &&
		    strlen(de->d_name) < size) {
			strcpy(name_r, de->d_name);
			found = 1;
			break;
		}
		if (found == 0 && has_suffix(de->d_name, REQ_SUFFIX) &&
		    strlen(de->d_name) + 6 < size) {
			strcpy(name_r, de->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

int shoper_queue_claim(const char *dir, struct shoper_queue_request *req_r,
		       char *work_r, size_t work_size, struct shoper_error *err)
{
	char name[512], from[4400], to[4400];
	char *data;
	size_t len;

	int ret = find_next(dir, name, sizeof(name), err);
	if (ret <= 0)
		return ret;
	if (has_suffix(name, REQ_SUFFIX)) {
		size_t base = strlen(name) - strlen(REQ_SUFFIX);
		snprintf(from, sizeof(from), "%s/%s", dir, name);
		snprintf(name + base, sizeof(name) - base, WORK_SUFFIX);
		snprintf(to, sizeof(to), "%s/%s", dir, name);
		if (rename(from, to) < 0) {
			shoper_error_set(err, "claim %s: %s", from,
					 strerror(errno));
			return -1;
		}
	}
	snprintf(to, sizeof(to), "%s/%s", dir, name);
	if (strlen(name) >= work_size) {
		shoper_error_set(err, "work name too long");
		return -1;
	}
	strcpy(work_r, name);
	if (shoper_qread_file(to, &data, &len, err) < 0)
		return -1;
	ret = shoper_queue_parse(data, len, req_r, err);
	free(data);
	if (ret < 0) {
		char bad[4410];
		snprintf(bad, sizeof(bad), "%s.bad", to);
		(void)rename(to, bad);
		return -2;
	}
	return 1;
}

int shoper_queue_done(const char *dir, const char *work,
		      struct shoper_error *err)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s", dir, work);
	if (unlink(path) < 0 && errno != ENOENT) {
		shoper_error_set(err, "remove %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
