#ifndef SHOPER_STATUS_BINDING_H
#define SHOPER_STATUS_BINDING_H

/* Whether a message filed into a status folder belongs to the order its
   X-Shoper-Order-Id names: headers a client APPENDed, or mail stored
   before the delivery plugin stripped forged ones, are not to be trusted
   on their own. */

struct mail;
struct shoper_settings;
struct shoper_order;

/* 1 when order's e-mail or delivery_email is one of the addresses in the
   message's From, Reply-To or Return-Path, or order_id is in its Subject (by
   set->subject_re when compiled, else as a number of its own); 0 when
   neither; -1 when the header could not be read. Reads headers only. */
int shoper_status_binding_check(struct mail *mail,
				const struct shoper_settings *set,
				const struct shoper_order *order,
				const char *order_id);

#endif
