/* The visible outcome of a move the IMAP module refuses (see
   shoper-status-notice.h). The notice is a plain message in the status
   folder, like shoper-sync's for a shop's refusal: keywords carry no text
   and many clients show none, but every client shows a message. It names
   the reason in Polish and English by default (shoper_notice_language),
   comes from shoper_notice_from, and reads as a note, not a bounce. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "ioloop.h"
#include "hostpid.h"
#include "message-date.h"
#include "message-header-encode.h"
#include "seq-range-array.h"
#include "mail-storage-private.h"
#include "mail-user.h"
#include "shoper-compat.h"
#include "shoper-settings.h"
#include "shoper-status-notice.h"

#define NOTICE_DEFAULT_FROM "Shoper <shoper-status@localhost>"
#define NOTICE_DEFAULT_LANGUAGE "pl en"
#define NOTICE_KEYWORD "$ShoperStatusFailed"

/* [reason][0]: Polish, [1]: English */
static const char *const reason_text[SHOPER_REFUSED_COUNT][2] = {
	{"wiadomość nie dotyczy żadnego zamówienia (brak nagłówków "
	 "X-Shoper-Shop i X-Shoper-Order-Id)",
	 "the message is about no order (no X-Shoper-Shop and "
	 "X-Shoper-Order-Id headers)"},
	{"sklep nie należy do sklepów tej skrzynki (shoper_shops)",
	 "the shop is not one of this mailbox's shops (shoper_shops)"},
	{"folder należy do innego sklepu niż zamówienie",
	 "the folder belongs to another shop than the order"},
	{"nie ma takiego zamówienia w indeksie", "no such order in the index"},
	{"indeks zamówień jest niedostępny", "the order index is unavailable"},
	{"wiadomość nie pochodzi od klienta tego zamówienia",
	 "the message is not from this order's customer"},
	{"nagłówka wiadomości nie da się odczytać",
	 "the message's header can't be read"},
	{"ten status nie jest już aktywny w sklepie",
	 "this status is no longer active in the shop"},
	{"błąd wewnętrzny (szczegóły w logu)", "internal error (see the log)"},
};

static const char *const intro_text[2] = {
	"Przeniesienie wiadomości do folderu „{folder}” nie zmieniło statusu "
	"zamówienia {order} ({shop}); sklep nie został o nic zapytany.",
	"Moving the message into the folder \"{folder}\" did not change the "
	"status of order {order} ({shop}); the shop was not asked.",
};

/* text with {order}, {shop} and {folder} replaced */
static void append_expanded(string_t *dest, const char *text,
			    const struct shoper_refusal *r, const char *folder)
{
	const char *order = r->order_id[0] != '\0' ? r->order_id : "?";
	const char *shop = r->shop[0] != '\0' ? r->shop : "?";

	for (const char *p = text; *p != '\0'; p++) {
		if (str_begins_with(p, "{order}")) {
			str_append(dest, order);
			p += 6;
		} else if (str_begins_with(p, "{shop}")) {
			str_append(dest, shop);
			p += 5;
		} else if (str_begins_with(p, "{folder}")) {
			str_append(dest, folder);
			p += 7;
		} else {
			/* one line per setting: no header can be added */
			str_append_c(dest, (unsigned char)*p < 0x20 ? ' ' : *p);
		}
	}
}

static bool lang_wanted(const char *languages, const char *lang)
{
	const char *const *l = t_strsplit_spaces(languages, " ,");

	return str_array_find(l, lang);
}

static const char *notice_text(const struct shoper_settings *set,
			       const struct shoper_refusal *r,
			       const char *folder, const char **subject_r)
{
	const char *languages = set->notice_language != NULL
					? set->notice_language
					: NOTICE_DEFAULT_LANGUAGE;
	string_t *body = t_str_new(512), *subject = t_str_new(128);
	static const char *const langs[2] = {"pl", "en"};
	static const char *const subj[2] = {"status nie zmieniony",
					    "status not changed"};
	static const char *const label[2] = {"Powód", "Reason"};
	bool any = FALSE;

	for (unsigned int pass = 0; pass < 2 && !any; pass++) {
		for (unsigned int i = 0; i < 2; i++) {
			/* a list naming neither language: both */
			if (pass == 0 && !lang_wanted(languages, langs[i]))
				continue;
			if (any) {
				str_append(subject, " / ");
				str_append(body, "\r\n");
			}
			any = TRUE;
			if (r->order_id[0] != '\0')
				str_printfa(subject, "%s %s (%s): ",
					    i == 0 ? "Zamówienie" : "Order",
					    r->order_id, r->shop);
			str_append(subject, subj[i]);
			append_expanded(body,
					set->notice_text != NULL
						? set->notice_text
						: intro_text[i],
					r, folder);
			str_printfa(body, "\r\n%s: %s\r\n", label[i],
				    reason_text[r->reason][i]);
		}
	}
	*subject_r = str_c(subject);
	return str_c(body);
}

