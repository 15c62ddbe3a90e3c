/* check: every problem on its own line with its fix, like the shop
   connection form of a helpdesk. Nothing is synced. */
#include "cmd.h"
#include "cmd-check-install.h"
#include "engine.h"
#include "filters.h"
#include "shoper-webapi.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned int problems;

static void problem(const char *fmt, ...)
{
	va_list args;

	problems++;
	fputs("problem: ", stdout);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	fputc('\n', stdout);
}

static void ok(const char *fmt, ...)
{
	va_list args;

	fputs("ok: ", stdout);
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	fputc('\n', stdout);
}

static void check_state_dir(const struct shoper_sync_config *cfg)
{
	struct stat st;

	if (stat(cfg->state_dir, &st) < 0) {
		if (errno == ENOENT)
			ok("state_dir %s does not exist yet; the first sync creates it (mode 0700)",
			   cfg->state_dir);
		else
			problem("state_dir %s: %s; fix its path or permissions",
				cfg->state_dir, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		problem("state_dir %s is not a directory; point state_dir at a directory",
			cfg->state_dir);
	} else if ((st.st_mode & 0077) != 0) {
		problem("state_dir %s is accessible by group or others (mode %04o); run chmod 700 %s",
			cfg->state_dir, (unsigned int)(st.st_mode & 07777),
			cfg->state_dir);
	} else {
		ok("state_dir %s (mode 0700)", cfg->state_dir);
	}
}

/* Orders the published index left out because their data is more than
   it can hold: one line per shop with the first few. */
struct unindexed_ctx {
	char shop[72];
	long long n;
	char first[400];
};

static void unindexed_flush(struct unindexed_ctx *u)
{
	if (u->n > 0)
		problem("[shop %s] %lld order(s) left out of the index: %s%s; mail about them gets no X-Shoper-* headers: shorten the value in the shop, the next sync indexes the order",
			u->shop, u->n, u->first, u->n > 3 ? " and more" : "");
	u->n = 0;
	u->first[0] = '\0';
}

static void unindexed_row(void *ctx, const char *shop, long long order_id,
			  const char *reason)
{
	struct unindexed_ctx *u = ctx;
	size_t len;

	if (strcmp(u->shop, shop) != 0) {
		unindexed_flush(u);
		snprintf(u->shop, sizeof(u->shop), "%s", shop);
	}
	if (u->n++ >= 3)
		return;
	len = strlen(u->first);
	snprintf(u->first + len, sizeof(u->first) - len, "%sorder %lld (%s)",
		 len > 0 ? ", " : "", order_id, reason);
}

static void check_unindexed(const struct shoper_sync_config *cfg)
{
	struct unindexed_ctx u;
	struct sync_state *st;
	struct shoper_error err;
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/state.db", cfg->state_dir);
	if (stat(path, &sb) < 0)
		return; /* nothing synced yet */
	if (sync_state_open(cfg->state_dir, true, &st, &err) < 0) {
		problem("%s; the index cannot be checked", err.msg);
		return;
	}
	memset(&u, 0, sizeof(u));
	long long n = sync_state_list_unindexed(st, unindexed_row, &u, &err);
	unindexed_flush(&u);
	if (n < 0)
		problem("%s", err.msg);
	else if (n == 0)
		ok("no order is left out of the index for data it cannot hold");
	sync_state_close(&st);
}

/* Streams a shop refused at the last syncs (degraded data): a missing
   permission is a problem, a filter the shop lacks only a note. */
static void degraded_row(void *ctx, const struct sync_degraded_row *r)
{
	const char *fix;
	bool grant;
	const char *lost = sync_degraded_explain(r->what, &fix, &grant);
	time_t since = (time_t)r->since;
	char when[32] = "";
	struct tm tm;

	(void)ctx;
	if (localtime_r(&since, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	if (grant)
		problem("[shop %s] degraded: the shop refuses %s (HTTP %d: %.100s) since %s: %s; %s",
			r->shop, r->what, r->code, r->detail, when, lost, fix);
	else
		ok("[shop %s] degraded: the shop refuses the filter %s (HTTP %d) since %s: %s",
		   r->shop, r->what, r->code, when, lost);
}

static void check_degraded(const struct shoper_sync_config *cfg)
{
	struct sync_state *st;
	struct shoper_error err;
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/state.db", cfg->state_dir);
	if (stat(path, &sb) < 0 ||
	    sync_state_open(cfg->state_dir, true, &st, &err) < 0)
		return; /* nothing synced yet; check_unindexed said why */
	long long n =
		sync_state_list_degraded(st, NULL, degraded_row, NULL, &err);
	if (n < 0)
		problem("%s", err.msg);
	else if (n == 0)
		ok("no shop refuses a stream: the headers carry all they can");
	sync_state_close(&st);
}

static void check_index_dir(const struct shoper_sync_config *cfg)
{
	struct stat st;
	char *copy = strdup(cfg->index_path);
	const char *dir = dirname(copy);

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		problem("index directory %s does not exist; create it: install -d -m 2750 -g dovecot %s",
			dir, dir);
	} else if (access(dir, W_OK) < 0) {
		problem("index directory %s is not writable by this user; run shoper-sync as its owner or chown it",
			dir);
	} else if ((st.st_mode & 0007) != 0) {
		problem("index directory %s is open to others (mode %04o); run chmod 2750 %s and give it the mail processes' group",
			dir, (unsigned int)(st.st_mode & 07777), dir);
	} else {
		struct group *g = getgrgid(st.st_gid);
		ok("index directory %s (mode %04o, group %s): the index will be 0640 with that group",
		   dir, (unsigned int)(st.st_mode & 07777),
		   g != NULL ? g->gr_name : "?");
	}
	free(copy);
}

/* Line of key in [sync], 0 when not found: the checks of a setting point
   at it as the configuration's own errors do. */
static unsigned int sync_key_line(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t size = 0, klen = strlen(key);
	unsigned int n = 0, found = 0;
	bool in_sync = false;

	while (f != NULL && found == 0 && getline(&line, &size, f) > 0) {
		const char *p = line + strspn(line, " \t");
		n++;
		if (*p == '[')
			in_sync = strncmp(p, "[sync]", 6) == 0;
		else if (in_sync && strncmp(p, key, klen) == 0 &&
			 p[klen] != '\0' && strchr(" \t=", p[klen]) != NULL)
			found = n;
	}
	free(line);
	if (f != NULL)
		fclose(f);
	return found;
}

/* filters_dir: shoper-sync creates it (one level, 0755) and writes the
   Sieve script there; the mail processes read it. */
static void check_filters_path(const char *where, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		char *copy = strdup(dir);
		const char *parent = copy == NULL ? "/" : dirname(copy);
		if (errno != ENOENT)
			problem("%s: filters_dir %s: %s; fix its path or permissions",
				where, dir, strerror(errno));
		else if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
			problem("%s: filters_dir %s cannot be created: %s does not exist; create it: install -d -m 0755 %s",
				where, dir, parent, dir);
		else if (access(parent, W_OK) < 0)
			problem("%s: filters_dir %s cannot be created: %s is not writable by this user; create it: install -d -m 0755 -o $(id -un) %s",
				where, dir, parent, dir);
		else
			ok("filters_dir %s does not exist yet; the first sync creates it (mode 0755)",
			   dir);
		free(copy);
	} else if (!S_ISDIR(st.st_mode)) {
		problem("%s: filters_dir %s is not a directory; point filters_dir at a directory",
			where, dir);
	} else if (access(dir, W_OK) < 0) {
		problem("%s: filters_dir %s is not writable by this user; run shoper-sync as its owner or chown it",
			where, dir);
	} else if ((st.st_mode & 0005) != 0005 && (st.st_mode & 0050) != 0050) {
		problem("%s: filters_dir %s is not readable by the mail processes (mode %04o); run chmod 755 %s",
			where, dir, (unsigned int)(st.st_mode & 07777), dir);
	} else {
		ok("filters_dir %s (mode %04o)", dir,
		   (unsigned int)(st.st_mode & 07777));
	}
}

static void check_filters_dir(const struct shoper_sync_config *cfg)
{
	char where[4200];
	const char *sievec = filters_sievec();

	if (cfg->filters_dir == NULL)
		return;
	snprintf(where, sizeof(where), "%s:%u", cfg->path,
		 sync_key_line(cfg->path, "filters_dir"));
	check_filters_path(where, cfg->filters_dir);
	if (sievec == NULL)
		return; /* SHOPER_SIEVEC="": compiling turned off */
	if (access(sievec, X_OK) < 0)
		problem("%s: filters_dir is set but %s is missing, so Dovecot would compile the script at every delivery; install Pigeonhole's sievec (Debian: apt install dovecot-sieve)",
			where, sievec);
	else
		ok("sievec %s: the script is compiled once per change", sievec);
}

static const char *fix_for(enum shoper_webapi_status ret,
			   const struct shoper_shop_config *shop)
{
	switch (ret) {
	case SHOPER_WEBAPI_ERR_TLS:
		return shop->ca_file != NULL
			       ? "the certificate is not signed by ca_file; point ca_file at the CA that signed the shop's certificate"
			       : "the certificate is not trusted; if the shop uses a private CA, set ca_file = /path/to/ca.pem";
	case SHOPER_WEBAPI_ERR_AUTH:
		return "check login and the password in password_file (an admin account of type 'webapi access')";
	case SHOPER_WEBAPI_ERR_PERMISSION:
		return "give the admin account 'webapi access' (Configuration > Administration > the account's type)";
	case SHOPER_WEBAPI_ERR_NETWORK:
		return "check the url, the DNS name and that this host may connect to the shop on port 443";
	case SHOPER_WEBAPI_ERR_CONFIG:
		return "fix the url or ca_file in the configuration";
	default:
		return "check the url: it must be the shop's address, e.g. https://sklep1.example.pl";
	}
}

/* The webapi's dates are shop-local: the history window is computed in
   the zone application-config names. */
static void check_zone(const struct shoper_shop_config *shop,
		       json_object *config)
{
	json_object *v;
	char zone[64];

	if (!json_object_object_get_ex(config, "locale_timezone", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		ok("[shop %s] no locale_timezone in application-config: the history window uses this host's time zone",
		   shop->name);
		return;
	}
	/* the shop's text: printable ASCII only */
	snprintf(zone, sizeof(zone), "%s", json_object_get_string(v));
	for (char *p = zone; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	}
	if (!sync_zone_known(json_object_get_string(v)))
		problem("[shop %s] time zone '%s' (locale_timezone) is unknown on this host, so the history window uses this host's zone; install the tzdata package",
			shop->name, zone);
	else
		ok("[shop %s] time zone %s (dates and the history window)",
		   shop->name, zone);
}

static void check_shop(const struct shoper_sync_config *cfg,
		       const struct shoper_shop_config *shop)
{
	struct shoper_error err;
	json_object *json = NULL;
	long code = 0;
	char msg[600];
	bool password_failed;

	/* no token file: the check logs in afresh and keeps no token */
	struct shoper_webapi *api = sync_webapi_open(
		cfg, shop, false, 1, NULL, msg, sizeof(msg), &password_failed);
	if (api == NULL && password_failed) {
		problem("[shop %s] %s", shop->name, msg);
		return;
	}
	if (api == NULL) {
		problem("[shop %s] %s; %s", shop->name, msg,
			fix_for(SHOPER_WEBAPI_ERR_CONFIG, shop));
		return;
	}
	/* login, TLS and the token in one: the shop's settings */
	enum shoper_webapi_status ret =
		shoper_webapi_call(api, "GET", "application-config", NULL, NULL,
				   &json, &code, &err);
	if (ret != SHOPER_WEBAPI_OK) {
		/* the client's message may carry its own fix already */
		problem("[shop %s] %s: %s%s%s", shop->name, shop->url, err.msg,
			strchr(err.msg, ';') != NULL ? "" : "; ",
			strchr(err.msg, ';') != NULL ? "" : fix_for(ret, shop));
	} else {
		ok("[shop %s] %s: TLS verified, login accepted", shop->name,
		   shop->url);
		check_zone(shop, json);
		json_object_put(json);
		json = NULL;
		ret = shoper_webapi_call(api, "GET", "orders", "limit=1", NULL,
					 &json, &code, &err);
		json_object_put(json);
		if (ret == SHOPER_WEBAPI_ERR_PERMISSION || code == 403)
			problem("[shop %s] orders are not readable (%s); give the admin account 'webapi access' to orders",
				shop->name, err.msg);
		else if (ret != SHOPER_WEBAPI_OK)
			problem("[shop %s] orders: %s; %s", shop->name, err.msg,
				fix_for(ret, shop));
		else
			ok("[shop %s] orders readable", shop->name);
	}
	shoper_webapi_free(&api);
}

int cmd_check(struct cmd_ctx *ctx)
{
	if (ctx->argc > 0) {
		fprintf(stderr, "usage: shoper-sync check\n");
		return SYNC_EXIT_USAGE;
	}
	cmd_check_install(ctx->config_path, problem, ok);
	struct shoper_sync_config *cfg = cmd_load_config(ctx->config_path);
	if (cfg == NULL)
		return SYNC_EXIT_CONFIG;
	ok("configuration %s: %u shop(s)", cfg->path, cfg->n_shops);
	check_state_dir(cfg);
	check_index_dir(cfg);
	check_unindexed(cfg);
	check_degraded(cfg);
	check_filters_dir(cfg);
	cmd_check_hooks(cfg, problem, ok);
	bool *other = calloc(cfg->n_shops + 1, sizeof(*other));
	if (other != NULL && cfg->cluster != NULL)
		cmd_check_cluster(cfg, problem, ok, other);
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		if (other == NULL || !other[i])
			check_shop(cfg, &cfg->shops[i]);
	}
	free(other);
	shoper_config_free(&cfg);
	if (problems > 0)
		printf("%u problem(s) found\n", problems);
	return problems > 0 ? SYNC_EXIT_FAIL : SYNC_EXIT_OK;
}
