/* Unit test of the INI parser: good files load, every bad one is refused
   with FILE:LINE: problem; fix. */
#include "config.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test-store-config.XXXXXX";
static char conf[512], pw[512], pw_open[512];

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* Load text; returns the error text (malloc'd) or NULL if it loaded. */
static char *load(const char *text, struct shoper_sync_config **cfg_r)
{
	char *errors = NULL;
	write_file(conf, text, 0600);
	*cfg_r = shoper_config_load(conf, &errors);
	return errors;
}

static void expect_error(const char *what, const char *text, int line,
			 const char *needle)
{
	struct shoper_sync_config *cfg;
	char *errors = load(text, &cfg);
	char prefix[600];

	snprintf(prefix, sizeof(prefix), "%s:%d: ", conf, line);
	TAP_OK(cfg == NULL && errors != NULL &&
		       strstr(errors, prefix) != NULL &&
		       strstr(errors, needle) != NULL &&
		       strchr(errors, ';') != NULL,
	       "%s refused at line %d", what, line);
	if (errors != NULL && (strstr(errors, needle) == NULL))
		printf("# got: %s", errors);
	free(errors);
	shoper_config_free(&cfg);
}

/* The re-reading of recent orders: defaults, 0 disables, bounds. */
static void test_recent(void)
{
	struct shoper_sync_config *cfg;
	char text[1024];

	snprintf(text, sizeof(text),
		 "[sync]\n[shop s]\nurl = https://s.example.pl\nlogin = a\n"
		 "password_file = %s\n",
		 pw);
	free(load(text, &cfg));
	TAP_OK(cfg != NULL && cfg->recent_days == 14 && cfg->recent_pages == 19,
	       "recent_days 14 and recent_pages 19 by default");
	shoper_config_free(&cfg);
	snprintf(text, sizeof(text),
		 "[sync]\nrecent_days = 0\nrecent_pages = 300\n[shop s]\n"
		 "url = https://s.example.pl\nlogin = a\npassword_file = %s\n",
		 pw);
	free(load(text, &cfg));
	TAP_OK(cfg != NULL && cfg->recent_days == 0 && cfg->recent_pages == 300,
	       "recent_days = 0 disables, recent_pages set");
	shoper_config_free(&cfg);
	expect_error("recent_pages = 0", "[sync]\nrecent_pages = 0\n", 2,
		     "recent_pages = 0 is not a whole number from 1 to 1000");
}

static void test_good(void)
{
	struct shoper_sync_config *cfg;
	char text[2048];

	snprintf(
		text, sizeof(text),
		"# comment\n[sync]\nindex = /tmp/x/orders.cdb\ninterval = 60\n\n"
		"[shop sklep1]\nurl = https://Sklep1.example.pl/admin/\nlogin = api\n"
		"password_file = %s\n\n[shop b]\nurl = https://127.0.0.1:8443\n"
		"login = x\npassword_file = %s\nhistory_days = 30\nlanguage = en_US\n",
		pw, pw);
	char *errors = load(text, &cfg);
	TAP_OK(cfg != NULL, "good config loads");
	if (cfg == NULL) {
		printf("# %s", errors);
		free(errors);
		return;
	}
	TAP_OK(cfg->n_shops == 2, "two shops");
	TAP_OK(strcmp(cfg->shops[0].url, "https://sklep1.example.pl") == 0,
	       "URL path and slash stripped, host lower-cased");
	TAP_OK(strcmp(cfg->shops[1].url, "https://127.0.0.1:8443") == 0,
	       "URL with port kept");
	TAP_OK(cfg->shops[0].history_days == 183 &&
		       cfg->shops[1].history_days == 30,
	       "history_days default and per-shop override");
	TAP_OK(strcmp(cfg->shops[0].language, "pl_PL") == 0 &&
		       strcmp(cfg->shops[1].language, "en_US") == 0,
	       "language default pl_PL");
	TAP_OK(cfg->interval == 60 && cfg->max_orders == 20 &&
		       strcmp(cfg->state_dir, SHOPER_SYNC_DEFAULT_STATE_DIR) ==
			       0,
	       "sync defaults");
	char err[256];
	char *p = shoper_config_read_password(cfg, &cfg->shops[0], err,
					      sizeof(err));
	TAP_OK(p != NULL && strcmp(p, "secret") == 0, "password read");
	free(p);
	shoper_config_free(&cfg);
}

static void test_urls(void)
{
	static const char *const bad[] = {
		"http://sklep.pl",    "sklep.pl",
		"https://",           "https://a.pl?x=1",
		"https://user@a.pl",  "https://a.pl:99999",
		"https://a.pl/x?y",   "ftp://a.pl",
		"https://a b.pl",     "https://[zz::1]",
		"https://[::1%eth0]", "https://[]",
		"https://[::1",       "https://..a.pl",
		"https://a..pl",      "https://-a.pl",
		"https://a.pl-",      "https://[1:2:3]:443"};
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *u = shoper_config_normalize_url(bad[i], &why);
		TAP_OK(u == NULL && why != NULL, "URL %s refused", bad[i]);
		free(u);
	}
	char *u = shoper_config_normalize_url("https://a.pl/", &why);
	TAP_OK(u != NULL && strcmp(u, "https://a.pl") == 0,
	       "trailing slash stripped");
	free(u);
	u = shoper_config_normalize_url("https://[2001:DB8::1]:8443/admin/",
					&why);
	TAP_OK(u != NULL && strcmp(u, "https://[2001:db8::1]:8443") == 0,
	       "IPv6 literal with port kept, path dropped (%s)",
	       u != NULL ? u : why);
	free(u);
}

