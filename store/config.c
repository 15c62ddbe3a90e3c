/* INI parser and checker for shoper-sync.conf. */
#include "config.h"
#include "shoper-cluster.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>

struct parser {
	struct shoper_sync_config *cfg;
	const char *file;
	unsigned int line;
	/* 0 none, 1 [sync], 2 [shop], 3 [cluster] */
	int section;
	unsigned int sync_line;
	unsigned int cluster_line; /* its checks name the section's line */
	/* keys seen in the current section, for duplicate detection */
	char seen[24][32];
	unsigned int n_seen;
	char *errors;
	size_t errors_len;
	unsigned int sync_history_line;
};

static void add_error(struct parser *p, unsigned int line, const char *fmt, ...)
{
	char buf[1024];
	int n;
	va_list args;

	if (line > 0)
		n = snprintf(buf, sizeof(buf), "%s:%u: ", p->file, line);
	else
		n = snprintf(buf, sizeof(buf), "%s: ", p->file);
	va_start(args, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, args);
	va_end(args);
	size_t len = strlen(buf);
	char *e = realloc(p->errors, p->errors_len + len + 2);
	if (e == NULL)
		abort();
	memcpy(e + p->errors_len, buf, len);
	e[p->errors_len + len] = '\n';
	e[p->errors_len + len + 1] = '\0';
	p->errors = e;
	p->errors_len += len + 1;
}

