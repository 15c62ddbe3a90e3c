#ifndef SHOPER_DELIVER_H
#define SHOPER_DELIVER_H

/* Delivery: swap the delivery's source mail for one read through a header
   filter that drops incoming X-Shoper-* headers and appends ours. */

struct mail_user;
struct mail_deliver_context;

/* mail_user_created hook: reads the user's settings. */
void shoper_deliver_user_created(struct mail_user *user);
/* Called from the deliver hook before the next hook (Sieve or core), for
   every recipient (the hook is process-wide, whatever the user's
   mail_plugins). Returns -1 with dctx->tempfail_error set when incoming
   X-Shoper-* headers can't be removed; on any other problem the mail is
   delivered without our headers. */
int shoper_deliver_prepare(struct mail_deliver_context *dctx);

#endif
