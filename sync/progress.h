#ifndef SHOPER_SYNC_PROGRESS_H
#define SHOPER_SYNC_PROGRESS_H

/* What a sync shows: on a terminal a progress bar (orders fetched of
   total, calls, ETA); otherwise one summary line per shop. */

#include <stdbool.h>

struct sync_shop_result;
struct sync_progress;

/* tty: draw the bar on stderr; quiet: print only failures. */
struct sync_progress *sync_progress_new(bool tty, bool quiet);
void sync_progress_free(struct sync_progress **p);

/* All accept p == NULL (nothing shown). */
void sync_progress_start(struct sync_progress *p, const char *shop);
void sync_progress_update(struct sync_progress *p, long long fetched,
			  long long total, unsigned int calls);
void sync_progress_finish(struct sync_progress *p,
			  const struct sync_shop_result *res);

#endif
