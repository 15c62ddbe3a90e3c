#ifndef SHOPER_INDEX_H
#define SHOPER_INDEX_H

/* The order index: the contract between shoper-sync (writer) and the Dovecot
   plugin (reader). Plain C11, no Dovecot headers, so both can link it.
   The on-disk format is described in doc/index-format.md. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoper-lib.h" /* struct shoper_error */

/* The format version this library writes, and the oldest it reads
   (doc/index-format.md, "Versioning"). */
#define SHOPER_INDEX_FORMAT_VERSION 2
#define SHOPER_INDEX_FORMAT_MIN_VERSION 1
/* Default cap of orders kept per customer and shop (newest first). */
#define SHOPER_INDEX_DEFAULT_MAX_ORDERS 20

/* A length-delimited byte string. Values come from the shop as it sent
   them (UTF-8, possibly hostile: CR, LF, NUL, invalid UTF-8, very long);
   cleaning for mail headers is the plugin's job. In a lookup result the
   bytes point into the mapped file and stay valid until the next call on
   the same reader. */
struct shoper_str {
	const char *ptr;
	size_t len;
};

/* Shoper status types (statuses.type "1".."4"). */
enum shoper_status_type {
	SHOPER_STATUS_TYPE_UNKNOWN = 0,
	SHOPER_STATUS_TYPE_NEW = 1,
	SHOPER_STATUS_TYPE_IN_PROGRESS = 2,
	SHOPER_STATUS_TYPE_CLOSED = 3,
	SHOPER_STATUS_TYPE_NOT_COMPLETED = 4,
};

/* "new", "in-progress", "closed", "not-completed" or "unknown". */
const char *shoper_status_type_name(enum shoper_status_type type);

struct shoper_order {
	struct shoper_str shop; /* shop name as configured in shoper-sync */
	struct shoper_str order_id; /* "12345" */
	struct shoper_str date; /* "2026-11-20 14:03:22", shop-local */
	struct shoper_str status_id;
	struct shoper_str status_name; /* in the shop's configured language */
	enum shoper_status_type status_type;
	struct shoper_str total; /* "164.98" as the shop sent it */
	struct shoper_str currency; /* "PLN" */
	bool paid;
	struct shoper_str tracking; /* "a, b" or empty */
	struct shoper_str customer; /* billing name, or company when set */
	struct shoper_str email; /* as the shop stores it */
	struct shoper_str url; /* admin URL of the order */
	struct shoper_str synced; /* "2026-11-29 10:15:00": when fetched */
	/* Since format version 2 (empty in a version-1 file): */
	/* the order's second address (the shop's delivery_email), set only
	   when it is another key than email; the order is found under both */
	struct shoper_str delivery_email;
	struct shoper_str shipping; /* the shipping method's name */
	/* the shipping's tracking URL template, "{tracking_number}" marks
	   where a number goes (filled and checked by the plugin) */
	struct shoper_str tracking_url;
};

/* Normalise an e-mail address into a key: trim ASCII white space and
   angle brackets, lower-case ASCII letters (other bytes kept as is).
   Writes at most out_size-1 bytes plus NUL; returns the key length, or
   -1 if the result is empty, would not fit (or is over 1024 bytes), has
   no '@' or contains a NUL byte (such an address can never be a key, so
   e-mail keys cannot collide with order keys or the meta key). */
int shoper_email_normalize(const char *email, size_t len, char *out,
			   size_t out_size);

/* ---- writer (used by shoper-sync) ---- */

struct shoper_index_writer;

/* max_orders: newest orders kept per customer and shop (0 = default). */
struct shoper_index_writer *shoper_index_writer_new(unsigned int max_orders);
/* What shoper_index_writer_add() did with an order. */
enum shoper_index_add {
	/* The writer could not take it (out of memory, too many orders): an
	   index now would lack orders, so the writer refuses every later add
	   and the publish. The caller keeps the old index. */
	SHOPER_INDEX_ADD_FAILED = -1,
	SHOPER_INDEX_ADD_OK = 0,
	/* The order's data cannot be indexed (a field over
	   SHOPER_INDEX_MAX_FIELD, an empty order id, ...): it is left out,
	   the writer is unchanged and usable. */
	SHOPER_INDEX_ADD_BAD_ORDER = 1,
};

/* Add one order; all strings are copied. Orders may come in any order and
   from several shops. Orders with an empty or unusable e-mail are still
   findable by order key. An order whose delivery_email is another usable
   key than its e-mail is also found under that address (the writer
   stores delivery_email only then). Anything but OK sets err. */
enum shoper_index_add shoper_index_writer_add(struct shoper_index_writer *w,
					      const struct shoper_order *order,
					      struct shoper_error *err);
/* Write the index to path atomically: temporary file in the same directory,
   fsync, rename over path, fsync the directory. File mode 0640, group of
   the directory. On failure (also: an add failed before) the old file is
   untouched and err says why. */
int shoper_index_writer_publish(struct shoper_index_writer *w, const char *path,
				struct shoper_error *err);
void shoper_index_writer_free(struct shoper_index_writer **w);

/* ---- incremental publish: the delta (doc/index-format.md §10) ---- */

/* An order by its key: shop name and order id. */
struct shoper_order_ref {
	struct shoper_str shop, order_id;
};
struct shoper_index_delta_info {
	unsigned int orders; /* changed orders the delta now holds */
	unsigned int deleted; /* deletions it holds */
};
/* Publishes changed[0..n_changed) (each replaces the order of the same
   key, under all its e-mail keys) and the deletion of deleted[] over the
   index at path, as "<path>.delta": the current delta's content, these
   changes over it, written atomically and bound to the index's
   generation. An order both changed and deleted is deleted. info_r (may
   be NULL) says how large the delta now is: the caller folds it (a full
   publish, shoper_index_writer_publish, which also drops the delta)
   when it grows. Returns 1 published; 0 not possible, do a full publish
   (no readable index, one without a generation, or a delta file that is
   there but not usable: its changes would be lost); -1 error (an order
   the index cannot hold, out of memory, the delta not written). */
