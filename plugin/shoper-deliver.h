#ifndef SHOPER_DELIVER_H
#define SHOPER_DELIVER_H

/* Delivery: swap the delivery's source mail for one read through a header
   filter that drops incoming X-Shoper-* headers and appends ours. */

struct mail_user;
struct mail_deliver_context;

/* mail_user_created hook: reads the user's settings. */
void shoper_deliver_user_created(struct mail_user *user);
/* Called from the deliver hook before the next hook (Sieve or core).
   Never fails: on any problem the mail stays as it is. */
void shoper_deliver_prepare(struct mail_deliver_context *dctx);
void shoper_deliver_deinit(void);

#endif
