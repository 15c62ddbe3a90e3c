/* The per-recipient source-mail swap (see doc/design.md and the plugin
   notes): Sieve and every save path read mail_deliver_context.src_mail,
   so a raw mail over a header-filtered stream of the original input is
   what Sieve tests and what is stored. */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "str.h"
#include "istream.h"
#include "istream-header-filter.h"
#include "message-header-parser.h"
#include "mail-user.h"
#include "mail-storage-private.h"
#include "raw-storage.h"
#include "smtp-address.h"
#include "mail-deliver.h"
#include "shoper-index.h"
#include "shoper-index-cache.h"
#include "shoper-match.h"
#include "shoper-deliver.h"

#define SHOPER_USER_CONTEXT(obj) MODULE_CONTEXT(obj, shoper_user_module)
#define SHOPER_STREAM_PREFIX "shoper-filter-"

/* one recipient's filtered copy, freed when the recipient user is */
struct shoper_delivery {
	pool_t pool;
	const char *block_lf, *block_crlf;
	struct mail_user *raw_user;
	struct mailbox *box;
	struct mailbox_transaction_context *trans;
	struct mail *mail;
};

struct shoper_user {
	union mail_user_module_context module_ctx;
	/* shoper_shops set: strip forged headers, even if settings are bad */
	bool active;
	struct shoper_settings *set; /* NULL if active but invalid */
	const char *set_error;
	ARRAY(struct shoper_delivery *) deliveries;
};

static MODULE_CONTEXT_DEFINE_INIT(shoper_user_module,
				  &mail_user_module_register);

/* The transaction's original raw mail. LMTP hands recipients 2..n the
   first recipient's saved copy (which carries that recipient's headers);
   every copy must be built from the original (pitfall 21). The raw mail
   lives until the LMTP transaction ends, and the first recipient of a
   session always gets it, so this is valid while the session is. */
static struct mail_deliver_session *shoper_src_session;
static struct mail *shoper_src_raw_mail;
static unsigned int shoper_stream_counter;
static bool shoper_warned_settings;

static bool shoper_mail_is_raw(struct mail *mail)
{
	return strcmp(mail->box->storage->name, RAW_STORAGE_NAME) == 0 &&
	       mail->box->input != NULL;
}

static struct mail *shoper_source_mail(struct mail_deliver_context *dctx)
{
	struct mail *src = dctx->src_mail;

	if (shoper_mail_is_raw(src) &&
	    !str_begins(i_stream_get_name(src->box->input),
			SHOPER_STREAM_PREFIX)) {
		shoper_src_session = dctx->session;
		shoper_src_raw_mail = src;
		return src;
	}
	if (shoper_src_session != NULL && shoper_src_session == dctx->session)
		return shoper_src_raw_mail;
	return NULL;
}

static void shoper_delivery_free(struct shoper_delivery *d)
{
	if (d->mail != NULL)
		mail_free(&d->mail);
	if (d->trans != NULL)
		mailbox_transaction_rollback(&d->trans);
	if (d->box != NULL)
		mailbox_free(&d->box);
	if (d->raw_user != NULL)
		mail_user_unref(&d->raw_user);
	pool_unref(&d->pool);
}

static void shoper_user_deinit(struct mail_user *user)
{
	struct shoper_user *suser = SHOPER_USER_CONTEXT(user);
	struct shoper_delivery *d;

	array_foreach_elem(&suser->deliveries, d) shoper_delivery_free(d);
	array_free(&suser->deliveries);
	suser->module_ctx.super.deinit(user);
}

void shoper_deliver_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs *v = user->vlast;
	struct shoper_user *suser;
	int ret;

	suser = p_new(user->pool, struct shoper_user, 1);
	suser->module_ctx.super = *v;
	user->vlast = &suser->module_ctx.super;
	v->deinit = shoper_user_deinit;
	p_array_init(&suser->deliveries, user->pool, 2);
	MODULE_CONTEXT_SET(user, shoper_user_module, suser);

	T_BEGIN
	{
		const char *error;

		ret = shoper_settings_read(user, &suser->set, &error);
		if (ret < 0)
			suser->set_error = p_strdup(user->pool, error);
	}
	T_END;
	suser->active = ret != 0;
}

static void shoper_filter_callback(struct header_filter_istream *input,
				   struct message_header_line *hdr,
				   bool *matched, struct shoper_delivery *d)
{
	const char *block;

	if (hdr == NULL)
		return;
	if (hdr->eoh) {
		/* runs again on every re-parse: always the same bytes */
		block = hdr->crlf_newline ? d->block_crlf : d->block_lf;
		if (*block != '\0')
			i_stream_header_filter_add(input, block, strlen(block));
		return;
	}
	/* dropping the first line drops its continuation lines too */
	if (!hdr->continued && shoper_header_is_ours(hdr->name))
		*matched = TRUE;
}

