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

	json_object *j = parse(
		"{\"status_id\":\"7\",\"active\":\"1\",\"type\":\"3\","
		"\"order\":\"0\",\"translations\":{\"en_US\":{\"name\":\"Sent\"},"
		"\"pl_PL\":{\"name\":\"Wys\\u0142ane\"}}}");
	TAP_OK(sync_status_parse(j, &s, &why) == 0 && s.type == 3 && s.active &&
		       s.position == 0,
	       "status parsed, display order 0 kept");
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
		       s.position == -1 &&
		       strcmp(sync_status_name(&s, "pl_PL", &len), "") == 0,
	       "odd type, no display order and [] translations");
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

/* An order row as live 2026 shops send it (recorded shape, anonymised):
   no embedded status, a zero confirm_date, a date-only delivery_date, an
   object shipping_additional_fields and the other keys the doubles lacked. */
static void test_live_order(void)
{
	struct sync_order o;
	const char *why = NULL;
	json_object *j = parse(
		"{\"order_id\":\"4\",\"parent_order_id\":null,\"user_id\":null,"
		"\"date\":\"2026-07-03 12:01:02\",\"status_date\":\"2026-07-03 "
		"12:01:02\",\"confirm_date\":\"0000-00-00 00:00:00\","
		"\"delivery_date\":\"2026-07-05\",\"status_id\":\"1\","
		"\"sum\":\"999.00\",\"currency_id\":\"1\",\"shipping_id\":\"2\","
		"\"is_paid\":false,\"total_parcels\":0,\"total_products\":1,"
		"\"registered\":\"0\",\"email\":\"klient@example.pl\","
		"\"delivery_email\":\"Odbior@Example.pl\",\"properties\":[],"
		"\"tags\":[],\"children\":[],\"pickup_point\":\"KRA01M\","
		"\"pickup_point_data\":{\"name\":\"KRA01M\",\"street\":\"x\"},"
		"\"shipping_additional_fields\":{\"machine\":\"KRA01M\"},"
		"\"additional_fields\":[],\"order_url\":\"https:\\/\\/s.example.pl"
		"\\/pl\\/order\\/4\",\"is_cash_on_delivery\":false,"
		"\"is_overpayment\":false,\"is_underpayment\":false,"
		"\"billing_address\":{\"address_id\":\"7\",\"type\":\"1\","
		"\"firstname\":\"Anna\",\"lastname\":\"Nowak\",\"company\":\"\"},"
		"\"delivery_address\":{\"address_id\":\"7\",\"type\":\"1\"}}");

	TAP_OK(sync_order_parse(j, &o, &why) == 0 && o.order_id == 4 &&
		       o.status_id == 1 && o.shipping_id == 2 && !o.paid &&
		       strcmp(o.date, "2026-07-03 12:01:02") == 0 &&
		       strcmp(o.customer.s, "Anna Nowak") == 0,
	       "a live order row parses (no status object, extra keys)");
	TAP_OK(strcmp(o.delivery_email.s, "Odbior@Example.pl") == 0 &&
		       strcmp(o.email.s, "klient@example.pl") == 0,
	       "delivery_email read as sent, next to email");
	sync_order_clear(&o);
	json_object_put(j);
	j = parse("{\"order_id\":\"5\",\"date\":\"2026-07-03 12:01:02\","
		  "\"delivery_email\":null,\"shipping_additional_fields\":[]}");
	TAP_OK(sync_order_parse(j, &o, &why) == 0 && o.delivery_email.len == 0,
	       "delivery_email null is none");
	sync_order_clear(&o);
	json_object_put(j);
}

