/* The notice of a refused status change (see status-notice.h). Its text
   follows the IMAP module's (plugin/imap/shoper-status-notice.c): subject
   "Zamówienie N (S): status nie zmieniony / Order N (S): status not
   changed", a "Powód:" / "Reason:" line per language, so that clients
   (the Roundcube plugin) find the reason the same way in both. Only what
   shoper-sync verified is quoted: order and status ids (digits), a
   configured shop, the status name from its own state, the reason. */
#include "status-notice.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* RFC 2047 encoded-word(s) of a UTF-8 text (base64, cut at 45 bytes so
   each word stays under 76 characters; a cut may split a character, which
   decoders join again as the words are adjacent). */
static void put_encoded(FILE *f, const char *text)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);

	for (size_t start = 0; start < len; start += 45) {
		size_t n = len - start < 45 ? len - start : 45;
		fputs(start == 0 ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?", f);
		for (size_t i = 0; i < n; i += 3) {
			unsigned int v = p[start + i] << 16;
			if (i + 1 < n)
				v |= p[start + i + 1] << 8;
			if (i + 2 < n)
				v |= p[start + i + 2];
			fputc(b64[(v >> 18) & 63], f);
			fputc(b64[(v >> 12) & 63], f);
			fputc(i + 1 < n ? b64[(v >> 6) & 63] : '=', f);
			fputc(i + 2 < n ? b64[v & 63] : '=', f);
		}
		fputs("?=", f);
	}
}

/* s on one line: controls become spaces, so no header can be added */
static void put_line(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
}

/* text with {order}, {shop} and {folder} replaced, as the IMAP module */
static void put_expanded(FILE *f, const char *text,
			 const struct shoper_queue_request *req)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (strncmp(p, "{order}", 7) == 0) {
			put_line(f, req->order_id);
			p += 6;
		} else if (strncmp(p, "{shop}", 6) == 0) {
			put_line(f, req->shop);
			p += 5;
		} else if (strncmp(p, "{folder}", 8) == 0) {
			put_line(f, req->mailbox);
			p += 7;
		} else {
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p,
			      f);
		}
	}
}

/* "pl", "en" in a list of words (blanks or commas between them) */
static bool lang_wanted(const char *languages, const char *lang)
{
	static const char sep[] = " \t,";
	size_t len = strlen(lang);

	for (const char *p = languages; *p != '\0';) {
		p += strspn(p, sep);
		size_t n = strcspn(p, sep);
		if (n == len && strncmp(p, lang, n) == 0)
			return true;
		p += n;
	}
	return false;
}

static void put_date(FILE *f, long long now)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
					   "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
					     "May", "Jun", "Jul", "Aug",
					     "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)now;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return;
	fprintf(f, "Date: %s, %d %s %d %02d:%02d:%02d +0000\r\n",
		days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* who refused and what, in language i (0 Polish, 1 English) */
static void put_refusal(FILE *f, const struct sync_notice *n, int i)
{
	const struct shoper_queue_request *req = n->req;
	static const char *const who[2][2] = {
		/* [by_shop][language] */
		{"shoper-sync nie zmienił statusu zamówienia",
		 "shoper-sync refused to set order"},
		{"Sklep odmówił zmiany statusu zamówienia",
		 "The shop refused to set order"},
	};

	fprintf(f, "%s %s %s %s", who[n->by_shop][i], req->order_id,
		i == 0 ? "na" : "to status", req->status_id);
	if (n->status_name[0] != '\0') {
		fputs(" (", f);
		put_line(f, n->status_name);
		fputs(")", f);
	}
	if (!n->by_shop)
		fputs(i == 0 ? "; sklep nie został o nic zapytany"
			     : "; the shop was not asked to change it",
		      f);
	fprintf(f, ".\r\n%s: ", i == 0 ? "Powód" : "Reason");
	put_line(f, n->reason);
	fputs("\r\n", f);
}

void sync_notice_write(FILE *f, const struct sync_notice *n,
		       const struct sync_notice_settings *set, long long now)
{
	const struct shoper_queue_request *req = n->req;
	const char *languages = set->language != NULL ? set->language : "";
	bool want[2] = {lang_wanted(languages, "pl"),
			lang_wanted(languages, "en")};
	char subject[700], host[256];
	size_t len = 0;

	if (!want[0] && !want[1]) /* unset, or naming neither: both */
		want[0] = want[1] = true;
	subject[0] = '\0';
	for (int i = 0; i < 2; i++) {
		if (want[i] && len < sizeof(subject))
			len += (size_t)snprintf(
				subject + len, sizeof(subject) - len,
				"%s%s %s (%s): %s", len > 0 ? " / " : "",
				i == 0 ? "Zamówienie" : "Order", req->order_id,
				req->shop,
				i == 0 ? "status nie zmieniony"
				       : "status not changed");
	}
	fputs("From: ", f);
	put_expanded(f,
		     set->from != NULL ? set->from : SYNC_NOTICE_DEFAULT_FROM,
		     req);
	fputs("\r\nSubject: ", f);
	put_encoded(f, subject);
	fputs("\r\n", f);
	put_date(f, now);
	if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0' ||
	    strpbrk(host, "<>@ \t\r\n") != NULL)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	fprintf(f, "Message-ID: <%lld.%ld.shoper-notice@%s>\r\n", now,
		(long)getpid(), host);
	fputs("X-Shoper-Notice: ", f);
	put_line(f, req->shop);
	fputc(':', f);
	put_line(f, req->order_id);
	fputs("\r\n", f);
	fputs("Auto-Submitted: auto-generated\r\n"
	      "MIME-Version: 1.0\r\n"
	      "Content-Type: text/plain; charset=utf-8\r\n"
	      "Content-Transfer-Encoding: 8bit\r\n\r\n",
	      f);
	bool first = true;
	for (int i = 0; i < 2; i++) {
		if (!want[i])
			continue;
		if (!first)
			fputs("\r\n", f);
		first = false;
		if (set->text != NULL) {
			put_expanded(f, set->text, req);
			fputs("\r\n", f);
		}
		put_refusal(f, n, i);
	}
}
