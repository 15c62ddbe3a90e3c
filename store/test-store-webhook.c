/* Unit test of the webhook pieces of the store: webhook_listen and
   the TLS keys parse (and bad values are refused), the signature check
   (hex(SHA1(id:secret:body)), case of the hex, one flipped digit, wrong
   length), the registration file (0600, round trip) and the secret. */
#include "config.h"
#include "tap.h"
#include "webhook-file.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test-store-webhook.XXXXXX";

static char shop[700];

static struct shoper_sync_config *parse(const char *sync, char **errors)
{
	char text[1500];

	snprintf(text, sizeof(text), "%s%s", sync, shop);
	FILE *f = fmemopen(text, strlen(text), "r");
	struct shoper_sync_config *cfg =
		shoper_config_parse(f, "t.conf", errors);
	fclose(f);
	return cfg;
}

static void test_config(void)
{
	static const char *const bad[] = {"8089", "localhost:8089",
					  "127.0.0.1:0", "127.0.0.1:70000",
					  "unix:relative"};
	char text[512], *errors = NULL;

	snprintf(
		text, sizeof(text),
		"[sync]\nwebhook_listen = 127.0.0.1:8089\n"
		"webhook_tls_cert = /etc/c.pem\nwebhook_tls_key = /etc/k.pem\n");
	struct shoper_sync_config *cfg = parse(text, &errors);
	TAP_OK(cfg != NULL &&
		       strcmp(cfg->webhook_listen, "127.0.0.1:8089") == 0 &&
		       strcmp(cfg->webhook_tls_key, "/etc/k.pem") == 0,
	       "webhook_listen IPv4:PORT and the TLS files");
	shoper_config_free(&cfg);
	free(errors);
	errors = NULL;
	cfg = parse("[sync]\nwebhook_listen = unix:/run/x/w.sock\n", &errors);
	TAP_OK(cfg != NULL &&
		       strcmp(cfg->webhook_listen, "unix:/run/x/w.sock") == 0,
	       "webhook_listen unix:/path");
	shoper_config_free(&cfg);
	free(errors);
	errors = NULL;
	cfg = parse("[sync]\nwebhook_trusted_proxy = unix\n", &errors);
	TAP_OK(cfg != NULL && strcmp(cfg->webhook_trusted_proxy, "unix") == 0,
	       "webhook_trusted_proxy = unix");
	shoper_config_free(&cfg);
	free(errors);
	errors = NULL;
	cfg = parse("[sync]\nwebhook_trusted_proxy = nginx.local\n", &errors);
	TAP_OK(cfg == NULL && errors != NULL &&
		       strstr(errors, "t.conf:2: webhook_trusted_proxy") !=
			       NULL,
	       "webhook_trusted_proxy that is no address refused");
	shoper_config_free(&cfg);
	free(errors);
	errors = NULL;
	cfg = parse("[sync]\nwebhook_tls_cert = /etc/c.pem\n", &errors);
	TAP_OK(cfg == NULL && errors != NULL &&
		       strstr(errors, "webhook_tls_key go together") != NULL,
	       "webhook_tls_cert without webhook_tls_key refused");
	shoper_config_free(&cfg);
	free(errors);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errors = NULL;
		snprintf(text, sizeof(text), "[sync]\nwebhook_listen = %s\n",
			 bad[i]);
		cfg = parse(text, &errors);
		TAP_OK(cfg == NULL && errors != NULL &&
			       strstr(errors, "t.conf:2: webhook_listen") !=
				       NULL,
		       "webhook_listen = %s refused with its line", bad[i]);
		shoper_config_free(&cfg);
		free(errors);
	}
}

static void test_signature(void)
{
	const char *body = "{\"order_id\":\"5\"}";
	/* python3: hashlib.sha1(b'12:s3cr3t:{"order_id":"5"}').hexdigest() */
	char sig[] = "426d41c5d8d6e709491d9b680c808b32db75866a";

	TAP_OK(sync_webhook_signature_ok("12", "s3cr3t", body, strlen(body),
					 sig),
	       "signature of id:secret:body accepted");
	TAP_OK(sync_webhook_signature_ok(
		       "12", "s3cr3t", body, strlen(body),
		       "426D41C5D8D6E709491D9B680C808B32DB75866A"),
	       "upper-case hex accepted");
	TAP_OK(!sync_webhook_signature_ok("13", "s3cr3t", body, strlen(body),
					  sig),
	       "another webhook id refused");
	TAP_OK(!sync_webhook_signature_ok("12", "other", body, strlen(body),
					  sig),
	       "another secret refused");
	TAP_OK(!sync_webhook_signature_ok("12", "s3cr3t", body,
					  strlen(body) - 1, sig),
	       "a changed body refused");
	sig[39] = sig[39] == 'a' ? 'b' : 'a';
	TAP_OK(!sync_webhook_signature_ok("12", "s3cr3t", body, strlen(body),
					  sig),
	       "one digit off refused");
	sig[39] = '\0';
	TAP_OK(!sync_webhook_signature_ok("12", "s3cr3t", body, strlen(body),
					  sig),
	       "a short signature refused");
	TAP_OK(!sync_webhook_signature_ok("12", "s3cr3t", body, strlen(body),
					  NULL),
	       "no signature refused");
}

static void test_file(void)
{
	struct shoper_sync_config cfg;
	struct sync_webhook w, r;
	struct shoper_error err;
	char path[600], s2[65];
	struct stat st;

	memset(&cfg, 0, sizeof(cfg));
	cfg.state_dir = dir;
	memset(&w, 0, sizeof(w));
	TAP_OK(sync_webhook_load(&cfg, "s", &r, NULL, &err) == 0,
	       "no file: not installed");
	TAP_OK(sync_webhook_new_secret(w.secret, &err) == 0 &&
		       strlen(w.secret) == 64 &&
		       strspn(w.secret, "0123456789abcdef") == 64,
	       "a secret of 64 hex digits");
	TAP_OK(sync_webhook_new_secret(s2, &err) == 0 &&
		       strcmp(s2, w.secret) != 0,
	       "two secrets differ");
	snprintf(w.id, sizeof(w.id), "7");
	snprintf(w.url, sizeof(w.url), "https://m.example.pl/shoper/s");
	TAP_OK(sync_webhook_save(&cfg, "s", &w, &err) == 0, "saved");
	sync_webhook_path(&cfg, "s", path, sizeof(path));
	TAP_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	       "the file is 0600");
	TAP_OK(sync_webhook_load(&cfg, "s", &r, NULL, &err) == 1 &&
		       strcmp(r.id, "7") == 0 && strcmp(r.url, w.url) == 0 &&
		       strcmp(r.secret, w.secret) == 0,
	       "read back as written");
	TAP_OK(sync_webhook_delete(&cfg, "s", &err) == 0 &&
		       sync_webhook_load(&cfg, "s", &r, NULL, &err) == 0,
	       "deleted");
}

int main(void)
{
	char pw[600];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	FILE *f = fopen(pw, "w");
	fputs("secret\n", f);
	fclose(f);
	chmod(pw, 0600);
	snprintf(shop, sizeof(shop),
		 "[shop s]\nurl = https://s.example.pl\nlogin = a\n"
		 "password_file = %s\n",
		 pw);
	test_config();
	test_signature();
	test_file();
	unlink(pw);
	rmdir(dir);
	return tap_done();
}
