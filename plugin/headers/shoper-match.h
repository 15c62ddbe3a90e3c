#ifndef SHOPER_MATCH_H
#define SHOPER_MATCH_H

/* Finding the message's orders: the keys of shoper_match, in its order. */

#include "shoper-headers.h"

struct mail;
struct smtp_address;
struct shoper_index_reader;

struct shoper_match_input {
	const char *from; /* bare addresses (local@domain) or NULL */
	const char *reply_to;
	const char *envelope;
	const char *subject; /* decoded to UTF-8, or NULL */
	/* the header has an X-Shoper-* line (as the delivery filter parses
	   it), or could not be read to its end: it must be filtered */
	bool has_ours;
	/* the header's physical size with its blank line (where the body
	   starts); UOFF_T_MAX when the header could not be read to its end
	   (has_ours is set then) */
	uoff_t header_size;
};

/* Reads the keys from the message (the header of mail, which must be a
   raw-storage mail with box->input; the envelope sender from mail_from).
   Strings are allocated from pool. */
void shoper_match_input_from_mail(struct mail *mail,
				  const struct smtp_address *mail_from,
				  pool_t pool, struct shoper_match_input *in_r);

/* Tries the keys of set->match in order; the first one with orders in the
   user's shops wins. On success (1) lookup_r holds copies allocated from
   pool. Returns 0 when nothing matched, -1 with error_r when the index
   failed (corrupt record). */
int shoper_match_lookup(struct shoper_index_reader *reader,
			const struct shoper_settings *set,
			const struct shoper_match_input *in, pool_t pool,
			struct shoper_lookup *lookup_r, const char **error_r);

#endif
