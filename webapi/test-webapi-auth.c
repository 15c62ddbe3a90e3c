/* Unit tests of the token cache and Basic header (webapi-auth.c). */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "webapi-private.h"
#include "tap.h"

static void test_basic(void)
{
	char *h = webapi_basic_auth_header("Aladdin", "open sesame");

	TAP_OK(h != NULL && strcmp(h, "Authorization: Basic "
				      "QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == 0,
	       "Basic header (RFC 7617 example)");
	webapi_secret_free(&h);
	TAP_OK(h == NULL, "secret freed and cleared");
	h = webapi_basic_auth_header("a", "bc");
	TAP_OK(strcmp(h, "Authorization: Basic YTpiYw==") == 0,
	       "Basic header, 4 bytes");
	webapi_secret_free(&h);
	h = webapi_basic_auth_header("ab", "c:d");
	TAP_OK(strcmp(h, "Authorization: Basic YWI6YzpkOmQ=") != 0 &&
		       strcmp(h, "Authorization: Basic YWI6Yzpk") == 0,
	       "Basic header, password with a colon");
	webapi_secret_free(&h);
}

static void test_fresh(void)
{
	struct webapi_token t = {0};
	time_t now = 1700000000;

	TAP_OK(!webapi_token_fresh(&t, now), "no token: not fresh");
	t.token = strdup("tok");
	t.issued = now;
	t.expires = now + 2592000;
	TAP_OK(webapi_token_fresh(&t, now), "30-day token fresh at issue");
	TAP_OK(webapi_token_fresh(&t, now + 2592000 - 86401),
	       "fresh with just over a day left");
	TAP_OK(!webapi_token_fresh(&t, now + 2592000 - 86399),
	       "renewed with less than a day left");
	t.expires = now + 60;
	TAP_OK(webapi_token_fresh(&t, now + 44), "60 s token fresh at 44 s");
	TAP_OK(!webapi_token_fresh(&t, now + 46),
	       "60 s token renewed in its last quarter");
	t.expires = now + 2592000;
	TAP_OK(!webapi_token_fresh(&t, now - 3600),
	       "issued in the future (clock moved back): not trusted");
	webapi_token_clear(&t);
	TAP_OK(t.token == NULL && t.expires == 0, "token cleared");
}

static void test_file(void)
{
	char dir[] = "/tmp/test-webapi-auth.XXXXXX", path[256], tmp[300];
	struct webapi_token t = {0}, r = {0};
	struct shoper_error err = {{0}};
	struct stat st;
	const char *url = "https://shop.example", *login = "api";

	if (mkdtemp(dir) == NULL) {
		TAP_OK(false, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/token", dir);
	TAP_OK(!webapi_token_load(path, url, login, &r),
	       "missing file: no token");
	t.token = strdup("0123456789abcdef");
	t.issued = 1700000000;
	t.expires = 1700000000 + 2592000;
	umask(0);
	TAP_OK(webapi_token_save(path, url, login, &t, &err) == 0,
	       "token saved (%s)", err.msg);
	umask(022);
	TAP_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	       "token file mode 0600 even with umask 0 (%o)",
	       (unsigned)(st.st_mode & 0777));
	snprintf(tmp, sizeof(tmp), "%s/token.tmp.XXXXXX", dir);
	TAP_OK(webapi_token_load(path, url, login, &r) &&
		       strcmp(r.token, t.token) == 0 &&
		       r.expires == t.expires && r.issued == t.issued,
	       "token read back");
	TAP_OK(!webapi_token_load(path, "https://other.example", login, &r),
	       "token of another shop url not used");
	TAP_OK(!webapi_token_load(path, url, "admin", &r),
	       "token of another login not used");
	chmod(path, 0640);
	TAP_OK(!webapi_token_load(path, url, login, &r),
	       "group-readable token file not trusted");
	chmod(path, 0600);
	TAP_OK(webapi_token_load(path, url, login, &r), "0600 again: used");
	free(t.token);
	t.token = strdup("second-token");
	TAP_OK(webapi_token_save(path, url, login, &t, &err) == 0 &&
		       webapi_token_load(path, url, login, &r) &&
		       strcmp(r.token, "second-token") == 0,
	       "token replaced atomically");
	free(t.token);
	t.token = strdup("bad token\nurl=x");
	webapi_token_save(path, url, login, &t, &err);
	TAP_OK(!webapi_token_load(path, url, login, &r),
	       "token with control characters/space refused on load");
	snprintf(tmp, sizeof(tmp), "%s/missing/token", dir);
	TAP_OK(webapi_token_save(tmp, url, login, &t, &err) < 0 &&
		       strstr(err.msg, "state directory") != NULL,
	       "unwritable directory: error says what to fix (%s)", err.msg);
	TAP_OK(strstr(err.msg, "bad token") == NULL,
	       "the token is not in the message");
	webapi_token_clear(&t);
	webapi_token_clear(&r);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_basic();
	test_fresh();
	test_file();
	return tap_done();
}