static void build_notice(string_t *msg, const struct shoper_settings *set,
			 const struct shoper_refusal *r, const char *folder)
{
	const char *subject, *body = notice_text(set, r, folder, &subject);
	const char *from = set->notice_from != NULL ? set->notice_from
						    : NOTICE_DEFAULT_FROM;

	str_append(msg, "From: ");
	append_expanded(msg, from, r, folder);
	str_append(msg, "\r\nSubject: ");
	message_header_encode(subject, msg);
	str_printfa(msg,
		    "\r\nDate: %s\r\nMessage-ID: <%s.shoper-notice@%s>\r\n",
		    message_date_create(ioloop_time),
		    dec2str(ioloop_time) /* unique enough with the pid */,
		    my_hostdomain());
	if (r->order_id[0] != '\0')
		str_printfa(msg, "X-Shoper-Notice: %s:%s\r\n", r->shop,
			    r->order_id);
	str_append(msg, "Auto-Submitted: auto-generated\r\n"
			"MIME-Version: 1.0\r\n"
			"Content-Type: text/plain; charset=utf-8\r\n"
			"Content-Transfer-Encoding: 8bit\r\n\r\n");
	str_append(msg, body);
}

static int save_notice(struct mailbox_transaction_context *t,
		       const string_t *msg)
{
	struct mail_save_context *save = mailbox_save_alloc(t);
	struct istream *input =
		i_stream_create_from_data(str_data(msg), str_len(msg));
	int ret = 0;

	if (mailbox_save_begin(&save, input) < 0) {
		i_stream_unref(&input);
		return -1;
	}
	do {
		if (mailbox_save_continue(save) < 0) {
			ret = -1;
			break;
		}
	} while (i_stream_read(input) > 0);
	if (ret < 0)
		mailbox_save_cancel(&save);
	else
		ret = mailbox_save_finish(&save);
	i_stream_unref(&input);
	return ret;
}

/* $ShoperStatusFailed on the refused copy (maildir takes flag changes
   only outside an "external" transaction, and saves only inside one) */
static int mark_keyword(struct mailbox *box, uint32_t uid)
{
	const char *const kw_names[] = {NOTICE_KEYWORD, NULL};
	struct mailbox_transaction_context *t =
		mailbox_transaction_begin(box, 0, "shoper refusal keyword");
	struct mail_keywords *kw;

	if (mailbox_keywords_create(box, kw_names, &kw) < 0) {
		mailbox_transaction_rollback(&t);
		return -1;
	}
	struct mail *mail = mail_alloc(t, 0, NULL);
	if (mail_set_uid(mail, uid))
		mail_update_keywords(mail, MODIFY_ADD, kw);
	mail_free(&mail);
	mailbox_keywords_unref(&kw);
	return mailbox_transaction_commit(&t);
}

static void mark_one(struct mailbox *box, const struct shoper_settings *set,
		     const struct shoper_refusal *r, uint32_t uid)
{
	struct event *event = box->storage->user->event;
	string_t *msg = t_str_new(1024);

	if (uid != 0 && mark_keyword(box, uid) < 0)
		e_error(event, "shoper: a refused copy could not be marked: %s",
			mailbox_get_last_internal_error(box, NULL));
	struct mailbox_transaction_context *t = mailbox_transaction_begin(
		box, MAILBOX_TRANSACTION_FLAG_EXTERNAL,
		"shoper refusal notice");
	build_notice(msg, set, r, mailbox_get_vname(box));
	if (save_notice(t, msg) < 0)
		mailbox_transaction_rollback(&t);
	else if (mailbox_transaction_commit(&t) == 0)
		return;
	e_error(event,
		"shoper: the notice of a refused status change could not be "
		"saved: %s",
		mailbox_get_last_internal_error(box, NULL));
}

void shoper_status_notice_refused(
	struct mailbox *box, const struct shoper_settings *set,
	const ARRAY_TYPE(shoper_refusal) * refused,
	const struct mail_transaction_commit_changes *ch)
{
	const struct shoper_refusal *r;
	struct seq_range_iter iter;

	/* box is still inside its commit and can't be synced: a view of
	   its own sees the copies the commit just stored */
	struct mailbox *view = mailbox_alloc(box->list, box->vname, 0);
	if (mailbox_open(view) < 0 || mailbox_sync(view, 0) < 0) {
		e_error(box->storage->user->event,
			"shoper: refused copies not marked: %s",
			mailbox_get_last_internal_error(view, NULL));
		mailbox_free(&view);
		return;
	}
	seq_range_array_iter_init(&iter, &ch->saved_uids);
	array_foreach(refused, r)
	{
		uint32_t uid = 0;
		(void)seq_range_array_iter_nth(&iter, r->save_idx, &uid);
		T_BEGIN
		{
			mark_one(view, set, r, uid);
		}
		T_END;
	}
	mailbox_free(&view);
}
