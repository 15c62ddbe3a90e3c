/* Unit tests of the shoper_json_* helpers (webapi-json.c). */

#include <string.h>

#include "webapi-private.h"
#include "tap.h"

static const char doc[] =
	"{\"count\":\"137\",\"pages\":3,\"sum\":\"164.98\",\"rate\":1.50,"
	"\"neg\":\"-5\",\"frac\":\"12.5\",\"empty\":\"\",\"huge\":"
	"\"99999999999999999999\",\"word\":\"abc\",\"nul\":\"a\\u0000b\","
	"\"t\":true,\"f\":false,\"one\":\"1\",\"zero\":\"0\",\"num1\":1,"
	"\"strtrue\":\"true\",\"null\":null,\"map\":{\"a\":\"1\"},"
	"\"phpmap\":[],\"list\":[1,2],\"utf\":\"Wys\\u0142ane\"}";

/* Shop error text goes into logs: one line, no escape sequences. */
static void test_error_text(void)
{
	json_object *e = json_tokener_parse(
		"{\"error\":\"bad\\nrequest\",\"error_description\":"
		"\"line1\\r\\nsync: all good\\u001b[31m\"}");
	char buf[64];
	size_t i;
	bool clean = true;

	shoper_webapi_error_text(e, buf, sizeof(buf));
	for (i = 0; buf[i] != '\0'; i++)
		clean = clean && (unsigned char)buf[i] >= 0x20;
	TAP_OK(clean && strstr(buf, "line1") != NULL &&
		       strstr(buf, "sync: all good") != NULL,
	       "error text kept on one line without control characters");
	json_object_put(e);
	shoper_webapi_error_text(NULL, buf, sizeof(buf));
	TAP_OK(strcmp(buf, "no error description") == 0,
	       "no body: a fixed text");
}

int main(void)
{
	json_object *j = json_tokener_parse(doc), *m;
	int64_t v;
	size_t len;
	const char *s;

	TAP_OK(j != NULL, "test document parses");
	TAP_OK(strcmp(shoper_json_str(j, "count"), "137") == 0,
	       "string number as string");
	TAP_OK(strcmp(shoper_json_str(j, "pages"), "3") == 0,
	       "JSON number rendered as text");
	TAP_OK(strcmp(shoper_json_str(j, "rate"), "1.50") == 0,
	       "JSON decimal keeps its text (%s)", shoper_json_str(j, "rate"));
	TAP_OK(strcmp(shoper_json_str(j, "t"), "true") == 0,
	       "boolean rendered as text");
	TAP_OK(strcmp(shoper_json_str(j, "null"), "") == 0, "null -> \"\"");
	TAP_OK(strcmp(shoper_json_str(j, "missing"), "") == 0,
	       "missing -> \"\"");
	TAP_OK(strcmp(shoper_json_str(j, "map"), "") == 0, "object -> \"\"");
	TAP_OK(strcmp(shoper_json_str(NULL, "x"), "") == 0, "NULL obj -> \"\"");
	TAP_OK(strcmp(shoper_json_str(json_object_object_get(j, "list"), "x"),
		      "") == 0,
	       "array as obj -> \"\"");
	TAP_OK(strcmp(shoper_json_str(j, "utf"), "Wys\xc5\x82"
						 "ane") == 0,
	       "UTF-8 from \\u escape");
	s = shoper_json_str_len(j, "nul", &len);
	TAP_OK(len == 3 && memcmp(s, "a\0b", 3) == 0,
	       "embedded NUL kept with length");

	TAP_OK(shoper_json_bool(j, "t"), "true -> true");
	TAP_OK(!shoper_json_bool(j, "f"), "false -> false");
	TAP_OK(shoper_json_bool(j, "one"), "\"1\" -> true");
	TAP_OK(!shoper_json_bool(j, "zero"), "\"0\" -> false");
	TAP_OK(shoper_json_bool(j, "num1"), "1 -> true");
	TAP_OK(shoper_json_bool(j, "strtrue"), "\"true\" -> true");
	TAP_OK(!shoper_json_bool(j, "null") && !shoper_json_bool(j, "missing"),
	       "null/missing -> false");
	TAP_OK(!shoper_json_bool(j, "word"), "\"abc\" -> false");

	m = shoper_json_obj(j, "map");
	TAP_OK(m != NULL && strcmp(shoper_json_str(m, "a"), "1") == 0,
	       "{} member returned");
	TAP_OK(shoper_json_obj(j, "phpmap") == NULL,
	       "PHP [] for empty map -> NULL");
	TAP_OK(shoper_json_obj(j, "list") == NULL, "non-empty array -> NULL");
	TAP_OK(shoper_json_obj(j, "count") == NULL, "string -> NULL");
	TAP_OK(shoper_json_obj(j, "missing") == NULL, "missing -> NULL");

	TAP_OK(shoper_json_int64(j, "count", &v) && v == 137,
	       "int from string \"137\"");
	TAP_OK(shoper_json_int64(j, "pages", &v) && v == 3, "int from number");
	TAP_OK(shoper_json_int64(j, "neg", &v) && v == -5, "negative string");
	TAP_OK(!shoper_json_int64(j, "frac", &v), "\"12.5\" refused");
	TAP_OK(!shoper_json_int64(j, "rate", &v), "1.50 refused");
	TAP_OK(!shoper_json_int64(j, "empty", &v), "\"\" refused");
	TAP_OK(!shoper_json_int64(j, "huge", &v), "out of range refused");
	TAP_OK(!shoper_json_int64(j, "word", &v), "\"abc\" refused");
	TAP_OK(!shoper_json_int64(j, "null", &v), "null refused");
	TAP_OK(!shoper_json_int64(j, "missing", &v), "missing refused");
	TAP_OK(!shoper_json_int64(j, "t", &v), "boolean refused");
	json_object_put(j);
	test_error_text();
	return tap_done();
}