static char *xstrdup(const char *s)
{
	char *r = strdup(s);
	if (r == NULL)
		abort();
	return r;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

static bool valid_shop_name(const char *name)
{
	if (*name == '\0' || strlen(name) > 64 || *name == '.')
		return false;
	for (const char *c = name; *c != '\0'; c++) {
		if (!isalnum((unsigned char)*c) && strchr("_.-", *c) == NULL)
			return false;
	}
	return true;
}

static bool parse_uint(const char *value, unsigned int min, unsigned int max,
		       unsigned int *out)
{
	char *end;

	if (!isdigit((unsigned char)*value))
		return false;
	errno = 0;
	unsigned long v = strtoul(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool set_uint(struct parser *p, const char *key, const char *value,
		     unsigned int min, unsigned int max, unsigned int *out)
{
	if (!parse_uint(value, min, max, out)) {
		add_error(
			p, p->line,
			"%s = %s is not a whole number from %u to %u; write e.g. %s = %u",
			key, value, min, max, key, *out);
		return false;
	}
	return true;
}

static void set_path(struct parser *p, const char *key, const char *value,
		     char **out)
{
	if (value[0] != '/') {
		add_error(
			p, p->line,
			"%s = %s is not an absolute path; write a path starting with /",
			key, value);
		return;
	}
	free(*out);
	*out = xstrdup(value);
}

static struct shoper_shop_config *cur_shop(struct parser *p)
{
	return &p->cfg->shops[p->cfg->n_shops - 1];
}

/* webhook_listen: "unix:/path" or "IPv4:PORT" (the daemon's HTTP
   listener for the shops' webhooks). */
static void set_listen(struct parser *p, const char *value, char **out)
{
	const char *colon = strrchr(value, ':');
	unsigned int port;
	struct in_addr a;
	char host[64];

	if (strncmp(value, "unix:/", 6) == 0) {
		free(*out);
		*out = xstrdup(value);
		return;
	}
	if (colon == NULL || (size_t)(colon - value) >= sizeof(host) ||
	    !parse_uint(colon + 1, 1, 65535, &port)) {
		add_error(p, p->line,
			  "webhook_listen = %s; write 127.0.0.1:8089 or "
			  "unix:/run/shoper-sync/webhook.sock",
			  value);
		return;
	}
	memcpy(host, value, (size_t)(colon - value));
	host[colon - value] = '\0';
	if (inet_pton(AF_INET, host, &a) != 1) {
		add_error(p, p->line,
			  "webhook_listen = %s: %s is not an IPv4 address; "
			  "write e.g. 127.0.0.1:8089",
			  value, host);
		return;
	}
	free(*out);
	*out = xstrdup(value);
}

static void set_proxy(struct parser *p, const char *value, char **out)
{
	unsigned char a[16];

	if (strcmp(value, "unix") != 0 && inet_pton(AF_INET, value, a) != 1 &&
	    inet_pton(AF_INET6, value, a) != 1) {
		add_error(p, p->line,
			  "webhook_trusted_proxy = %s; write the proxy's "
			  "address (127.0.0.1) or unix",
			  value);
		return;
	}
	free(*out);
	*out = xstrdup(value);
}

static void sync_key(struct parser *p, const char *key, const char *value)
{
	struct shoper_sync_config *cfg = p->cfg;

	if (strcmp(key, "index") == 0)
		set_path(p, key, value, &cfg->index_path);
	else if (strcmp(key, "state_dir") == 0)
		set_path(p, key, value, &cfg->state_dir);
	else if (strcmp(key, "history_days") == 0) {
		set_uint(p, key, value, 1, 3650, &cfg->history_days);
		p->sync_history_line = p->line;
	} else if (strcmp(key, "interval") == 0)
		set_uint(p, key, value, 10, 86400, &cfg->interval);
	else if (strcmp(key, "max_orders") == 0)
		set_uint(p, key, value, 1, 64, &cfg->max_orders);
	else if (strcmp(key, "timeout") == 0)
		set_uint(p, key, value, 1, 600, &cfg->timeout);
	else if (strcmp(key, "tracking_days") == 0)
		set_uint(p, key, value, 1, 3650, &cfg->tracking_days);
	else if (strcmp(key, "recent_days") == 0)
		set_uint(p, key, value, 0, 3650, &cfg->recent_days);
	else if (strcmp(key, "recent_pages") == 0)
		set_uint(p, key, value, 1, 1000, &cfg->recent_pages);
	else if (strcmp(key, "filters_dir") == 0)
		set_path(p, key, value, &cfg->filters_dir);
	else if (strcmp(key, "filters_folders") == 0) {
		free(cfg->filters_folders);
		cfg->filters_folders = xstrdup(value);
	} else if (strcmp(key, "filters_mode") == 0) {
		cfg->filters_mode_folders = strcmp(value, "tags+folders") == 0;
		if (!cfg->filters_mode_folders && strcmp(value, "tags") != 0)
			add_error(
				p, p->line,
				"filters_mode = %s; write tags or tags+folders",
				value);
	} else if (strcmp(key, "doveadm") == 0)
		set_path(p, key, value, &cfg->doveadm);
	else if (strcmp(key, "doveadm_config") == 0)
		set_path(p, key, value, &cfg->doveadm_config);
	else if (strcmp(key, "doveadm_socket") == 0)
		set_path(p, key, value, &cfg->doveadm_socket);
	else if (strcmp(key, "status_request_max_age") == 0)
		set_uint(p, key, value, 60, 30 * 86400,
			 &cfg->status_request_max_age);
	else if (strcmp(key, "webhook_listen") == 0)
		set_listen(p, value, &cfg->webhook_listen);
	else if (strcmp(key, "webhook_tls_cert") == 0)
		set_path(p, key, value, &cfg->webhook_tls_cert);
	else if (strcmp(key, "webhook_tls_key") == 0)
		set_path(p, key, value, &cfg->webhook_tls_key);
	else if (strcmp(key, "webhook_trusted_proxy") == 0)
		set_proxy(p, value, &cfg->webhook_trusted_proxy);
	else
		add_error(
			p, p->line,
			"unknown key '%s' in [sync]; known keys: index, state_dir, history_days, interval, max_orders, timeout, tracking_days, recent_days, recent_pages, filters_dir, filters_folders, filters_mode, doveadm, doveadm_config, doveadm_socket, status_request_max_age, webhook_listen, webhook_tls_cert, webhook_tls_key, webhook_trusted_proxy",
			key);
}

static void shop_key(struct parser *p, const char *key, const char *value)
{
	struct shoper_shop_config *shop = cur_shop(p);
	const char *why;

	if (strcmp(key, "url") == 0) {
		char *url = shoper_config_normalize_url(value, &why);
		if (url == NULL)
			add_error(p, p->line, "url = %s: %s", value, why);
		free(shop->url);
		shop->url = url;
	} else if (strcmp(key, "login") == 0) {
		free(shop->login);
		shop->login = xstrdup(value);
	} else if (strcmp(key, "password_file") == 0) {
		set_path(p, key, value, &shop->password_file);
		shop->password_file_line = p->line;
	} else if (strcmp(key, "ca_file") == 0) {
		set_path(p, key, value, &shop->ca_file);
	} else if (strcmp(key, "history_days") == 0) {
		set_uint(p, key, value, 1, 3650, &shop->history_days);
	} else if (strcmp(key, "language") == 0) {
		bool ok = strlen(value) >= 2 && strlen(value) <= 10;
		for (const char *c = value; *c != '\0'; c++)
			ok = ok && (isalpha((unsigned char)*c) || *c == '_');
		if (!ok)
			add_error(
				p, p->line,
				"language = %s is not a locale name; write e.g. language = pl_PL",
				value);
		else {
			free(shop->language);
			shop->language = xstrdup(value);
		}
	} else {
		add_error(
			p, p->line,
			"unknown key '%s' in [shop %s]; known keys: url, login, password_file, ca_file, history_days, language",
			key, shop->name);
	}
}

static void cluster_key(struct parser *p, const char *key, const char *value)
{
	struct shoper_error err;

	if (shoper_cluster_config_set(p->cfg->cluster, key, value, &err) < 0)
		add_error(p, p->line, "%s", err.msg);
}

static void start_section(struct parser *p, char *hdr)
{
	struct shoper_sync_config *cfg = p->cfg;
	size_t len = strlen(hdr);

	p->n_seen = 0;
	p->section = 0;
	if (hdr[len - 1] != ']') {
		add_error(
			p, p->line,
			"section header has no closing ]; write [sync] or [shop NAME]");
		return;
	}
	hdr[len - 1] = '\0';
	char *name = trim(hdr + 1);
	if (strcmp(name, "sync") == 0) {
		if (p->sync_line != 0)
			add_error(
				p, p->line,
				"second [sync] section (first at line %u); merge them into one",
				p->sync_line);
		p->sync_line = p->line;
		p->section = 1;
		return;
	}
	if (strcmp(name, "cluster") == 0) {
		if (p->cfg->cluster != NULL) {
			add_error(
				p, p->line,
				"second [cluster] section; merge them into one");
			return;
		}
		p->cfg->cluster = calloc(1, sizeof(*p->cfg->cluster));
		if (p->cfg->cluster == NULL)
			abort();
		shoper_cluster_config_init(p->cfg->cluster);
		p->cfg->cluster->enabled = true;
		p->cluster_line = p->line;
		p->section = 3;
		return;
	}
	if (strncmp(name, "shop", 4) != 0 ||
	    (name[4] != '\0' && !isspace((unsigned char)name[4]))) {
		add_error(p, p->line,
			  "unknown section [%s]; use [sync] or [shop NAME]",
			  name);
		return;
	}
	name = trim(name + 4);
	if (!valid_shop_name(name)) {
		add_error(
			p, p->line,
			"shop name '%s' is empty or has characters other than letters, digits, '.', '-', '_'; write e.g. [shop sklep1]",
			name);
		return;
	}
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		if (strcmp(cfg->shops[i].name, name) == 0) {
			add_error(
				p, p->line,
				"duplicate shop name '%s' (first at line %u); give each [shop NAME] its own name",
				name, cfg->shops[i].line);
			return;
		}
	}
	cfg->shops =
		realloc(cfg->shops, (cfg->n_shops + 1) * sizeof(*cfg->shops));
	if (cfg->shops == NULL)
		abort();
	struct shoper_shop_config *shop = &cfg->shops[cfg->n_shops++];
	memset(shop, 0, sizeof(*shop));
	shop->name = xstrdup(name);
	shop->line = p->line;
	p->section = 2;
}

static void parse_line(struct parser *p, char *line)
{
	line = trim(line);
	if (*line == '\0' || *line == '#' || *line == ';')
		return;
	if (*line == '[') {
		start_section(p, line);
		return;
	}
	char *eq = strchr(line, '=');
	if (eq == NULL) {
		add_error(
			p, p->line,
			"'%s' is not 'key = value'; write key = value or comment the line out with #",
			line);
		return;
	}
	*eq = '\0';
	char *key = trim(line), *value = trim(eq + 1);
	if (*key == '\0') {
		add_error(p, p->line,
			  "a value without a key; write key = value");
		return;
	}
	if (p->section == 0) {
		add_error(
			p, p->line,
			"'%s' is outside any section; put it under [sync] or [shop NAME]",
			key);
		return;
	}
	if (*value == '\0') {
		add_error(p, p->line, "%s has no value; write %s = VALUE", key,
			  key);
		return;
	}
	for (unsigned int i = 0; i < p->n_seen; i++) {
		if (strcmp(p->seen[i], key) == 0) {
			add_error(
				p, p->line,
				"%s is set twice in this section; keep one line",
				key);
			return;
		}
	}
	if (p->n_seen < sizeof(p->seen) / sizeof(p->seen[0]) &&
	    strlen(key) < sizeof(p->seen[0]))
		strcpy(p->seen[p->n_seen++], key);
	if (p->section == 1)
		sync_key(p, key, value);
	else if (p->section == 3)
		cluster_key(p, key, value);
	else
		shop_key(p, key, value);
}

static void check_password_file(struct parser *p,
				const struct shoper_shop_config *shop)
{
	struct stat st;
	unsigned int line = shop->password_file_line;

	if (stat(shop->password_file, &st) < 0) {
		add_error(
			p, line,
			"password file %s: %s; create it with the shop admin's password on one line, mode 0600",
			shop->password_file, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		add_error(
			p, line,
			"password file %s is not a regular file; point password_file at a file",
			shop->password_file);
		return;
	}
	if ((st.st_mode & 0007) != 0) {
		add_error(
			p, line,
			"password file %s is accessible by others (mode %04o); run chmod 600 %s",
			shop->password_file, (unsigned int)(st.st_mode & 07777),
			shop->password_file);
	}
}

static void check_shop(struct parser *p, struct shoper_shop_config *shop)
{
	struct shoper_sync_config *cfg = p->cfg;

	if (shop->url == NULL)
		add_error(
			p, shop->line,
			"[shop %s] has no url; add url = https://YOUR-SHOP (the address from the admin panel)",
			shop->name);
	if (shop->login == NULL)
		add_error(
			p, shop->line,
			"[shop %s] has no login; add login = NAME of an admin account of type 'webapi access'",
			shop->name);
	if (shop->password_file == NULL)
		add_error(
			p, shop->line,
			"[shop %s] has no password_file; add password_file = /etc/dovecot-shoper/%s.password (mode 0600)",
			shop->name, shop->name);
	else
		check_password_file(p, shop);
	if (shop->ca_file != NULL && access(shop->ca_file, R_OK) < 0)
		add_error(
			p, shop->line,
			"[shop %s] ca_file %s: %s; point ca_file at a readable PEM file or remove it",
			shop->name, shop->ca_file, strerror(errno));
	if (shop->history_days == 0)
		shop->history_days = cfg->history_days;
	if (shop->language == NULL)
		shop->language = xstrdup(SHOPER_SYNC_DEFAULT_LANGUAGE);
}

static void finish(struct parser *p)
{
	struct shoper_sync_config *cfg = p->cfg;

	if (cfg->index_path == NULL)
		cfg->index_path = xstrdup(SHOPER_SYNC_DEFAULT_INDEX);
	if (cfg->doveadm == NULL)
		cfg->doveadm = xstrdup(SHOPER_SYNC_DEFAULT_DOVEADM);
	if (cfg->state_dir == NULL)
		cfg->state_dir = xstrdup(SHOPER_SYNC_DEFAULT_STATE_DIR);
	if (cfg->n_shops == 0 && p->errors == NULL)
		add_error(
			p, 0,
			"no [shop NAME] section; add one with url, login and password_file");
	if ((cfg->webhook_tls_cert == NULL) != (cfg->webhook_tls_key == NULL))
		add_error(
			p, 0,
			"webhook_tls_cert and webhook_tls_key go together; "
			"set both (TLS) or neither (plain HTTP behind a proxy)");
	for (unsigned int i = 0; i < cfg->n_shops; i++)
		check_shop(p, &cfg->shops[i]);
	struct shoper_error err;
	if (cfg->cluster != NULL &&
	    shoper_cluster_config_check(cfg->cluster, &err) < 0)
		add_error(p, p->cluster_line, "%s", err.msg);
}

struct shoper_sync_config *shoper_config_parse(FILE *f, const char *name,
					       char **errors_r)
{
	struct parser p;
	char *line = NULL;
	size_t size = 0;

	memset(&p, 0, sizeof(p));
	p.file = name;
	p.cfg = calloc(1, sizeof(*p.cfg));
	if (p.cfg == NULL)
		abort();
	p.cfg->path = xstrdup(name);
	p.cfg->history_days = SHOPER_SYNC_DEFAULT_HISTORY_DAYS;
	p.cfg->interval = SHOPER_SYNC_DEFAULT_INTERVAL;
	p.cfg->max_orders = 20;
	p.cfg->timeout = SHOPER_SYNC_DEFAULT_TIMEOUT;
	p.cfg->tracking_days = SHOPER_SYNC_DEFAULT_TRACKING_DAYS;
	p.cfg->status_request_max_age = SHOPER_SYNC_DEFAULT_STATUS_MAX_AGE;
	p.cfg->recent_days = SHOPER_SYNC_DEFAULT_RECENT_DAYS;
	p.cfg->recent_pages = SHOPER_SYNC_DEFAULT_RECENT_PAGES;
	while (getline(&line, &size, f) > 0) {
		p.line++;
		if (strlen(line) > 4096) {
			add_error(&p, p.line, "line too long; shorten it");
			continue;
		}
		parse_line(&p, line);
	}
	free(line);
	finish(&p);
	*errors_r = p.errors;
	if (p.errors != NULL)
		shoper_config_free(&p.cfg);
	return p.cfg;
}

struct shoper_sync_config *shoper_config_load(const char *path, char **errors_r)
{
	struct shoper_sync_config *cfg;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		struct parser p;

		memset(&p, 0, sizeof(p));
		p.file = path;
		add_error(
			&p, 0,
			"cannot read the configuration: %s; create it (see shoper-sync(8)) or pass -c FILE",
			strerror(errno));
		*errors_r = p.errors;
		return NULL;
	}
	cfg = shoper_config_parse(f, path, errors_r);
	fclose(f);
	return cfg;
}

void shoper_config_free(struct shoper_sync_config **_cfg)
{
	struct shoper_sync_config *cfg = *_cfg;

	if (cfg == NULL)
		return;
	*_cfg = NULL;
	free(cfg->cluster);
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		struct shoper_shop_config *s = &cfg->shops[i];
		free(s->name);
		free(s->url);
		free(s->login);
		free(s->password_file);
		free(s->ca_file);
		free(s->language);
	}
	free(cfg->shops);
	free(cfg->path);
	free(cfg->index_path);
	free(cfg->state_dir);
	free(cfg->filters_dir);
	free(cfg->filters_folders);
	free(cfg->doveadm);
	free(cfg->doveadm_config);
	free(cfg->doveadm_socket);
	free(cfg->webhook_listen);
	free(cfg->webhook_tls_cert);
	free(cfg->webhook_tls_key);
	free(cfg->webhook_trusted_proxy);
	free(cfg);
}

const struct shoper_shop_config *shoper_config_find_shop(
	const struct shoper_sync_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		if (strcmp(cfg->shops[i].name, name) == 0)
			return &cfg->shops[i];
	}
	return NULL;
}
