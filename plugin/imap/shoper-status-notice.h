#ifndef SHOPER_STATUS_NOTICE_H
#define SHOPER_STATUS_NOTICE_H

/* A COPY/MOVE into a status folder that the IMAP module refuses gets the
   outcome a shop refusal gets: $ShoperStatusFailed on the copy and a short
   notice next to it saying why, never silence. */

#include "array.h"

/* what X-Shoper-Shop and X-Shoper-Order-Id may hold (doc/headers.md) */
#define SHOPER_NAME_CHARS                                                      \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

struct mailbox;
struct mailbox_transaction_context;
struct mail_transaction_commit_changes;
struct shoper_settings;

enum shoper_refusal_reason {
	SHOPER_REFUSED_NO_ORDER = 0, /* no X-Shoper-Shop / -Order-Id */
	SHOPER_REFUSED_SCOPE, /* shop not in shoper_shops */
	SHOPER_REFUSED_OTHER_SHOP, /* the folder is another shop's */
	SHOPER_REFUSED_NO_SUCH_ORDER,
	SHOPER_REFUSED_INDEX,
	SHOPER_REFUSED_NOT_CUSTOMER, /* not the order's sender or subject */
	SHOPER_REFUSED_UNREADABLE,
	SHOPER_REFUSED_RETIRED, /* the folder's status is no longer active */
	SHOPER_REFUSED_INTERNAL,
	SHOPER_REFUSED_COUNT
};

struct shoper_refusal {
	struct mailbox_transaction_context *t;
	unsigned int save_idx;
	enum shoper_refusal_reason reason;
	/* from the message's headers (checked charset), "" when absent */
	const char *shop, *order_id;
};
ARRAY_DEFINE_TYPE(shoper_refusal, struct shoper_refusal);

/* After t's commit: marks each refused copy and saves its notice in box
   (a transaction of its own; failures are logged). */
void shoper_status_notice_refused(
	struct mailbox *box, const struct shoper_settings *set,
	const ARRAY_TYPE(shoper_refusal) * refused,
	const struct mail_transaction_commit_changes *ch);

#endif
