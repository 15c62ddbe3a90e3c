#ifndef SHOPER_SYNC_WEBHOOK_FILE_H
#define SHOPER_SYNC_WEBHOOK_FILE_H

/* The webhook a shop was given (`shoper-sync webhooks install`): its id
   in the shop, the URL and the secret, in state_dir/<shop>.webhook (0600:
   the secret signs what the shop sends). A file, not the database: the
   install runs while a daemon holds the database, and the daemon reads
   the file again when it changes. */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "config.h"
#include "shoper-lib.h"

/* The events one webhook row carries. */
extern const char *const sync_webhook_events[];
#define SYNC_WEBHOOK_N_EVENTS 8u

struct sync_webhook {
	char id[24]; /* the shop's webhook_id */
	char url[1024];
	char secret[65]; /* 64 hex digits */
};

void sync_webhook_path(const struct shoper_sync_config *cfg, const char *shop,
		       char *buf, size_t size);
/* 1 read, 0 no such file, -1 err. *mtime_r (may be NULL): when written. */
int sync_webhook_load(const struct shoper_sync_config *cfg, const char *shop,
		      struct sync_webhook *w, time_t *mtime_r,
		      struct shoper_error *err);
int sync_webhook_save(const struct shoper_sync_config *cfg, const char *shop,
		      const struct sync_webhook *w, struct shoper_error *err);
int sync_webhook_delete(const struct shoper_sync_config *cfg, const char *shop,
			struct shoper_error *err);
/* A new secret of 32 random bytes from getrandom(), as hex. */
int sync_webhook_new_secret(char secret[65], struct shoper_error *err);
/* hex(SHA1(id ":" secret ":" body)) == sig (40 hex digits, any case),
   compared in constant time. */
bool sync_webhook_signature_ok(const char *id, const char *secret,
			       const void *body, size_t body_len,
			       const char *sig);

#endif
