#ifndef SHOPER_HEADERS_H
#define SHOPER_HEADERS_H

/* The header builder: a pure function from a lookup result to the block
   of X-Shoper-* header lines, with every value cleaned (see
   doc/headers.md). Lines end in LF; the delivery filter turns them into
   CRLF for CRLF messages. */

#include "shoper-index.h"
#include "shoper-settings.h"

#define SHOPER_HEADER_PREFIX "X-Shoper-"
#define SHOPER_HEADER_PREFIX_LEN (sizeof(SHOPER_HEADER_PREFIX) - 1)
/* Folding point for header lines (RFC 5322 recommends 78). */
#define SHOPER_HEADER_LINE_MAX 78

/* Per-value caps in characters (after cleaning). */
#define SHOPER_CAP_TOKEN 64
#define SHOPER_CAP_TEXT 120
#define SHOPER_CAP_TRACKING 200
#define SHOPER_CAP_URL 400
/* X-Shoper-Order-Tracking-Url: the whole list (whole URLs only) */
#define SHOPER_CAP_TRACKING_URLS 1000
/* where a tracking number goes in a shipping's tracking URL template */
#define SHOPER_TRACKING_PLACEHOLDER "{tracking_number}"

struct shoper_lookup {
	enum shoper_match_key key;
	/* the order the single-order headers describe */
	const struct shoper_order *primary;
	/* the customer's orders, newest first (primary need not be one) */
	const struct shoper_order *orders;
	unsigned int count;
};

/* Appends the header block for lookup to dest (nothing when there is no
   primary order). max_orders caps X-Shoper-Orders. */
void shoper_headers_build(const struct shoper_lookup *lookup,
			  unsigned int max_orders, string_t *dest);

/* Cleans a hostile value into printable UTF-8: invalid UTF-8 becomes
   U+FFFD (one per run of bad bytes), control characters (C0, DEL, C1,
   U+2028/9) and runs of white space become one space, the ends are
   trimmed, and the result is cut to max_chars characters. */
void shoper_header_clean(const void *data, size_t len, size_t max_chars,
			 string_t *dest);

/* Appends "Name: value\n" with value (already cleaned) as it is when it is
   printable ASCII (folded at spaces), else as RFC 2047 encoded-words. */
void shoper_header_append(string_t *dest, const char *name, const char *value);

/* TRUE if a header name starts with X-Shoper- (any case). */
bool shoper_header_is_ours(const char *name);

struct message_header_line;

/* What the delivery filter does with a header line as Dovecot's parser
   gives it (not the end of the header). Readers differ from that parser:
   some end a line at a lone CR, and a name over 1000 bytes is no name to
   it. So that no reader finds an X-Shoper-* header but ours: */
enum shoper_line_action {
	SHOPER_LINE_KEEP,
	/* an X-Shoper-* line (any name length), a name holding a CR, or a
	   line with no name holding one: dropped with its continuation
	   lines */
	SHOPER_LINE_DROP,
	/* a value holding a lone CR: passed with each CR a space */
	SHOPER_LINE_REWRITE,
};
enum shoper_line_action shoper_header_line_action(
	const struct message_header_line *hdr);

#endif
