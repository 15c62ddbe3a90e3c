#ifndef SHOPER_SYNC_STATUS_DOVEADM_H
#define SHOPER_SYNC_STATUS_DOVEADM_H

/* doveadm for the status changes: the outcome keyword and the notice of a
   refusal on the moved message (mail commands, through the doveadm server
   when [sync] doveadm_socket is set), and the user's shoper_shops (doveadm
   user, else doveadm config, as the plugin reads it). doveadm always gets
   an argument vector, never a shell. */

#include <stdbool.h>
#include "config.h"
#include "shoper-queue.h"
#include "status-notice.h"

/* doveadm flags OP -u USER KEYWORD mailbox M uid U; 0 when it exited 0. */
int sync_doveadm_flags(const struct shoper_sync_config *cfg,
		       const struct shoper_queue_request *req, const char *op,
		       const char *keyword);
/* doveadm save -u USER -m M of a short message saying who refused and
   why (status-notice.h), with the user's shoper_notice_* settings (read
   as shoper_shops is). Call it only for a target sync_status_target_ok()
   accepted. */
void sync_doveadm_save_notice(const struct shoper_sync_config *cfg,
			      const struct sync_notice *n);

/* Whether user's shoper_shops holds shop, by the plugin's rule: exactly
   "*" means every shop, else names separated by spaces, tabs or commas;
   unset or empty means none. 1 yes, 0 no (why in why; also for a user
   the userdb doesn't know), -1 doveadm failed (worth another try).
   Answers are kept until sync_doveadm_scope_forget(). */
int sync_doveadm_scope_has(const struct shoper_sync_config *cfg,
			   const char *user, const char *shop, char *why,
			   size_t why_size);
/* The user's shoper_shops value itself (NULL: unset), same cache: 1 read,
   0 no such user, -1 doveadm failed or out of memory. */
int sync_doveadm_scope_value(const struct shoper_sync_config *cfg,
			     const char *user, const char **value_r);
/* The user's shoper_status_folder (NULL: unset), same cache and answers. */
int sync_doveadm_status_folder(const struct shoper_sync_config *cfg,
			       const char *user, const char **value_r);
void sync_doveadm_scope_forget(void);

/* The rule alone, on a shoper_shops value (NULL: unset). */
bool sync_scope_value_has(const char *value, const char *shop);
/* The same rule as a list: *all_r for every shop (exactly "*"), else the
   names (malloc'd; none for unset or empty). 0, or -1 out of memory. */
int sync_scope_names(const char *value, bool *all_r, char ***names_r,
		     unsigned int *n_r);
void sync_scope_names_free(char ***names, unsigned int *n);

#endif
