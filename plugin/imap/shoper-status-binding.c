/* Binding a status request to its message: the order must be the
   sender's (From, Reply-To, Return-Path) or named in the Subject. */

#include "lib.h"
#include <ctype.h>
#include "message-address.h"
#include "mail-storage.h"
#include "shoper-settings.h"
#include "shoper-index.h"
#include "shoper-status-binding.h"

static const char *const shoper_binding_address_headers[] = {"From", "Reply-To",
							     "Return-Path"};

/* 1: one of the header's addresses normalises to key; 0: none; -1 error */
static int shoper_binding_address(struct mail *mail, const char *name,
				  const char *key)
{
	const struct message_address *addr;
	const char *value;
	char norm[1025];
	int ret;

	ret = mail_get_first_header(mail, name, &value);
	if (ret <= 0)
		return ret;
	addr = message_address_parse(pool_datastack_create(),
				     (const unsigned char *)value,
				     strlen(value), UINT_MAX, 0);
	for (; addr != NULL; addr = addr->next) {
		if (addr->mailbox == NULL || addr->domain == NULL ||
		    *addr->mailbox == '\0' || *addr->domain == '\0')
			continue; /* group markers, invalid */
		const char *email =
			t_strdup_printf("%s@%s", addr->mailbox, addr->domain);
		if (shoper_email_normalize(email, strlen(email), norm,
					   sizeof(norm)) > 0 &&
		    strcmp(norm, key) == 0)
			return 1;
	}
	return 0;
}

/* id at subject[start..end) is a number of its own, not part of a
   longer one */
static bool shoper_binding_whole(const char *subject, size_t start, size_t end)
{
	return (start == 0 || !i_isdigit(subject[start - 1])) &&
	       !i_isdigit(subject[end]);
}

/* the numbers the delivery's subject matching would try */
static bool shoper_binding_subject_re(const struct shoper_settings *set,
				      const char *subject, const char *id)
{
	struct shoper_subject_iter it = {subject, 0};
	const char *base, *num;
	size_t len;

	while (shoper_subject_next(set, &it, &base, &num, &len)) {
		if (len == strlen(id) && memcmp(num, id, len) == 0 &&
		    shoper_binding_whole(base, num - base, num - base + len))
			return TRUE;
	}
	return FALSE;
}

static bool shoper_binding_subject_token(const char *subject, const char *id)
{
	size_t len = strlen(id);
	const char *p = subject;

	if (len == 0)
		return FALSE;
	while ((p = strstr(p, id)) != NULL) {
		if (shoper_binding_whole(subject, p - subject,
					 p - subject + len))
			return TRUE;
		p++;
	}
	return FALSE;
}

/* 1: one of the address headers holds the address addr; 0: none (also
   when addr is no key); -1 error */
static int shoper_binding_addresses(struct mail *mail,
				    const struct shoper_str *addr)
{
	char key[1025];
	int ret;

	if (addr->len == 0 ||
	    shoper_email_normalize(addr->ptr, addr->len, key, sizeof(key)) <= 0)
		return 0;
	for (unsigned int i = 0; i < N_ELEMENTS(shoper_binding_address_headers);
	     i++) {
		ret = shoper_binding_address(
			mail, shoper_binding_address_headers[i], key);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int shoper_status_binding_check(struct mail *mail,
				const struct shoper_settings *set,
				const struct shoper_order *order,
				const char *order_id)
{
	const char *subject;
	int ret;

	/* the order's e-mail, or its delivery address (customers write
	   from either) */
	ret = shoper_binding_addresses(mail, &order->email);
	if (ret == 0)
		ret = shoper_binding_addresses(mail, &order->delivery_email);
	if (ret != 0)
		return ret;
	/* decoded, so an encoded-word Subject counts like a plain one */
	ret = mail_get_first_header_utf8(mail, "Subject", &subject);
	if (ret <= 0)
		return ret;
	if (set->subject_re != NULL)
		return shoper_binding_subject_re(set, subject, order_id) ? 1
									 : 0;
	return shoper_binding_subject_token(subject, order_id) ? 1 : 0;
}
