/* Match keys: From, Reply-To, envelope sender, order number in Subject. */

#include "lib.h"
#include "str.h"
#include "message-address.h"
#include "message-size.h"
#include "message-header-parser.h"
#include "message-header-decode.h"
#include "istream.h"
#include "smtp-address.h"
#include "mail-storage-private.h"
#include "shoper-match.h"

static const char *shoper_address(const char *value, pool_t pool)
{
	struct message_address *addr;

	addr = message_address_parse(pool_datastack_create(),
				     (const unsigned char *)value,
				     strlen(value), 1, 0);
	if (addr == NULL || addr->invalid_syntax || addr->mailbox == NULL ||
	    addr->domain == NULL || *addr->mailbox == '\0' ||
	    *addr->domain == '\0')
		return NULL;
	return p_strdup_printf(pool, "%s@%s", addr->mailbox, addr->domain);
}

static const char **shoper_key_header(const char *name, const char **from,
				      const char **reply_to,
				      const char **subject)
{
	if (strcasecmp(name, "From") == 0)
		return from;
	if (strcasecmp(name, "Reply-To") == 0)
		return reply_to;
	if (strcasecmp(name, "Subject") == 0)
		return subject;
	return NULL;
}

/* A key header's value is kept up to this many bytes: the header may be
   as big as the sender likes (folded over megabytes). */
#define SHOPER_KEY_VALUE_MAX 8192

static void shoper_key_value_append(string_t *value,
				    const struct message_header_line *hdr,
				    bool last_no_newline)
{
	size_t room, len = hdr->value_len;

	if (hdr->continued && !last_no_newline && str_len(value) > 0)
		str_append_c(value, '\n');
	if (str_len(value) >= SHOPER_KEY_VALUE_MAX)
		return;
	room = SHOPER_KEY_VALUE_MAX - str_len(value);
	str_append_data(value, hdr->value, I_MIN(len, room));
}

/* Reads From, Reply-To and Subject straight from the raw mail's header
   block: mail_get_first_header() on the raw mail would parse and cache
   every header through the index-mail machinery (~90k instructions per
   recipient), which nothing else uses (Sieve reads the filtered copy).
   Memory stays bounded whatever the header's size. */
void shoper_match_input_from_mail(struct mail *mail,
				  const struct smtp_address *mail_from,
				  pool_t pool, struct shoper_match_input *in_r)
{
	struct istream *input = mail->box->input;
	struct message_header_parser_ctx *parser;
	struct message_header_line *hdr;
	struct message_size hdr_size;
	const char *from = NULL, *reply_to = NULL, *subject = NULL;
	const char **dest = NULL;
	string_t *value = t_str_new(256);
	bool last_no_newline = FALSE;
	int ret;

	i_zero(in_r);
	i_stream_seek(input, 0);
	parser = message_parse_header_init(input, &hdr_size, 0);
	while ((ret = message_parse_header_next(parser, &hdr)) > 0) {
		if (hdr->eoh)
			break;
		/* the same parser and test as the delivery's header filter */
		if (shoper_header_line_action(hdr) != SHOPER_LINE_KEEP)
			in_r->has_ours = TRUE;
		if (!hdr->continued) {
			dest = shoper_key_header(hdr->name, &from, &reply_to,
						 &subject);
			if (dest != NULL && *dest != NULL)
				dest = NULL; /* the first one counts */
			str_truncate(value, 0);
		}
		if (dest != NULL) {
			shoper_key_value_append(value, hdr, last_no_newline);
			if (!hdr->continues) {
				*dest = t_strdup(str_c(value));
				dest = NULL;
			}
		}
		last_no_newline = hdr->no_newline;
	}
	message_parse_header_deinit(&parser);
	if (ret == 0 || input->stream_errno != 0) {
		in_r->has_ours = TRUE;
		in_r->header_size = UOFF_T_MAX;
	} else {
		in_r->header_size = hdr_size.physical_size;
	}
	i_stream_seek(input, 0);

	if (subject != NULL) {
		str_truncate(value, 0);
		message_header_decode_utf8((const unsigned char *)subject,
					   strlen(subject), value, NULL);
		subject = str_c(value);
	}
	if (from != NULL)
		in_r->from = shoper_address(from, pool);
	if (reply_to != NULL)
		in_r->reply_to = shoper_address(reply_to, pool);
	if (mail_from != NULL && !smtp_address_isnull(mail_from))
		in_r->envelope = p_strdup(pool, smtp_address_encode(mail_from));
	if (subject != NULL)
		in_r->subject = p_strdup(pool, subject);
}

