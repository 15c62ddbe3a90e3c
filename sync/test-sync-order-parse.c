/* Unit test of the order parser on good, odd and hostile JSON. */
#include "order-parse.h"
#include "tap.h"

#include <string.h>

static json_object *parse(const char *text)
{
	return json_tokener_parse(text);
}

static void test_good(void)
{
	struct sync_order o;
	const char *why = NULL;
	json_object *j = parse(
		"{\"order_id\":\"1042\",\"date\":\"2024-05-06 14:03:22\","
		"\"status_id\":\"2\",\"status_date\":\"2024-05-07 09:12:00\","
		"\"sum\":\"164.98\",\"currency_id\":\"1\",\"shipping_id\":\"8\","
		"\"email\":\"Jan@Example.pl\",\"is_paid\":true,\"total_parcels\":1,"
		"\"billing_address\":{\"firstname\":\"Jan\",\"lastname\":\"Kowalski\",\"company\":\"\"}}");

	TAP_OK(sync_order_parse(j, &o, &why) == 0, "order parsed");
	TAP_OK(o.order_id == 1042 && o.status_id == 2 && o.currency_id == 1 &&
		       o.shipping_id == 8 && o.total_parcels == 1,
	       "numeric fields from strings and numbers");
	TAP_OK(strcmp(o.date, "2024-05-06 14:03:22") == 0 &&
		       strcmp(o.status_date, "2024-05-07 09:12:00") == 0,
	       "dates");
	TAP_OK(strcmp(o.total.s, "164.98") == 0 && o.paid, "sum and paid");
	TAP_OK(strcmp(o.email.s, "Jan@Example.pl") == 0, "email as stored");
	TAP_OK(strcmp(o.customer.s, "Jan Kowalski") == 0, "customer name");
	sync_order_clear(&o);
	json_object_put(j);

	j = parse(
		"{\"order_id\":7,\"date\":\"2024-05-06 14:03:22\",\"sum\":12.5,"
		"\"is_paid\":\"0\",\"billing_address\":{\"firstname\":\"A\","
		"\"lastname\":\"B\",\"company\":\"ACME sp. z o.o.\"},"
		"\"status\":{\"status_id\":\"5\"}}");
	TAP_OK(sync_order_parse(j, &o, &why) == 0 && o.order_id == 7 &&
		       strcmp(o.customer.s, "ACME sp. z o.o.") == 0 &&
		       o.status_id == 5 && !o.paid &&
		       strcmp(o.total.s, "12.50") == 0,
	       "company wins, status from embedded object, numeric sum");
	sync_order_clear(&o);
	json_object_put(j);
}

static void test_hostile(void)
{
	struct sync_order o;
	const char *why = NULL;
	static const char *const bad[] = {
		"[]",
		"null",
		"\"x\"",
		"{}",
		"{\"order_id\":\"abc\",\"date\":\"2024-05-06 14:03:22\"}",
		"{\"order_id\":\"-5\",\"date\":\"2024-05-06 14:03:22\"}",
		"{\"order_id\":\"1\\u00002\",\"date\":\"2024-05-06 14:03:22\"}",
		"{\"order_id\":\"99999999999999999999\",\"date\":\"2024-05-06 14:03:22\"}",
		"{\"order_id\":\"1\",\"date\":\"yesterday\"}",
		"{\"order_id\":\"1\",\"date\":null}",
		"{\"order_id\":{\"x\":1},\"date\":\"2024-05-06 14:03:22\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *j = parse(bad[i]);
		TAP_OK(sync_order_parse(j, &o, &why) < 0 && why != NULL,
		       "refused: %s", bad[i]);
		sync_order_clear(&o);
		json_object_put(j);
	}
	json_object *j = parse(
		"{\"order_id\":\"3\",\"date\":\"2024-05-06 14:03:22\","
		"\"status_date\":\"0000-00-00\",\"email\":null,\"sum\":[],"
		"\"billing_address\":[],\"is_paid\":{}}");
	TAP_OK(sync_order_parse(j, &o, &why) == 0 && o.status_date[0] == '\0' &&
		       o.email.len == 0 && o.total.len == 0 &&
		       o.customer.len == 0 && !o.paid,
	       "missing, null, [] and wrong-typed fields become empty");
	sync_order_clear(&o);
	json_object_put(j);

	j = parse(
		"{\"order_id\":\"4\",\"date\":\"2024-05-06 14:03:22\","
		"\"billing_address\":{\"firstname\":\"Ja\\u0000n\\r\\nX-Evil: 1\","
		"\"lastname\":\"\"}}");
	TAP_OK(sync_order_parse(j, &o, &why) == 0 && o.customer.len == 15 &&
		       memcmp(o.customer.s, "Ja\0n\r\nX-Evil: 1", 15) == 0,
	       "NUL, CR and LF kept byte for byte (the plugin cleans)");
	sync_order_clear(&o);
	json_object_put(j);
}

static void test_status_parcel(void)
{
	struct sync_status s;
	struct sync_parcel p;
	const char *why;
	size_t len;

	json_object *j =
		parse("{\"status_id\":\"7\",\"active\":\"1\",\"type\":\"3\","
		      "\"translations\":{\"en_US\":{\"name\":\"Sent\"},"
		      "\"pl_PL\":{\"name\":\"Wys\\u0142ane\"}}}");
	TAP_OK(sync_status_parse(j, &s, &why) == 0 && s.type == 3 && s.active,
	       "status parsed");
	const char *name = sync_status_name(&s, "en_US", &len);
	TAP_OK(len == 4 && memcmp(name, "Sent", 4) == 0, "name in language");
	name = sync_status_name(&s, "de_DE", &len);
	TAP_OK(len == 8 && memcmp(name,
				  "Wys\xc5\x82"
				  "ane",
				  8) == 0,
	       "falls back to pl_PL");
	json_object_put(j);
	j = parse("{\"status_id\":\"8\",\"type\":\"9\",\"translations\":[]}");
	TAP_OK(sync_status_parse(j, &s, &why) == 0 && s.type == 0 &&
		       strcmp(sync_status_name(&s, "pl_PL", &len), "") == 0,
	       "odd type and [] translations");
	json_object_put(j);
	j = parse(
		"{\"parcel_id\":\"3\",\"order_id\":\"9\",\"shipping_code\":\"00812\"}");
	TAP_OK(sync_parcel_parse(j, &p, &why) == 0 && p.parcel_id == 3 &&
		       p.order_id == 9 &&
		       strcmp(p.shipping_code.s, "00812") == 0,
	       "parcel parsed");
	sync_parcel_clear(&p);
	json_object_put(j);
	j = parse("{\"parcel_id\":\"3\"}");
	TAP_OK(sync_parcel_parse(j, &p, &why) < 0,
	       "parcel without order refused");
	sync_parcel_clear(&p);
	json_object_put(j);
}

int main(void)
{
	test_good();
	test_hostile();
	test_status_parcel();
	return tap_done();
}