int shoper_index_publish_changes(const char *path,
				 const struct shoper_order *changed,
				 unsigned int n_changed,
				 const struct shoper_order_ref *deleted,
				 unsigned int n_deleted,
				 struct shoper_index_delta_info *info_r,
				 struct shoper_error *err);

/* ---- reader (used by the plugin and by shoper-sync lookup) ---- */

struct shoper_index_reader;

/* Opens lazily: a missing file is not an error until a lookup. */
struct shoper_index_reader *shoper_index_reader_new(const char *path);
/* A reader over a whole index file already in memory (the caller's
   buffer, which must outlive the reader): parsed at the first refresh or
   lookup and never replaced. For tools, tests and the fuzz target. */
struct shoper_index_reader *shoper_index_reader_new_buffer(const void *data,
							   size_t size);
void shoper_index_reader_free(struct shoper_index_reader **r);

/* Result of a lookup: orders newest first across shops. Pointers are into
   the mapped file, valid until the next call on this reader. */
#define SHOPER_INDEX_MAX_RESULT 64
struct shoper_index_result {
	unsigned int count;
	struct shoper_order orders[SHOPER_INDEX_MAX_RESULT];
};

/* Checks whether the file was replaced (inode, device, size or mtime
   changed) and (re)maps it. Returns 0 on success, -1 with err on a
   missing, unreadable, corrupt or wrong-version file. */
int shoper_index_reader_refresh(struct shoper_index_reader *r,
				struct shoper_error *err);

/* How often lookups check for a replaced file. 0 (the default): every
   lookup stats the path first. N > 0: at most every N milliseconds (an
   explicit refresh always checks). A stat costs a system call, which on
   some virtual machines also costs the lookup its TLB (see bench/ and
   README): a process doing many lookups should set an interval or call
   refresh once per message and use an interval. */
void shoper_index_reader_set_check_interval(struct shoper_index_reader *r,
					    unsigned int msecs);

/* Orders of the customer with this e-mail (any case/whitespace; it is
   normalised here). shops: NULL = all shops, otherwise only orders of the
   n_shops named shops. At most max_orders (0 = all) are returned.
   Returns 1 found, 0 not found (also: orders only in other shops, or an
   address that cannot be a key), -1 error (missing, corrupt or
   wrong-version file, corrupt record). Like every lookup it first checks
   for a replaced file (see shoper_index_reader_set_check_interval). */
int shoper_index_lookup_email(struct shoper_index_reader *r, const char *email,
			      const char *const *shops, unsigned int n_shops,
			      unsigned int max_orders,
			      struct shoper_index_result *result,
			      struct shoper_error *err);

/* One order by shop name and order id (key "#<shop>:<order_id>").
   Returns 1 found, 0 not found, -1 error. */
int shoper_index_lookup_order(struct shoper_index_reader *r, const char *shop,
			      const char *order_id,
			      struct shoper_order *order_r,
			      struct shoper_error *err);

/* Walks every record of the file (refreshing first) and decodes it: e-mail
   records, order keys (including each pointer's target) and the meta record.
   For `shoper-sync check`, tests and the fuzzer. Returns 0 or -1 with err. */
int shoper_index_reader_verify(struct shoper_index_reader *r,
			       struct shoper_error *err);

/* What the meta record says about the mapped file (refreshed like a
   lookup: honours the check interval). */
struct shoper_index_info {
	uint64_t build_time; /* unix seconds of the publish */
	unsigned int max_orders; /* per customer and shop */
	unsigned int n_shops;
	uint64_t file_size;
};
int shoper_index_reader_info(struct shoper_index_reader *r,
			     struct shoper_index_info *info_r,
			     struct shoper_error *err);

/* Name of shop number idx (0 <= idx < info.n_shops from the last
   reader_info() call) in the current map. Returns 1, or 0 when out of
   range or not mapped. The name points into the map. */
int shoper_index_reader_shop(struct shoper_index_reader *r, unsigned int idx,
			     struct shoper_str *name_r);

/* ---- record codec, exposed for tests and fuzzing ---- */

/* The longest string field an order may have; longer ones make
   shoper_index_writer_add() answer SHOPER_INDEX_ADD_BAD_ORDER. */
#define SHOPER_INDEX_MAX_FIELD (64 * 1024)

/* The parsed meta record (format version, shop table, status, currency,
   synced and admin-URL tables). Its strings point into data, which must
   outlive it. It also owns the scratch space that decoded admin URLs are
   built in. */
struct shoper_index_meta;
struct shoper_index_meta *shoper_index_meta_parse(const unsigned char *data,
						  size_t len,
						  struct shoper_error *err);
void shoper_index_meta_free(struct shoper_index_meta **meta);

/* Decode one stored record value found under the e-mail key key[0..key_len)
   into result (at most SHOPER_INDEX_MAX_RESULT orders, newest first).
   Per-order records refer to the meta tables, hence the meta argument;
   the key is needed because an order's e-mail is omitted when it equals
   the key. Strings point into data, key, the meta's data and the meta's
   scratch (valid until the next decode with this meta). Never reads
   outside the given buffers. Returns 0 or -1 with err. */
int shoper_record_decode(struct shoper_index_meta *meta,
			 const unsigned char *key, size_t key_len,
			 const unsigned char *data, size_t len,
			 struct shoper_index_result *result,
			 struct shoper_error *err);

#endif