static void shoper_str_dup(pool_t pool, struct shoper_str *s)
{
	char *copy = p_malloc(pool, s->len + 1);

	if (s->len > 0)
		memcpy(copy, s->ptr, s->len);
	s->ptr = copy;
}

/* The reader's strings point into its mapping and are only valid until
   its next call: keep copies. */
static void shoper_order_dup(pool_t pool, struct shoper_order *o)
{
	shoper_str_dup(pool, &o->shop);
	shoper_str_dup(pool, &o->order_id);
	shoper_str_dup(pool, &o->date);
	shoper_str_dup(pool, &o->status_id);
	shoper_str_dup(pool, &o->status_name);
	shoper_str_dup(pool, &o->total);
	shoper_str_dup(pool, &o->currency);
	shoper_str_dup(pool, &o->tracking);
	shoper_str_dup(pool, &o->customer);
	shoper_str_dup(pool, &o->email);
	shoper_str_dup(pool, &o->url);
	shoper_str_dup(pool, &o->synced);
	shoper_str_dup(pool, &o->delivery_email);
	shoper_str_dup(pool, &o->shipping);
	shoper_str_dup(pool, &o->tracking_url);
}

static int shoper_match_email(struct shoper_index_reader *reader,
			      const struct shoper_settings *set,
			      const char *email, pool_t pool,
			      struct shoper_lookup *lookup_r,
			      const char **error_r)
{
	/* not zeroed: ~13 KB (64 orders), and every order the lookup
	   returns is decoded over a memset of its own */
	struct shoper_index_result *res = t_malloc_no0(sizeof(*res));
	struct shoper_order *orders;
	struct shoper_error err;
	unsigned int i;
	int ret;

	err.msg[0] = '\0';
	ret = shoper_index_lookup_email(reader, email, set->shops, set->n_shops,
					set->max_orders, res, &err);
	if (ret < 0) {
		*error_r = t_strdup(err.msg);
		return -1;
	}
	if (ret == 0 || res->count == 0)
		return 0;
	orders = p_new(pool, struct shoper_order, res->count);
	for (i = 0; i < res->count; i++) {
		orders[i] = res->orders[i];
		shoper_order_dup(pool, &orders[i]);
	}
	lookup_r->primary = &orders[0];
	lookup_r->orders = orders;
	lookup_r->count = res->count;
	return 1;
}

static int shoper_str_cmp(const struct shoper_str *a,
			  const struct shoper_str *b)
{
	int ret = memcmp(a->ptr, b->ptr, I_MIN(a->len, b->len));

	if (ret != 0)
		return ret;
	return a->len < b->len ? -1 : (a->len > b->len ? 1 : 0);
}

/* The newest order with this number among the user's shops. */
/* The shops an order number is looked up in: the user's shoper_shops, or
   with "*" every shop the index holds (copied: names point into the map). */
static int shoper_match_shops(struct shoper_index_reader *reader,
			      const struct shoper_settings *set,
			      const char *const **shops_r,
			      unsigned int *n_shops_r, const char **error_r)
{
	struct shoper_index_info info;
	struct shoper_error err;
	struct shoper_str name;
	const char **shops;
	unsigned int i;

	if (set->shops != NULL) {
		*shops_r = set->shops;
		*n_shops_r = set->n_shops;
		return 0;
	}
	err.msg[0] = '\0';
	if (shoper_index_reader_info(reader, &info, &err) < 0) {
		*error_r = t_strdup(err.msg);
		return -1;
	}
	shops = t_new(const char *, info.n_shops + 1);
	for (i = 0; i < info.n_shops; i++) {
		if (shoper_index_reader_shop(reader, i, &name) <= 0)
			break;
		shops[i] = t_strndup(name.ptr, name.len);
	}
	*shops_r = shops;
	*n_shops_r = i;
	return 0;
}