static void test_shipping(void)
{
	struct sync_shipping sh;
	const char *why = NULL;
	json_object *j = parse(
		"{\"shipping_id\":\"2\",\"name\":\"Paczkomat InPost\","
		"\"url\":\"https:\\/\\/www.inpost.pl\\/sledzenie-przesylek?"
		"number={tracking_number}\",\"translations\":{\"pl_PL\":"
		"{\"name\":\"Paczkomaty\"},\"en_US\":{\"name\":\"Parcel locker\"}}}");

	TAP_OK(sync_shipping_parse(j, "en_US", &sh, &why) == 0 &&
		       sh.shipping_id == 2 &&
		       strcmp(sh.name.s, "Parcel locker") == 0 &&
		       strcmp(sh.url.s,
			      "https://www.inpost.pl/sledzenie-"
			      "przesylek?number={tracking_number}") == 0,
	       "shipping: name in the language, the URL template as sent");
	sync_shipping_clear(&sh);
	TAP_OK(sync_shipping_parse(j, "de_DE", &sh, &why) == 0 &&
		       strcmp(sh.name.s, "Paczkomat InPost") == 0,
	       "shipping: else the top-level name");
	sync_shipping_clear(&sh);
	json_object_put(j);
	j = parse("{\"shipping_id\":3,\"url\":false,\"translations\":"
		  "{\"pl_PL\":{\"name\":\"Poczta\"}}}");
	TAP_OK(sync_shipping_parse(j, "en_US", &sh, &why) == 0 &&
		       strcmp(sh.name.s, "Poczta") == 0 && sh.url.len == 0,
	       "shipping: no top-level name, a non-string url is none");
	sync_shipping_clear(&sh);
	json_object_put(j);
	j = parse("{\"shipping_id\":\"x\",\"name\":\"A\"}");
	TAP_OK(sync_shipping_parse(j, "pl_PL", &sh, &why) < 0,
	       "shipping without a numeric id refused");
	sync_shipping_clear(&sh);
	json_object_put(j);
}

/* application-config as live shops send it: ids as strings, unset flags
   as "", some flags real booleans. */
static void test_app_config(void)
{
	json_object *j = parse(
		"{\"default_currency_id\":\"1\",\"shop_off\":\"\","
		"\"warehouses_enabled\":false,\"locale_timezone\":"
		"\"Europe\\/Warsaw\",\"shopping_parcel_send_status_id\":\"6\"}");

	TAP_OK(sync_json_id(j, "default_currency_id") == 1 &&
		       sync_json_id(j, "shopping_parcel_send_status_id") == 6,
	       "application-config ids as strings");
	TAP_OK(!sync_json_bool(j, "shop_off") &&
		       !sync_json_bool(j, "warehouses_enabled"),
	       "unset flags \"\" and false are false");
	json_object_put(j);
}

/* Live shops send zero dates for "none": no date, the order kept. */
static void test_zero_dates(void)
{
	struct sync_order o;
	const char *why;
	json_object *j =
		parse("{\"order_id\":\"5\",\"date\":\"0000-00-00 00:00:00\","
		      "\"status_date\":\"0000-00-00\",\"status_id\":\"1\"}");

	TAP_OK(sync_order_parse(j, &o, &why) == 0 && o.order_id == 5 &&
		       o.date[0] == '\0' && o.status_date[0] == '\0',
	       "zero date and date-only zero status_date: no dates, kept");
	sync_order_clear(&o);
	json_object_put(j);
	j = parse("{\"order_id\":\"5\",\"date\":\"0000-00-00 00:00:0x\"}");
	TAP_OK(sync_order_parse(j, &o, &why) < 0, "a broken date is refused");
	sync_order_clear(&o);
	json_object_put(j);
	TAP_OK(sync_zero_date("0000-00-00", 10) &&
		       !sync_zero_date("0000-00-01", 10) &&
		       !sync_zero_date("0000-00-00 00:00:01", 19),
	       "only the zero dates are zero");
}

int main(void)
{
	test_good();
	test_zero_dates();
	test_hostile();
	test_status_parcel();
	test_live_order();
	test_shipping();
	test_app_config();
	return tap_done();
}
