/* libFuzzer target for the webapi JSON parser (order-parse.c): the input
   is a webapi response body. Every object found in it (the body, the
   members of its "list" array, a bulk answer's items and bodies, or
   the items of a top-level array) goes through the order, parcel and status
   parsers, and every byte they return is read back.
   Seeds: tests/fuzz/order-parse/. Built only with clang (HAVE_FUZZER). */
#include "order-parse.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static volatile size_t sink;

static void touch(const struct sync_str *s)
{
	size_t i, sum = 0;

	if (s->s == NULL) {
		if (s->len != 0)
			abort();
		return;
	}
	/* NUL-terminated at len, whatever the value holds */
	if (s->s[s->len] != '\0')
		abort();
	for (i = 0; i < s->len; i++)
		sum += (unsigned char)s->s[i];
	sink += sum;
}

static void parse_item(json_object *item)
{
	struct sync_order o;
	struct sync_parcel p;
	struct sync_status st;
	struct sync_shipping sh;
	const char *why, *name;
	size_t len;

	memset(&o, 0, sizeof(o));
	why = NULL;
	if (sync_order_parse(item, &o, &why) == 0) {
		if ((o.date[0] != '\0' &&
		     !sync_valid_date(o.date, strlen(o.date))) ||
		    o.order_id <= 0)
			abort();
		touch(&o.total);
		touch(&o.email);
		touch(&o.customer);
		touch(&o.delivery_email);
		sync_order_clear(&o);
	} else if (why == NULL) {
		abort();
	}
	memset(&p, 0, sizeof(p));
	if (sync_parcel_parse(item, &p, &why) == 0) {
		touch(&p.shipping_code);
		sync_parcel_clear(&p);
	}
	if (sync_shipping_parse(item, "en_US", &sh, &why) == 0) {
		touch(&sh.name);
		touch(&sh.url);
		sync_shipping_clear(&sh);
	}
	memset(&st, 0, sizeof(st));
	if (sync_status_parse(item, &st, &why) == 0) {
		name = sync_status_name(&st, "pl_PL", &len);
		if (name == NULL || strlen(name) > len)
			abort();
		sink += len;
		name = sync_status_name(&st, "en_GB", &len);
		sink += len + (name != NULL);
	}
	sink += (size_t)sync_json_id(item, "order_id");
	sink += sync_json_bool(item, "paid");
}

static void walk(json_object *obj, int depth)
{
	json_object *list;
	size_t i, n;

	if (obj == NULL || depth > 3)
		return;
	if (json_object_is_type(obj, json_type_array)) {
		n = json_object_array_length(obj);
		for (i = 0; i < n && i < 256; i++)
			walk(json_object_array_get_idx(obj, i), depth + 1);
		return;
	}
	parse_item(obj);
	if (json_object_object_get_ex(obj, "list", &list))
		walk(list, depth + 1);
	if (json_object_object_get_ex(obj, "body", &list))
		walk(list, depth + 1);
	if (json_object_object_get_ex(obj, "items", &list))
		walk(list, depth + 1);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct json_tokener *tok;
	json_object *obj;

	if (size > 1024 * 1024)
		return 0;
	sink += sync_valid_date((const char *)data, size);
	tok = json_tokener_new();
	if (tok == NULL)
		return 0;
	obj = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	if (obj == NULL && json_tokener_get_error(tok) == json_tokener_continue)
		obj = json_tokener_parse_ex(tok, "", 1);
	walk(obj, 0);
	json_object_put(obj);
	json_tokener_free(tok);
	return 0;
}
