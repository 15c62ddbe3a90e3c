#ifndef SHOPER_INDEX_CACHE_H
#define SHOPER_INDEX_CACHE_H

/* One index reader per process, shared by all deliveries of that process
   (an LMTP process serves many). Failures are logged once per change of
   state (and again every SHOPER_WARN_INTERVAL_SECS while it lasts), never
   once per message, and a recovery once. The limit is shared by all mail
   processes (dovecot-lda: one per message) through the stamp
   <index dir>/queue/.shoper-warned when that directory is writable. */

#define SHOPER_WARN_INTERVAL_SECS (10 * 60)

struct shoper_index_reader;

/* Returns the reader for path, refreshed (a replaced file is picked up),
   or NULL when the index can't be used now (warning logged as above). */
struct shoper_index_reader *shoper_index_cache_get(const char *path);
/* Reports a failed lookup on the reader (e.g. a corrupt record). */
void shoper_index_cache_failed(const char *path, const char *error);
void shoper_index_cache_deinit(void);

#endif
