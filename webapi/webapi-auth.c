/* The credentials: the token and where it is kept, the password. An admin token lives 30
   days and there is no refresh call, so it is cached in token_file (0600,
   replaced atomically) and reused by later runs until less than a day is
   left or the shop refuses it. Password and token never reach a message. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "webapi-private.h"

#define TOKEN_FILE_MAX 8192

void webapi_secret_free(char **secret)
{
	if (*secret == NULL)
		return;
	explicit_bzero(*secret, strlen(*secret));
	free(*secret);
	*secret = NULL;
}

void webapi_token_clear(struct webapi_token *tok)
{
	webapi_secret_free(&tok->token);
	tok->issued = tok->expires = 0;
}

bool webapi_token_fresh(const struct webapi_token *tok, time_t now)
{
	time_t margin = WEBAPI_TOKEN_RENEW_SECS;

	if (tok->token == NULL || tok->expires <= tok->issued)
		return false;
	/* short-lived tokens (tests, OAuth-like shops): renew at 3/4 */
	if ((tok->expires - tok->issued) / 4 < margin)
		margin = (tok->expires - tok->issued) / 4;
	return now < tok->expires - margin && now >= tok->issued - 300;
}

bool webapi_token_chars_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	}
	return true;
}

static void token_parse(char *buf, const char *url, const char *login,
			struct webapi_token *tok)
{
	bool url_ok = false, login_ok = false;
	char *line, *next, *eq, *token = NULL;
	long long issued = 0, expires = 0;

	for (line = buf; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (line[0] == '#' || eq == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(line, "url") == 0)
			url_ok = strcmp(eq, url) == 0;
		else if (strcmp(line, "login") == 0)
			login_ok = strcmp(eq, login) == 0;
		else if (strcmp(line, "issued") == 0)
			issued = strtoll(eq, NULL, 10);
		else if (strcmp(line, "expires") == 0)
			expires = strtoll(eq, NULL, 10);
		else if (strcmp(line, "token") == 0)
			token = eq;
	}
	if (!url_ok || !login_ok || token == NULL ||
	    !webapi_token_chars_ok(token) || expires <= issued)
		return;
	tok->token = strdup(token);
	tok->issued = (time_t)issued;
	tok->expires = (time_t)expires;
}

bool webapi_token_load(const char *path, const char *url, const char *login,
		       struct webapi_token *tok)
{
	char buf[TOKEN_FILE_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd;

	webapi_token_clear(tok);
	if (path == NULL)
		return false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	/* a token others could read may have leaked: don't use it */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
		close(fd);
		return false;
	}
	n = read(fd, buf, TOKEN_FILE_MAX);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	token_parse(buf, url, login, tok);
	explicit_bzero(buf, sizeof(buf));
	return tok->token != NULL;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int webapi_token_save(const char *path, const char *url, const char *login,
		      const struct webapi_token *tok, struct shoper_error *err)
{
	char tmp[4096], buf[TOKEN_FILE_MAX];
	int fd, len, ret = 0;

	if (path == NULL)
		return 0;
	len = snprintf(buf, sizeof(buf),
		       "# shoper-sync webapi token cache (secret)\n"
		       "url=%s\nlogin=%s\nissued=%lld\nexpires=%lld\n"
		       "token=%s\n",
		       url, login, (long long)tok->issued,
		       (long long)tok->expires, tok->token);
	if (len < 0 || (size_t)len >= sizeof(buf) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
		    (int)sizeof(tmp)) {
		explicit_bzero(buf, sizeof(buf));
		shoper_error_set(err, "token_file %s: path or token too long",
				 path);
		return -1;
	}
	/* mkstemp creates 0600; fchmod in case of an odd umask handling */
	fd = mkstemp(tmp);
	if (fd < 0) {
		explicit_bzero(buf, sizeof(buf));
		shoper_error_set(err,
				 "cannot create %s: %m (the state directory "
				 "must be writable by shoper-sync)",
				 tmp);
		return -1;
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, buf, len) < 0 ||
	    fsync(fd) < 0) {
		shoper_error_set(err, "cannot write %s: %m", tmp);
		ret = -1;
	}
	explicit_bzero(buf, sizeof(buf));
	if (close(fd) < 0 && ret == 0) {
		shoper_error_set(err, "cannot write %s: %m", tmp);
		ret = -1;
	}
	if (ret == 0 && rename(tmp, path) < 0) {
		shoper_error_set(err, "cannot rename %s to %s: %m", tmp, path);
		ret = -1;
	}
	if (ret < 0)
		(void)unlink(tmp);
	return ret;
}

char *webapi_basic_auth_header(const char *login, const char *password)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char prefix[] = "Authorization: Basic ";
	size_t llen = strlen(login), plen = strlen(password);
	size_t n = llen + 1 + plen, i, o;
	unsigned char *raw;
	char *out;

	raw = malloc(n);
	out = malloc(sizeof(prefix) + (n + 2) / 3 * 4);
	if (raw == NULL || out == NULL) {
		free(raw);
		free(out);
		return NULL;
	}
	memcpy(raw, login, llen);
	raw[llen] = ':';
	memcpy(raw + llen + 1, password, plen);
	memcpy(out, prefix, sizeof(prefix) - 1);
	o = sizeof(prefix) - 1;
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)raw[i + 1] << 8;
		if (i + 2 < n)
			v |= raw[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	explicit_bzero(raw, n);
	free(raw);
	return out;
}
