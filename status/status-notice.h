#ifndef SHOPER_SYNC_STATUS_NOTICE_H
#define SHOPER_SYNC_STATUS_NOTICE_H

/* The notice of a refused status change that shoper-sync saves next to
   the moved message: the same sender, languages and first line as the
   IMAP module's notice of a move it refuses (shoper_notice_from,
   shoper_notice_language, shoper_notice_text; doc/status-change.md), a
   note (Auto-Submitted: auto-generated), not a bounce. */

#include <stdbool.h>
#include <stdio.h>
#include "shoper-queue.h"

/* A refusal's notice: what it may say, all verified by shoper-sync. */
struct sync_notice {
	const struct shoper_queue_request *req; /* user, mailbox, ids, shop */
	const char *status_name; /* from shoper-sync's state, "" unknown */
	const char *reason;
	bool by_shop; /* the shop refused (else shoper-sync's own check) */
};

/* The user's shoper_notice_* settings; NULL: the default. */
struct sync_notice_settings {
	const char *from, *language, *text;
};

#define SYNC_NOTICE_DEFAULT_FROM "Shoper <shoper-status@localhost>"

/* The whole message (header and body, CRLF) to f, e.g. doveadm save's
   stdin; now is its Date. */
void sync_notice_write(FILE *f, const struct sync_notice *n,
		       const struct sync_notice_settings *set, long long now);

#endif
