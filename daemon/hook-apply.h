#ifndef SHOPER_SYNC_HOOK_APPLY_H
#define SHOPER_SYNC_HOOK_APPLY_H

#include "hook-listen.h"

/* Coalescing: queued orders wait this long for more of a burst. */
#define HOOK_COALESCE_SECS 0.2

/* Re-reads and publishes every order queued so far, shop by shop, and
   keeps the listener's counts in the state. */
void hook_apply(struct hook_listener *l, const struct shoper_sync_config *cfg,
		struct sync_state *st, volatile int *stop_flag, bool quiet);

#endif
