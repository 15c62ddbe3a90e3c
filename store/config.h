#ifndef SHOPER_SYNC_CONFIG_H
#define SHOPER_SYNC_CONFIG_H

/* shoper-sync's INI file: a [sync] section and one [shop NAME] section per
   shop. Every problem is reported as "FILE:LINE: problem; fix" before any
   network call is made. */

#include <stdbool.h>
#include <stdio.h>

#define SHOPER_SYNC_DEFAULT_CONFIG "/etc/dovecot-shoper/shoper-sync.conf"
#define SHOPER_SYNC_DEFAULT_INDEX "/var/lib/dovecot-shoper/orders.cdb"
#define SHOPER_SYNC_DEFAULT_STATE_DIR "/var/lib/dovecot-shoper/state"
#define SHOPER_SYNC_DEFAULT_HISTORY_DAYS 183
#define SHOPER_SYNC_DEFAULT_INTERVAL 300
#define SHOPER_SYNC_DEFAULT_TIMEOUT 60
#define SHOPER_SYNC_DEFAULT_TRACKING_DAYS 7
#define SHOPER_SYNC_DEFAULT_STATUS_MAX_AGE 86400
/* recent orders re-read by the incremental syncs, a slice a sync: 19
   pages fill the free slots of an idle sync's one bulk call */
#define SHOPER_SYNC_DEFAULT_RECENT_DAYS 14
#define SHOPER_SYNC_DEFAULT_RECENT_PAGES 19
#define SHOPER_SYNC_DEFAULT_LANGUAGE "pl_PL"
#define SHOPER_SYNC_DEFAULT_DOVEADM "/usr/bin/doveadm"

struct shoper_shop_config {
	char *name;
	char *url; /* "https://host[:port]", no path, no trailing slash */
	char *login;
	char *password_file;
	char *ca_file; /* NULL: system CAs */
	char *language;
	unsigned int history_days;
	unsigned int line; /* of the [shop NAME] header, for messages */
	unsigned int password_file_line;
};

struct shoper_sync_config {
	char *path;
	char *index_path;
	char *state_dir;
	char *doveadm; /* sets the status-change outcome keywords */
	char *doveadm_config; /* NULL: doveadm's default */
	/* doveadm server socket for mail commands (doveadm CMD -S PATH), so
	   shoper-sync needs no root; NULL: doveadm runs them itself */
	char *doveadm_socket;
	char *filters_dir; /* NULL: no generated filters */
	char *filters_folders; /* folder prefix, NULL: "Orders/" */
	bool filters_mode_folders; /* filters_mode = tags+folders */
	unsigned int history_days;
	unsigned int interval;
	unsigned int max_orders;
	unsigned int timeout;
	unsigned int tracking_days;
	/* seconds a status request may wait (shop unreachable) before it is
	   refused rather than carried out */
	unsigned int status_request_max_age;
	unsigned int recent_days; /* 0: no re-reading of recent orders */
	unsigned int recent_pages; /* pages of 50 re-read per sync */
	/* the daemon's webhook listener: "unix:/path" or "IPv4:PORT", NULL:
	   none; with cert and key it speaks TLS itself */
	char *webhook_listen;
	char *webhook_tls_cert;
	char *webhook_tls_key;
	/* the reverse proxy ("unix" or an IP address) whose requests name
	   their source in X-Forwarded-For (the listener's per-source
	   allowance); NULL: the peer address is the source */
	char *webhook_trusted_proxy;
	struct shoper_shop_config *shops;
	unsigned int n_shops;
	/* [cluster] (cluster/shoper-cluster.h), NULL without the section */
	struct shoper_cluster_config *cluster;
};

/* Parse and check path. Returns the config, or NULL with *errors_r set to
   a malloc'd text of one "FILE:LINE: problem; fix" line per problem. */
struct shoper_sync_config *shoper_config_load(const char *path,
					      char **errors_r);
/* The same for a configuration already open (NAME is what errors and
   cfg->path call it): tests and the fuzz target parse from memory. */
struct shoper_sync_config *shoper_config_parse(FILE *f, const char *name,
					       char **errors_r);
void shoper_config_free(struct shoper_sync_config **cfg);

const struct shoper_shop_config *shoper_config_find_shop(
	const struct shoper_sync_config *cfg, const char *name);

/* Normalise a shop URL as copied from the admin panel: "https://" and a
   host with an optional port; a trailing path or slash is dropped. Returns
   a malloc'd URL, or NULL with *why_r pointing to a static explanation. */
char *shoper_config_normalize_url(const char *url, const char **why_r);

/* Read the first line of the shop's password file (checked for mode).
   Returns a malloc'd password or NULL with a message in err (size n). */
char *shoper_config_read_password(const struct shoper_sync_config *cfg,
				  const struct shoper_shop_config *shop,
				  char *err, unsigned int n);

#endif