static void test_bad(void)
{
	char text[2048];
	const char *shop_tail = "login = api\npassword_file = ";

	snprintf(text, sizeof(text),
		 "[sync]\nfoo = 1\n[shop a]\nurl = https://a.pl\n%s%s\n",
		 shop_tail, pw);
	expect_error("unknown key in [sync]", text, 2, "unknown key 'foo'");
	snprintf(text, sizeof(text),
		 "[shop a]\nurl = https://a.pl\nlogn = x\n%s%s\n", shop_tail,
		 pw);
	expect_error("unknown key in [shop]", text, 3, "unknown key 'logn'");
	snprintf(text, sizeof(text), "[shop a]\nurl =\n%s%s\n", shop_tail, pw);
	expect_error("missing value", text, 2, "url has no value");
	snprintf(text, sizeof(text), "[shop a]\nurl = http://a.pl\n%s%s\n",
		 shop_tail, pw);
	expect_error("http URL", text, 2, "https");
	snprintf(text, sizeof(text), "[shop a]\nurl = https://a.pl/?q\n%s%s\n",
		 shop_tail, pw);
	expect_error("URL with query", text, 2, "query");
	snprintf(text, sizeof(text), "[shop a]\nurl = https://a.pl\n%s%s\n",
		 shop_tail, pw_open);
	expect_error("world-readable password file", text, 4, "chmod 600");
	snprintf(text, sizeof(text),
		 "[shop a]\nurl = https://a.pl\n%s/nonexistent\n", shop_tail);
	expect_error("missing password file", text, 4, "No such file");
	snprintf(
		text, sizeof(text),
		"[shop a]\nurl = https://a.pl\n%s%s\n[shop a]\nurl = https://b.pl\n%s%s\n",
		shop_tail, pw, shop_tail, pw);
	expect_error("duplicate shop", text, 5, "duplicate shop name 'a'");
	snprintf(text, sizeof(text),
		 "[shop a]\nurl = https://a.pl\npassword_file = %s\n", pw);
	expect_error("missing login", text, 1, "no login");
	snprintf(
		text, sizeof(text),
		"[sync]\ninterval = soon\n[shop a]\nurl = https://a.pl\n%s%s\n",
		shop_tail, pw);
	expect_error("bad number", text, 2, "interval = soon");
	snprintf(text, sizeof(text), "[shops]\n");
	expect_error("unknown section", text, 1, "unknown section");
	snprintf(text, sizeof(text), "url = https://a.pl\n[shop a]\n");
	expect_error("key outside a section", text, 1, "outside any section");
	snprintf(text, sizeof(text), "[shop a/b]\n");
	expect_error("bad shop name", text, 1, "shop name");
	snprintf(text, sizeof(text),
		 "[shop a]\nurl = https://a.pl\nurl = https://a.pl\n%s%s\n",
		 shop_tail, pw);
	expect_error("key set twice", text, 3, "set twice");
	snprintf(
		text, sizeof(text),
		"[sync]\nstate_dir = relative\n[shop a]\nurl = https://a.pl\n%s%s\n",
		shop_tail, pw);
	expect_error("relative path", text, 2, "absolute path");
	snprintf(text, sizeof(text), "[shop a]\njust words\n");
	expect_error("not key = value", text, 2, "key = value");

	struct shoper_sync_config *cfg;
	char *errors = load("[sync]\n", &cfg);
	TAP_OK(cfg == NULL && errors != NULL &&
		       strstr(errors, "no [shop NAME]"),
	       "config without shops refused");
	free(errors);
	errors = NULL;
	cfg = shoper_config_load("/nonexistent/x.conf", &errors);
	TAP_OK(cfg == NULL && errors != NULL &&
		       strstr(errors, "/nonexistent/x.conf: cannot read"),
	       "missing file refused");
	free(errors);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(conf, sizeof(conf), "%s/shoper-sync.conf", dir);
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	snprintf(pw_open, sizeof(pw_open), "%s/pw-open", dir);
	write_file(pw, "secret\n", 0600);
	write_file(pw_open, "secret\n", 0644);
	test_good();
	test_recent();
	test_urls();
	test_bad();
	unlink(conf);
	unlink(pw);
	unlink(pw_open);
	rmdir(dir);
	return tap_done();
}
