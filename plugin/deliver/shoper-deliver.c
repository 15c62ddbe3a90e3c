/* The per-recipient source-mail swap (see doc/design.md and the plugin
   notes): Sieve and every save path read mail_deliver_context.src_mail,
   so a raw mail over a header-filtered stream of the original input is
   what Sieve tests and what is stored. */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "str.h"
#include "istream.h"
#include "istream-concat.h"
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
#include "shoper-compat.h"

#define SHOPER_USER_CONTEXT(obj) MODULE_CONTEXT(obj, shoper_user_module)
#define SHOPER_MAIL_CONTEXT(obj) MODULE_CONTEXT(obj, shoper_mail_module)
#define SHOPER_STREAM_PREFIX "shoper-filter-"
/* copies kept for later recipients of one transaction (each is a raw
   mailbox): a transaction to many recipients of many scopes mustn't keep
   one per scope until it ends */
#define SHOPER_MAX_COPIES 4
/* A filtered header up to this size is made once and kept in memory;
   a bigger one is filtered again at every read, so memory stays bounded
   whatever the header's size. */
#define SHOPER_HEADER_BUFFER_MAX (256 * 1024)

/* A filtered copy of the original with one header block. Recipients whose
   lookups give the same block (same scope) share it: its bytes depend
   only on the original and the block. */
struct shoper_copy {
	const char *block_lf, *block_crlf;
	/* filter state: the current header's first line was dropped */
	bool dropping;
	struct mail_user *raw_user;
	struct mailbox *box;
	struct mailbox_transaction_context *trans;
	struct mail *mail;
};

/* What all recipients of one original raw mail share: its match keys and
   its filtered copies. Freed together with that mail, after the last
   recipient (LMTP frees it when the transaction ends, dovecot-lda after
   the delivery), never with a recipient user. */
struct shoper_source {
	union mail_module_context module_ctx;
	pool_t pool;
	struct mail *mail;
	struct shoper_match_input in;
	ARRAY(struct shoper_copy *) copies;
};

/* Users without this context (the plugin is not in their mail_plugins)
   are treated like inactive ones: forged headers are still removed. */
struct shoper_user {
	union mail_user_module_context module_ctx;
	/* shoper_shops set (add headers), even if the settings are bad */
	bool active;
	struct shoper_settings *set; /* NULL if active but invalid */
	const char *set_error;
};

static MODULE_CONTEXT_DEFINE_INIT(shoper_user_module,
				  &mail_user_module_register);
static MODULE_CONTEXT_DEFINE_INIT(shoper_mail_module, &mail_module_register);

static unsigned int shoper_stream_counter;
static bool shoper_warned_settings;

static bool shoper_mail_is_original(struct mail *mail)
{
	return strcmp(mail->box->storage->name, RAW_STORAGE_NAME) == 0 &&
	       mail->box->input != NULL &&
	       !str_begins_with(i_stream_get_name(mail->box->input),
				SHOPER_STREAM_PREFIX);
}

static void shoper_copy_free(struct shoper_copy *copy)
{
	if (copy->mail != NULL)
		mail_free(&copy->mail);
	if (copy->trans != NULL)
		mailbox_transaction_rollback(&copy->trans);
	if (copy->box != NULL)
		mailbox_free(&copy->box);
	if (copy->raw_user != NULL)
		mail_user_unref(&copy->raw_user);
}

/* mail_vfuncs.free of the original raw mail */
static void shoper_source_mail_free(struct mail *mail)
{
	struct shoper_source *src =
		SHOPER_MAIL_CONTEXT((struct mail_private *)mail);
	void (*next_free)(struct mail *) = src->module_ctx.super.free;
	struct shoper_copy *copy;

	array_foreach_elem(&src->copies, copy) shoper_copy_free(copy);
	pool_unref(&src->pool);
	next_free(mail);
}

static struct shoper_source *shoper_source_init(
	struct mail *mail, struct mail_deliver_context *dctx)
{
	struct mail_private *pmail = (struct mail_private *)mail;
	struct shoper_source *src;
	pool_t pool;

	pool = pool_alloconly_create("shoper source", 1024);
	src = p_new(pool, struct shoper_source, 1);
	src->pool = pool;
	src->mail = mail;
	p_array_init(&src->copies, pool, 2);
	/* the mail was allocated before our hooks could see it (LMTP makes
	   its raw user before loading plugins), and vlast is only valid
	   inside hook_mail_allocated(): wrap the outermost free here */
	src->module_ctx.super = pmail->v;
	pmail->v.free = shoper_source_mail_free;
	MODULE_CONTEXT_SET(pmail, shoper_mail_module, src);

