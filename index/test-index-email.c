/* E-mail key normalisation and status type names. */
#include "shoper-index.h"
#include "tap.h"

#include <string.h>

static int norm(const char *in, size_t len, char *out, size_t size)
{
	return shoper_email_normalize(in, len, out, size);
}

static int norm_eq(const char *in, const char *want)
{
	char out[256];
	int n = norm(in, strlen(in), out, sizeof(out));

	return n == (int)strlen(want) && strcmp(out, want) == 0;
}

int main(void)
{
	char out[16];

	ok(norm_eq("Jan@Example.PL", "jan@example.pl"), "lower-cases ASCII");
	ok(norm_eq(" \t<jan@example.pl>\r\n", "jan@example.pl"),
	   "trims white space and angle brackets");
	ok(norm_eq("<<jan@x.pl>>", "jan@x.pl"), "trims repeated brackets");
	ok(norm_eq("Jan Kowalski@x.pl", "jan kowalski@x.pl"),
	   "inner space kept");
	ok(norm_eq("ŻÓŁĆ@Przykład.PL", "ŻÓŁĆ@przykład.pl"),
	   "non-ASCII bytes kept as they are");
	ok(norm_eq("#sklep@x.pl", "#sklep@x.pl"), "'#' allowed in an address");
	ok(norm("", 0, out, sizeof(out)) == -1, "empty gives -1");
	ok(norm(" <> ", 4, out, sizeof(out)) == -1, "only brackets gives -1");
	ok(norm("no-at-sign", 10, out, sizeof(out)) == -1,
	   "no '@' gives -1 (cannot collide with order or meta keys)");
	ok(norm("#sklep1:123", 11, out, sizeof(out)) == -1,
	   "an order key is not an e-mail key");
	ok(norm("a\0b@x.pl", 8, out, sizeof(out)) == -1, "NUL gives -1");
	ok(norm("0123456789@x.pl", 15, out, 16) == 15 &&
		   norm("0123456789@xy.pl", 16, out, 16) == -1,
	   "out_size respected, NUL terminated");
	ok(norm("JAN@X.PL trailing", 8, out, sizeof(out)) == 8 &&
		   strcmp(out, "jan@x.pl") == 0,
	   "only len bytes are read");
	ok(strcmp(shoper_status_type_name(SHOPER_STATUS_TYPE_NEW), "new") ==
			   0 &&
		   strcmp(shoper_status_type_name(
				  SHOPER_STATUS_TYPE_IN_PROGRESS),
			  "in-progress") == 0 &&
		   strcmp(shoper_status_type_name(SHOPER_STATUS_TYPE_CLOSED),
			  "closed") == 0 &&
		   strcmp(shoper_status_type_name(
				  SHOPER_STATUS_TYPE_NOT_COMPLETED),
			  "not-completed") == 0 &&
		   strcmp(shoper_status_type_name(SHOPER_STATUS_TYPE_UNKNOWN),
			  "unknown") == 0 &&
		   strcmp(shoper_status_type_name(99), "unknown") == 0,
	   "status type names");
	return tap_done();
}
