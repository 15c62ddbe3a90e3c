#ifndef SHOPER_SYNC_HOOK_LISTEN_H
#define SHOPER_SYNC_HOOK_LISTEN_H

/* The daemon's webhook listener (libmicrohttpd, its own thread): checks
   every request (POST, the shop's webhook id and X-Webhook-Sha1, body
   size, rate per source) and queues the order id it names. A webhook is
   only a trigger: the daemon's loop re-reads the queued orders by REST. */

#include <stdbool.h>
#include "config.h"
#include "engine.h"
#include "shoper-lib.h"
#include "state.h"

#define HOOK_MAX_BODY (1024 * 1024)

struct hook_listener;

/* NULL with err when cfg->webhook_listen is set and cannot be served;
   NULL without error (err->msg "") when it is not set. */
struct hook_listener *hook_listen_start(const struct shoper_sync_config *cfg,
					struct shoper_error *err);
void hook_listen_stop(struct hook_listener **l);
/* Seconds since the oldest queued order arrived, -1: none queued. */
double hook_listen_pending(struct hook_listener *l);
/* Moves the order ids queued for shop into ids (appended). */
void hook_listen_take(struct hook_listener *l, const char *shop,
		      struct engine_ids *ids);
/* With [cluster] (hook-cluster.c): what became of a verified webhook's
   order id. KEEP: queued here (this node leads the shop); HANDED: on
   the shop's hand-over stream in Redis; KEPT_RETRY: Redis did not take
   it, so it is queued here for a later hand-over and the shop is
   answered 503. */
enum hook_hand { HOOK_KEEP, HOOK_HANDED, HOOK_KEPT_RETRY };
/* Runs in the listener's thread; shop is the index in cfg->shops. */
typedef enum hook_hand hook_hand_fn(void *ctx, unsigned int shop,
				    long long order);
/* fn NULL: every order id is queued here (as without [cluster]). Waits
   until an id the previous fn kept is in the queue. */
void hook_listen_set_hand(struct hook_listener *l, hook_hand_fn *fn, void *ctx);
/* Queues the ids for the shop cfg->shops[shop] again. */
void hook_listen_queue(struct hook_listener *l, unsigned int shop,
		       const struct engine_ids *ids);
/* Adds the counts since the last flush to the state (webhook_stats). */
void hook_listen_flush_stats(struct hook_listener *l, struct sync_state *st);

#endif