static void shoper_delivery_lookup(struct shoper_user *suser,
				   struct mail_deliver_context *dctx,
				   struct mail *src, struct shoper_delivery *d)
{
	struct shoper_index_reader *reader;
	struct shoper_match_input in;
	struct shoper_lookup lookup;
	const char *error;
	string_t *block;

	d->block_lf = d->block_crlf = "";
	if (suser->set == NULL) {
		if (!shoper_warned_settings) {
			i_warning("shoper: invalid settings, delivering "
				  "without X-Shoper headers: %s",
				  suser->set_error);
			shoper_warned_settings = TRUE;
		}
		return;
	}
	reader = shoper_index_cache_get(suser->set->index_path);
	if (reader == NULL)
		return;
	shoper_match_input_from_mail(src, dctx->mail_from,
				     pool_datastack_create(), &in);
	if (shoper_match_lookup(reader, suser->set, &in,
				pool_datastack_create(), &lookup, &error) < 0) {
		shoper_index_cache_failed(suser->set->index_path, error);
		return;
	}
	block = t_str_new(1024);
	shoper_headers_build(&lookup, suser->set->max_orders, block);
	d->block_lf = p_strdup(d->pool, str_c(block));
	string_t *crlf = t_str_new(str_len(block) + 32);
	for (const char *p = str_c(block); *p != '\0'; p++) {
		if (*p == '\n')
			str_append_c(crlf, '\r');
		str_append_c(crlf, *p);
	}
	d->block_crlf = p_strdup(d->pool, str_c(crlf));
}

static int shoper_delivery_open(struct shoper_delivery *d, struct mail *src,
				struct mail_deliver_context *dctx)
{
	struct istream *input, *filtered;
	const char *envelope = NULL;
	time_t received;

	if (mail_get_received_date(src, &received) < 0)
		received = ioloop_time;
	if (dctx->mail_from != NULL)
		envelope = smtp_address_encode(dctx->mail_from);

	/* wrap the raw box's input, never the mail's own stream (which is
	   freed before the recipient user), and seek it back: a child stream
	   starts at its parent's offset */
	i_stream_seek(src->box->input, 0);
	input = i_stream_create_limit(src->box->input, UOFF_T_MAX);
	filtered = i_stream_create_header_filter(
		input,
		HEADER_FILTER_EXCLUDE | HEADER_FILTER_CRLF_PRESERVE |
			HEADER_FILTER_ADD_MISSING_EOH,
		NULL, 0, shoper_filter_callback, d);
	i_stream_unref(&input);
	/* raw in-memory indexes are shared by name: keep ours apart */
	i_stream_set_name(filtered,
			  t_strdup_printf("%s%u", SHOPER_STREAM_PREFIX,
					  ++shoper_stream_counter));

	d->raw_user = src->box->storage->user;
	mail_user_ref(d->raw_user);
	if (raw_mailbox_alloc_stream(d->raw_user, filtered, received, envelope,
				     &d->box) < 0) {
		enum mail_error error;

		i_error("shoper: can't open the filtered mail: %s",
			mailbox_get_last_internal_error(d->box, &error));
		i_stream_unref(&filtered);
		return -1;
	}
	i_stream_unref(&filtered);
	d->trans = mailbox_transaction_begin(d->box, 0, "shoper");
	d->mail = mail_alloc(d->trans, 0, NULL);
	mail_set_seq(d->mail, 1);
	return 0;
}

void shoper_deliver_prepare(struct mail_deliver_context *dctx)
{
	struct shoper_user *suser = SHOPER_USER_CONTEXT(dctx->rcpt_user);
	struct shoper_delivery *d;
	struct mail *src;
	pool_t pool;

	src = shoper_source_mail(dctx);
	if (suser == NULL || !suser->active)
		return;
	if (src == NULL) {
		i_error("shoper: no raw source mail, X-Shoper headers not "
			"filtered (is the plugin enabled for all users?)");
		return;
	}
	pool = pool_alloconly_create("shoper delivery", 2048);
	d = p_new(pool, struct shoper_delivery, 1);
	d->pool = pool;
	T_BEGIN
	{
		shoper_delivery_lookup(suser, dctx, src, d);
	}
	T_END;
	if (shoper_delivery_open(d, src, dctx) < 0) {
		shoper_delivery_free(d);
		return;
	}
	array_push_back(&suser->deliveries, &d);
	dctx->src_mail = d->mail;
}

void shoper_deliver_deinit(void)
{
	shoper_src_session = NULL;
	shoper_src_raw_mail = NULL;
}
