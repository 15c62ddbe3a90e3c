/* The [cluster] section's keys. The shoper-sync.conf parser hands each
   key = value line of the section here, so the section's rules live
   with the code that uses them. */
#include "shoper-cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void shoper_cluster_config_init(struct shoper_cluster_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->key_prefix, sizeof(cfg->key_prefix), "shoper");
	snprintf(cfg->sentinel_master, sizeof(cfg->sentinel_master),
		 "mymaster");
	cfg->lease_ms = 30000;
	cfg->timeout_ms = 2000;
	cfg->replicas_ack = -1;
}

static int set_str(char *dst, size_t size, const char *key, const char *value,
		   struct shoper_error *err)
{
	if (strlen(value) >= size) {
		shoper_error_set(err, "%s is longer than %zu bytes; shorten it",
				 key, size - 1);
		return -1;
	}
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

static int set_bool(bool *dst, const char *key, const char *value,
		    struct shoper_error *err)
{
	if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
		shoper_error_set(err, "%s = %s; write yes or no", key, value);
		return -1;
	}
	*dst = strcmp(value, "yes") == 0;
	return 0;
}

static int set_ms(unsigned int *dst, const char *key, const char *value,
		  unsigned int min, unsigned int max, struct shoper_error *err)
{
	char *end;
	unsigned long v = strtoul(value, &end, 10);

	if (*value == '\0' || *end != '\0' || v < min || v > max) {
		shoper_error_set(
			err,
			"%s = %s is not milliseconds from %u to %u; write e.g. %s = %u",
			key, value, min, max, key,
			min * 100 < max ? min * 100 : max);
		return -1;
	}
	*dst = (unsigned int)v;
	return 0;
}

int shoper_cluster_config_set(struct shoper_cluster_config *cfg,
			      const char *key, const char *value,
			      struct shoper_error *err)
{
	cfg->enabled = true;
	if (strcmp(key, "redis") == 0)
		return set_str(cfg->redis, sizeof(cfg->redis), key, value, err);
	if (strcmp(key, "sentinel") == 0)
		return set_str(cfg->sentinel, sizeof(cfg->sentinel), key, value,
			       err);
	if (strcmp(key, "sentinel_master") == 0)
		return set_str(cfg->sentinel_master,
			       sizeof(cfg->sentinel_master), key, value, err);
	if (strcmp(key, "tls") == 0)
		return set_bool(&cfg->tls, key, value, err);
	if (strcmp(key, "sentinel_tls") == 0)
		return set_bool(&cfg->sentinel_tls, key, value, err);
	if (strcmp(key, "sentinel_password_file") == 0)
		return set_str(cfg->sentinel_password_file,
			       sizeof(cfg->sentinel_password_file), key, value,
			       err);
	if (strcmp(key, "sentinel_user") == 0)
		return set_str(cfg->sentinel_user, sizeof(cfg->sentinel_user),
			       key, value, err);
	if (strcmp(key, "tls_ca_file") == 0)
		return set_str(cfg->tls_ca_file, sizeof(cfg->tls_ca_file), key,
			       value, err);
	if (strcmp(key, "password_file") == 0)
		return set_str(cfg->password_file, sizeof(cfg->password_file),
			       key, value, err);
	if (strcmp(key, "user") == 0)
		return set_str(cfg->user, sizeof(cfg->user), key, value, err);
	if (strcmp(key, "node") == 0) {
		if (strchr(value, ' ') != NULL) {
			shoper_error_set(
				err,
				"node = %s has a space; write a name without spaces",
				value);
			return -1;
		}
		return set_str(cfg->node, sizeof(cfg->node), key, value, err);
	}
	if (strcmp(key, "key_prefix") == 0)
		return set_str(cfg->key_prefix, sizeof(cfg->key_prefix), key,
			       value, err);
	if (strcmp(key, "lease_ms") == 0)
		return set_ms(&cfg->lease_ms, key, value, 300, 600000, err);
	if (strcmp(key, "replicas_ack") == 0) {
		unsigned int n;
		if (set_ms(&n, key, value, 0, 5, err) < 0)
			return -1;
		cfg->replicas_ack = (int)n;
		return 0;
	}
	if (strcmp(key, "timeout_ms") == 0)
		return set_ms(&cfg->timeout_ms, key, value, 50, 60000, err);
	shoper_error_set(
		err,
		"unknown key '%s' in [cluster]; known keys: redis, sentinel, sentinel_master, sentinel_tls, sentinel_password_file, sentinel_user, tls, tls_ca_file, password_file, user, node, key_prefix, lease_ms, timeout_ms, replicas_ack",
		key);
	return -1;
}

int shoper_cluster_config_check(struct shoper_cluster_config *cfg,
				struct shoper_error *err)
{
	if (!cfg->enabled)
		return 0;
	if ((cfg->redis[0] == '\0') == (cfg->sentinel[0] == '\0')) {
		shoper_error_set(
			err,
			"[cluster] names no Redis, or two; set either redis = HOST:PORT (or unix:/PATH) or sentinel = HOST:PORT,...");
		return -1;
	}
	if (cfg->sentinel[0] == '\0' &&
	    (cfg->sentinel_tls || cfg->sentinel_password_file[0] != '\0' ||
	     cfg->sentinel_user[0] != '\0')) {
		shoper_error_set(
			err,
			"[cluster] has sentinel_tls, sentinel_password_file or sentinel_user but no sentinel; set sentinel = HOST:PORT,... or remove them");
		return -1;
	}
	if (cfg->sentinel_user[0] != '\0' &&
	    cfg->sentinel_password_file[0] == '\0') {
		shoper_error_set(
			err,
			"[cluster] sentinel_user %s has no password; set sentinel_password_file to a 0600 file with the Sentinels' password",
			cfg->sentinel_user);
		return -1;
	}
	if (cfg->replicas_ack < 0)
		cfg->replicas_ack = cfg->sentinel[0] != '\0' ? 1 : 0;
	/* the holder stops a third of the lease before it ends: a command
	   must fit in that third */
	if (cfg->timeout_ms * 3 > cfg->lease_ms) {
		shoper_error_set(
			err,
			"[cluster] timeout_ms %u is over a third of lease_ms %u; raise lease_ms",
			cfg->timeout_ms, cfg->lease_ms);
		return -1;
	}
	return 0;
}