static int shoper_match_order_id(struct shoper_index_reader *reader,
				 const struct shoper_settings *set,
				 const char *order_id, pool_t pool,
				 struct shoper_order **order_r,
				 const char **error_r)
{
	struct shoper_order order, *best = NULL;
	struct shoper_error err;
	const char *const *shops;
	unsigned int i, n_shops;
	int ret;

	if (shoper_match_shops(reader, set, &shops, &n_shops, error_r) < 0)
		return -1;
	for (i = 0; i < n_shops; i++) {
		err.msg[0] = '\0';
		ret = shoper_index_lookup_order(reader, shops[i], order_id,
						&order, &err);
		if (ret < 0) {
			*error_r = t_strdup(err.msg);
			return -1;
		}
		if (ret == 0)
			continue;
		if (best != NULL &&
		    shoper_str_cmp(&order.date, &best->date) <= 0)
			continue;
		best = p_new(pool, struct shoper_order, 1);
		*best = order;
		shoper_order_dup(pool, best);
	}
	*order_r = best;
	return best != NULL ? 1 : 0;
}

static int shoper_match_subject(struct shoper_index_reader *reader,
				const struct shoper_settings *set,
				const char *subject, pool_t pool,
				struct shoper_lookup *lookup_r,
				const char **error_r)
{
	struct shoper_subject_iter it = {subject, 0};
	struct shoper_order *order = NULL;
	const char *base, *num;
	size_t len;
	int ret;

	/* an order number only counts within the user's shops */
	if (subject == NULL)
		return 0;
	while (order == NULL &&
	       shoper_subject_next(set, &it, &base, &num, &len)) {
		ret = shoper_match_order_id(reader, set, t_strndup(num, len),
					    pool, &order, error_r);
		if (ret < 0)
			return -1;
		if (ret == 0)
			order = NULL;
	}
	if (order == NULL)
		return 0;
	/* the customer's other orders come from the order's e-mail */
	if (order->email.len == 0 ||
	    shoper_match_email(reader, set,
			       t_strndup(order->email.ptr, order->email.len),
			       pool, lookup_r, error_r) <= 0) {
		lookup_r->orders = order;
		lookup_r->count = 1;
	}
	lookup_r->primary = order;
	return 1;
}

int shoper_match_lookup(struct shoper_index_reader *reader,
			const struct shoper_settings *set,
			const struct shoper_match_input *in, pool_t pool,
			struct shoper_lookup *lookup_r, const char **error_r)
{
	const char *email;
	unsigned int i;
	int ret = 0;

	i_zero(lookup_r);
	for (i = 0; i < set->n_match && ret == 0; i++) {
		lookup_r->key = set->match[i];
		switch (set->match[i]) {
		case SHOPER_MATCH_FROM:
		case SHOPER_MATCH_REPLY_TO:
		case SHOPER_MATCH_ENVELOPE:
			email = set->match[i] == SHOPER_MATCH_FROM ? in->from
				: set->match[i] == SHOPER_MATCH_REPLY_TO
					? in->reply_to
					: in->envelope;
			if (email == NULL)
				break;
			ret = shoper_match_email(reader, set, email, pool,
						 lookup_r, error_r);
			break;
		case SHOPER_MATCH_SUBJECT:
			ret = shoper_match_subject(reader, set, in->subject,
						   pool, lookup_r, error_r);
			break;
		case SHOPER_MATCH_KEY_COUNT:
			i_unreached();
		}
	}
	return ret;
}