	T_BEGIN
	{
		shoper_match_input_from_mail(mail, dctx->mail_from, pool,
					     &src->in);
	}
	T_END;
	return src;
}

/* The delivery's original raw mail, or NULL when the source is something
   else (another recipient's saved copy: see shoper_deliver_prepare()). */
static struct shoper_source *shoper_source_get(
	struct mail_deliver_context *dctx)
{
	struct mail *mail = dctx->src_mail;
	struct shoper_source *src;

	if (!shoper_mail_is_original(mail))
		return NULL;
	src = SHOPER_MAIL_CONTEXT((struct mail_private *)mail);
	if (src == NULL)
		src = shoper_source_init(mail, dctx);
	return src;
}

static void shoper_user_deinit(struct mail_user *user)
{
	struct shoper_user *suser = SHOPER_USER_CONTEXT(user);

	shoper_settings_free(&suser->set);
	suser->module_ctx.super.deinit(user);
}

void shoper_deliver_user_created(struct mail_user *user)
{
	struct shoper_user *suser;
	int ret;

	suser = p_new(user->pool, struct shoper_user, 1);
	suser->module_ctx.super = *user->vlast;
	user->vlast->deinit = shoper_user_deinit;
	user->vlast = &suser->module_ctx.super;
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

/* A line with a lone CR, passed with each CR a space. */
static void shoper_filter_rewrite(struct header_filter_istream *input,
				  const struct message_header_line *hdr)
{
	string_t *line =
		t_str_new(hdr->name_len + hdr->middle_len + hdr->value_len + 2);
	unsigned char *p;
	size_t i;

	if (!hdr->continued) {
		str_append_data(line, hdr->name, hdr->name_len);
		str_append_data(line, hdr->middle, hdr->middle_len);
	}
	str_append_data(line, hdr->value, hdr->value_len);
	/* by length: the line may hold NULs */
	p = buffer_get_modifiable_data(line, NULL);
	for (i = 0; i < str_len(line); i++) {
		if (p[i] == '\r')
			p[i] = ' ';
	}
	if (!hdr->no_newline)
		str_append(line, hdr->crlf_newline ? "\r\n" : "\n");
	i_stream_header_filter_add(input, str_data(line), str_len(line));
}

static void shoper_filter_callback(struct header_filter_istream *input,
				   struct message_header_line *hdr,
				   bool *matched, struct shoper_copy *copy)
{
	const char *block;

	if (hdr == NULL)
		return;
	if (hdr->eoh) {
		/* runs again on every re-parse: always the same bytes */
		block = hdr->crlf_newline ? copy->block_crlf : copy->block_lf;
		if (*block != '\0')
			i_stream_header_filter_add(input, block, strlen(block));
		return;
	}
	/* dropping the first line drops its continuation lines too; set
	   every line's result, as a continuation line starts with its first
	   line's */
	if (!hdr->continued)
		copy->dropping = FALSE;
	if (copy->dropping) {
		*matched = TRUE;
		return;
	}
	switch (shoper_header_line_action(hdr)) {
	case SHOPER_LINE_KEEP:
		*matched = FALSE;
		break;
	case SHOPER_LINE_DROP:
		copy->dropping = TRUE;
		*matched = TRUE;
		break;
	case SHOPER_LINE_REWRITE:
		*matched = TRUE;
		T_BEGIN
		{
			shoper_filter_rewrite(input, hdr);
		}
		T_END;
		break;
	}
}

/* The recipient's header block (LF line ends), "" when there is nothing
   to add. Allocated from the data stack. */
static const char *shoper_delivery_block(struct shoper_user *suser,
					 struct shoper_source *src)
{
	struct shoper_index_reader *reader;
	struct shoper_lookup lookup;
	const char *error;
	string_t *block;

	if (suser->set == NULL) {
		if (!shoper_warned_settings) {
			i_warning("shoper: invalid settings, delivering "
				  "without X-Shoper headers: %s",
				  suser->set_error);
			shoper_warned_settings = TRUE;
		}
		return "";
	}
	reader = shoper_index_cache_get(suser->set->index_path);
	if (reader == NULL)
		return "";
	if (shoper_match_lookup(reader, suser->set, &src->in,
				pool_datastack_create(), &lookup, &error) < 0) {
		shoper_index_cache_failed(suser->set->index_path, error);
		return "";
	}
	block = t_str_new(1024);
	shoper_headers_build(&lookup, suser->set->max_orders, block);
	return str_c(block);
}

/* The original's header through the filter, read once: the copy's stream
   is these bytes and then the original body, so re-reading the copy
   (index-mail, Sieve, the save, size lookups all seek back to 0) never
   parses the header again. */
static int shoper_copy_header(struct shoper_copy *copy, struct istream *orig,
			      uoff_t header_size, buffer_t *dest)
{
	struct istream *input, *filtered;
	const unsigned char *data;
	size_t size;
	int ret;

	i_stream_seek(orig, 0);
	input = i_stream_create_limit(orig, header_size);
	filtered = i_stream_create_header_filter(
		input,
		HEADER_FILTER_EXCLUDE | HEADER_FILTER_CRLF_PRESERVE |
			HEADER_FILTER_ADD_MISSING_EOH,
		NULL, 0, shoper_filter_callback, copy);
	i_stream_unref(&input);
	while ((ret = i_stream_read_more(filtered, &data, &size)) > 0) {
		buffer_append(dest, data, size);
		i_stream_skip(filtered, size);
	}
	if (ret == 0 || filtered->stream_errno != 0) {
		i_error("shoper: can't read the header of %s: %s",
			i_stream_get_name(orig),
			ret == 0 ? "stream would block"
				 : i_stream_get_error(filtered));
		ret = -1;
	} else {
		ret = 0;
	}
	i_stream_unref(&filtered);
	i_stream_seek(orig, 0);
	return ret;
}

/* The filtered message as one stream: a small header filtered once and
   kept (re-reading the copy, as index-mail, Sieve, the save and size
   lookups do from offset 0, never parses it again), a big one filtered
   at every read (bounded memory). NULL on failure. */
static struct istream *shoper_copy_stream(struct shoper_copy *copy,
					  struct shoper_source *src)
{
	struct istream *orig = src->mail->box->input, *parts[3], *input;
	buffer_t *header;

	if (src->in.header_size > SHOPER_HEADER_BUFFER_MAX) {
		i_stream_seek(orig, 0);
		parts[0] = i_stream_create_limit(orig, UOFF_T_MAX);
		input = i_stream_create_header_filter(
			parts[0],
			HEADER_FILTER_EXCLUDE | HEADER_FILTER_CRLF_PRESERVE |
				HEADER_FILTER_ADD_MISSING_EOH,
			NULL, 0, shoper_filter_callback, copy);
		i_stream_unref(&parts[0]);
		return input;
	}
	header = buffer_create_dynamic(default_pool, 1024);
	if (shoper_copy_header(copy, orig, src->in.header_size, header) < 0) {
		buffer_free(&header);
		return NULL;
	}
	/* the raw box's input, never the mail's own stream (which may be
	   freed first) */
	parts[0] = i_stream_create_copy_from_data(header->data, header->used);
	parts[1] = i_stream_create_range(orig, src->in.header_size, UOFF_T_MAX);
	parts[2] = NULL;
	input = i_stream_create_concat(parts);
	i_stream_unref(&parts[0]);
	i_stream_unref(&parts[1]);
	buffer_free(&header);
	return input;
}

static int shoper_copy_open(struct shoper_copy *copy, struct shoper_source *src,
			    struct mail_deliver_context *dctx)
{
	struct istream *input;
	const char *envelope = NULL;
	time_t received;

	if (src->in.header_size == UOFF_T_MAX)
		return -1;
	input = shoper_copy_stream(copy, src);
	if (input == NULL)
		return -1;
	if (mail_get_received_date(src->mail, &received) < 0)
		received = ioloop_time;
	if (dctx->mail_from != NULL)
		envelope = smtp_address_encode(dctx->mail_from);
	/* raw in-memory indexes are shared by name: keep ours apart */
	i_stream_set_name(input, t_strdup_printf("%s%u", SHOPER_STREAM_PREFIX,
						 ++shoper_stream_counter));

	copy->raw_user = src->mail->box->storage->user;
	mail_user_ref(copy->raw_user);
	if (raw_mailbox_alloc_stream(copy->raw_user, input, received, envelope,
				     &copy->box) < 0) {
		enum mail_error error;

		i_error("shoper: can't open the filtered mail: %s",
			mailbox_get_last_internal_error(copy->box, &error));
		i_stream_unref(&input);
		return -1;
	}
	i_stream_unref(&input);
	copy->trans = mailbox_transaction_begin(copy->box, 0, "shoper");
	copy->mail = mail_alloc(copy->trans, 0, NULL);
	mail_set_seq(copy->mail, 1);
	return 0;
}

static const char *shoper_crlf(const char *lf)
{
	string_t *crlf = t_str_new(strlen(lf) + 64);

	for (; *lf != '\0'; lf++) {
		if (*lf == '\n')
			str_append_c(crlf, '\r');
		str_append_c(crlf, *lf);
	}
	return str_c(crlf);
}

/* The filtered copy with this block: the one made for an earlier
   recipient of the same original, or a new one. NULL on failure. */
static struct shoper_copy *shoper_copy_get(struct shoper_source *src,
					   const char *block,
					   struct mail_deliver_context *dctx)
{
	struct shoper_copy *copy;

	array_foreach_elem(&src->copies, copy)
	{
		if (strcmp(copy->block_lf, block) == 0)
			return copy;
	}
	if (array_count(&src->copies) >= SHOPER_MAX_COPIES) {
		/* recipients are delivered one after the other: the
		   earlier ones are done with their copies */
		copy = array_idx_elem(&src->copies, 0);
		shoper_copy_free(copy);
		array_pop_front(&src->copies);
	}
	copy = p_new(src->pool, struct shoper_copy, 1);
	copy->block_lf = p_strdup(src->pool, block);
	copy->block_crlf = p_strdup(src->pool, shoper_crlf(block));
	if (shoper_copy_open(copy, src, dctx) < 0) {
		shoper_copy_free(copy);
		return NULL;
	}
	array_push_back(&src->copies, &copy);
	return copy;
}

/* Sets dctx->src_mail to this recipient's view of the original: with
   its block (active users), stripped (everyone else), or the original
   itself when there is nothing to strip or add. */
static int shoper_deliver_source(struct mail_deliver_context *dctx,
				 struct shoper_user *suser,
				 struct shoper_source *src)
{
	struct shoper_copy *copy;
	const char *block = "";

	/* no order headers for a user the plugin isn't active for */
	if (suser != NULL && suser->active)
		block = shoper_delivery_block(suser, src);
	if (*block == '\0' && !src->in.has_ours) {
		dctx->src_mail = src->mail;
		return 0;
	}
	copy = shoper_copy_get(src, block, dctx);
	if (copy != NULL) {
		dctx->src_mail = copy->mail;
		return 0;
	}
	if (!src->in.has_ours) {
		/* fail open: without our headers */
		dctx->src_mail = src->mail;
		return 0;
	}
	/* forged headers can't be removed: let the MTA retry */
	return -1;
}

int shoper_deliver_prepare(struct mail_deliver_context *dctx)
{
	struct shoper_user *suser = SHOPER_USER_CONTEXT(dctx->rcpt_user);
	struct shoper_source *src;
	int ret;

	/* LMTP hands recipients 2..n the first recipient's saved copy,
	   which carries that recipient's view (its headers, or forged ones
	   the plugin doesn't strip elsewhere). Not asking for it keeps the
	   original as every recipient's source (pitfall 21). */
	dctx->save_dest_mail = FALSE;
	src = shoper_source_get(dctx);
	if (src == NULL) {
		/* only when this hook did not run for an earlier recipient
		   of the transaction: the plugin was loaded on the way, for
		   this user only (per-user mail_plugins) */
		i_error("shoper: the source is another recipient's saved "
			"copy, X-Shoper headers can't be filtered: load the "
			"plugin for every user (mail_plugins of protocol "
			"lmtp); delivery tempfailed");
		dctx->tempfail_error = "Temporary internal error";
		return -1;
	}
	T_BEGIN
	{
		ret = shoper_deliver_source(dctx, suser, src);
	}
	T_END;
	if (ret < 0) {
		i_error("shoper: can't remove the X-Shoper headers of the "
			"incoming mail, delivery tempfailed");
		dctx->tempfail_error = "Temporary internal error";
	}
	return ret;
}
