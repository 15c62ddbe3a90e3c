/* A shop's webhook registration on disk and the check of a signature. */
#include "webhook-file.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const sync_webhook_events[SYNC_WEBHOOK_N_EVENTS] = {
	"order.create", "order.edit",    "order.paid",      "order.status",
	"order.delete", "parcel.create", "parcel.dispatch", "parcel.delete",
};

void sync_webhook_path(const struct shoper_sync_config *cfg, const char *shop,
		       char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.webhook", cfg->state_dir, shop);
}

static void take(const char *line, const char *key, char *dst, size_t size)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0 || line[n] != '=')
		return;
	snprintf(dst, size, "%s", line + n + 1);
	dst[strcspn(dst, "\r\n")] = '\0';
}

int sync_webhook_load(const struct shoper_sync_config *cfg, const char *shop,
		      struct sync_webhook *w, time_t *mtime_r,
		      struct shoper_error *err)
{
	char path[4096], line[1200];
	struct stat st;

	memset(w, 0, sizeof(*w));
	sync_webhook_path(cfg, shop, path, sizeof(path));
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		shoper_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (mtime_r != NULL)
		*mtime_r = fstat(fileno(f), &st) == 0 ? st.st_mtime : 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		take(line, "id", w->id, sizeof(w->id));
		take(line, "url", w->url, sizeof(w->url));
		take(line, "secret", w->secret, sizeof(w->secret));
	}
	fclose(f);
	if (w->id[0] == '\0' || strlen(w->secret) < 16) {
		shoper_error_set(
			err,
			"%s: no id or secret; run shoper-sync webhooks "
			"install --shop %s --url URL again",
			path, shop);
		return -1;
	}
	return 1;
}

int sync_webhook_save(const struct shoper_sync_config *cfg, const char *shop,
		      const struct sync_webhook *w, struct shoper_error *err)
{
	char path[4096], data[1400];

	sync_webhook_path(cfg, shop, path, sizeof(path));
	int n = snprintf(data, sizeof(data), "id=%s\nurl=%s\nsecret=%s\n",
			 w->id, w->url, w->secret);
	return shoper_file_replace_data(path, data, (size_t)n, 0600, 0, err);
}

int sync_webhook_delete(const struct shoper_sync_config *cfg, const char *shop,
			struct shoper_error *err)
{
	char path[4096];

	sync_webhook_path(cfg, shop, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT) {
		shoper_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int sync_webhook_new_secret(char secret[65], struct shoper_error *err)
{
	unsigned char raw[32];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		shoper_error_set(err, "getrandom: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(secret + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

bool sync_webhook_signature_ok(const char *id, const char *secret,
			       const void *body, size_t body_len,
			       const char *sig)
{
	unsigned char digest[20];
	char hex[41];
	size_t id_len = strlen(id), sec_len = strlen(secret);
	size_t len = id_len + 1 + sec_len + 1 + body_len;
	unsigned char diff = 0;

	if (sig == NULL || strlen(sig) != 40)
		return false;
	char *msg = malloc(len + 1);
	if (msg == NULL)
		return false;
	memcpy(msg, id, id_len);
	msg[id_len] = ':';
	memcpy(msg + id_len + 1, secret, sec_len);
	msg[id_len + 1 + sec_len] = ':';
	memcpy(msg + id_len + sec_len + 2, body, body_len);
	int ret = gnutls_hash_fast(GNUTLS_DIG_SHA1, msg, len, digest);
	explicit_bzero(msg, len);
	free(msg);
	if (ret < 0)
		return false;
	for (size_t i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	/* constant time: every byte compared whatever the first mismatch */
	for (size_t i = 0; i < 40; i++) {
		unsigned char c = (unsigned char)sig[i];
		if (c >= 'A' && c <= 'F')
			c = (unsigned char)(c - 'A' + 'a');
		diff |= (unsigned char)(c ^ (unsigned char)hex[i]);
	}
	return diff == 0;
}
