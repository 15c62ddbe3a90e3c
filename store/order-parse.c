/* Webapi JSON to structs; defensive against anything the shop sends. */
#include "order-parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values longer than this are cut (the plugin cuts much shorter). */
#define SYNC_MAX_TEXT 65536

static void str_set(struct sync_str *out, const char *s, size_t len)
{
	if (len > SYNC_MAX_TEXT)
		len = SYNC_MAX_TEXT;
	out->s = malloc(len + 1);
	if (out->s == NULL)
		abort();
	memcpy(out->s, s, len);
	out->s[len] = '\0';
	out->len = len;
}

static json_object *member(json_object *obj, const char *key)
{
	json_object *v;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

void sync_json_text(json_object *obj, const char *key, struct sync_str *out)
{
	json_object *v = member(obj, key);
	char buf[64];

	switch (v == NULL ? json_type_null : json_object_get_type(v)) {
	case json_type_string:
		str_set(out, json_object_get_string(v),
			json_object_get_string_len(v));
		return;
	case json_type_int:
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)json_object_get_int64(v));
		break;
	case json_type_double:
		snprintf(buf, sizeof(buf), "%.2f", json_object_get_double(v));
		break;
	case json_type_boolean:
		snprintf(buf, sizeof(buf), "%d", json_object_get_boolean(v));
		break;
	default:
		buf[0] = '\0';
		break;
	}
	str_set(out, buf, strlen(buf));
}

long long sync_json_id(json_object *obj, const char *key)
{
	json_object *v = member(obj, key);

	if (v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		int64_t n = json_object_get_int64(v);
		return n > 0 ? n : 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return 0;
	const char *s = json_object_get_string(v);
	size_t len = json_object_get_string_len(v);
	if (len == 0 || len > 18 || strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	long long n = strtoll(s, NULL, 10);
	return n > 0 ? n : 0;
}

bool sync_json_bool(json_object *obj, const char *key)
{
	json_object *v = member(obj, key);

	if (v == NULL)
		return false;
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) == 1;
	case json_type_string:
		return strcmp(json_object_get_string(v), "1") == 0 ||
		       strcmp(json_object_get_string(v), "true") == 0;
	default:
		return false;
	}
}

bool sync_valid_date(const char *s, size_t len)
{
	static const char pattern[] = "dddd-dd-dd dd:dd:dd";

	if (len != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (pattern[i] == 'd' ? !isdigit((unsigned char)s[i])
				      : s[i] != pattern[i])
			return false;
	}
	return true;
}

bool sync_zero_date(const char *s, size_t len)
{
	return (len == 10 || len == 19) &&
	       memcmp(s, "0000-00-00 00:00:00", len) == 0;
}

/* 1: a date in out; 0: a zero date ("0000-00-00 00:00:00" or
   "0000-00-00", as live shops send for "none"): out is ""; -1: missing or
   not a date. */
static int copy_date(json_object *obj, const char *key, char out[20])
{
	json_object *v = member(obj, key);

	out[0] = '\0';
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return -1;
	const char *s = json_object_get_string(v);
	size_t len = json_object_get_string_len(v);
	if (sync_zero_date(s, len))
		return 0;
	if (!sync_valid_date(s, len))
		return -1;
	memcpy(out, s, 19);
	out[19] = '\0';
	return 1;
}

/* Billing company when set, else "firstname lastname" (either may be
   missing). The address may arrive as [] when empty (PHP). */
static void parse_customer(json_object *obj, struct sync_str *out)
{
	json_object *addr = member(obj, "billing_address");
	struct sync_str company, first, last;

	if (addr == NULL || !json_object_is_type(addr, json_type_object)) {
		str_set(out, "", 0);
		return;
	}
	sync_json_text(addr, "company", &company);
	if (company.len > 0) {
		*out = company;
		return;
	}
	free(company.s);
	sync_json_text(addr, "firstname", &first);
	sync_json_text(addr, "lastname", &last);
	size_t len = first.len + last.len + 1;
	char *buf = malloc(len + 1);
	if (buf == NULL)
		abort();
	memcpy(buf, first.s, first.len);
	len = first.len;
	if (first.len > 0 && last.len > 0)
		buf[len++] = ' ';
	memcpy(buf + len, last.s, last.len);
	len += last.len;
	str_set(out, buf, len);
	free(buf);
	free(first.s);
	free(last.s);
}

int sync_order_parse(json_object *obj, struct sync_order *o, const char **why_r)
{
	memset(o, 0, sizeof(*o));
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		*why_r = "not a JSON object";
		return -1;
	}
	o->order_id = sync_json_id(obj, "order_id");
	if (o->order_id == 0) {
		*why_r = "no numeric order_id";
		return -1;
	}
	/* a zero date is none: the order is kept without one */
	if (copy_date(obj, "date", o->date) < 0) {
		*why_r = "no valid date";
		return -1;
	}
	(void)copy_date(obj, "status_date", o->status_date);
	o->status_id = sync_json_id(obj, "status_id");
	if (o->status_id == 0)
		o->status_id = sync_json_id(member(obj, "status"), "status_id");
	o->currency_id = sync_json_id(obj, "currency_id");
	o->shipping_id = sync_json_id(obj, "shipping_id");
	o->total_parcels = sync_json_id(obj, "total_parcels");
	o->paid = sync_json_bool(obj, "is_paid");
	sync_json_text(obj, "sum", &o->total);
	sync_json_text(obj, "email", &o->email);
	sync_json_text(obj, "delivery_email", &o->delivery_email);
	parse_customer(obj, &o->customer);
	return 0;
}

void sync_order_clear(struct sync_order *o)
{
	free(o->total.s);
	free(o->email.s);
	free(o->delivery_email.s);
	free(o->customer.s);
	memset(o, 0, sizeof(*o));
}

int sync_parcel_parse(json_object *obj, struct sync_parcel *p,
		      const char **why_r)
{
	memset(p, 0, sizeof(*p));
	p->parcel_id = sync_json_id(obj, "parcel_id");
	p->order_id = sync_json_id(obj, "order_id");
	if (p->parcel_id == 0 || p->order_id == 0) {
		*why_r = "no numeric parcel_id or order_id";
		return -1;
	}
	sync_json_text(obj, "shipping_code", &p->shipping_code);
	return 0;
}

void sync_parcel_clear(struct sync_parcel *p)
{
	free(p->shipping_code.s);
	memset(p, 0, sizeof(*p));
}

int sync_status_parse(json_object *obj, struct sync_status *s,
		      const char **why_r)
{
	memset(s, 0, sizeof(*s));
	s->status_id = sync_json_id(obj, "status_id");
	if (s->status_id == 0) {
		*why_r = "no numeric status_id";
		return -1;
	}
	long long type = sync_json_id(obj, "type");
	s->type = type >= 1 && type <= 4 ? (int)type : 0;
	s->active = sync_json_bool(obj, "active");
	s->position =
		member(obj, "order") != NULL ? sync_json_id(obj, "order") : -1;
	s->translations = member(obj, "translations");
	if (s->translations != NULL &&
	    !json_object_is_type(s->translations, json_type_object))
		s->translations = NULL; /* [] when empty */
	return 0;
}

static const char *tr_name(json_object *tr, size_t *len_r)
{
	json_object *v = member(tr, "name");

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	*len_r = json_object_get_string_len(v);
	if (*len_r > SYNC_MAX_TEXT)
		*len_r = SYNC_MAX_TEXT;
	return json_object_get_string(v);
}

/* The first translation with a name ("[]" when none: PHP). */
static const char *any_tr_name(json_object *translations, size_t *len_r)
{
	const char *name = NULL;

	if (translations == NULL ||
	    !json_object_is_type(translations, json_type_object))
		return NULL;
	json_object_object_foreach(translations, key, val)
	{
		(void)key;
		name = tr_name(val, len_r);
		if (name != NULL)
			break;
	}
	return name;
}

int sync_shipping_parse(json_object *obj, const char *lang,
			struct sync_shipping *sh, const char **why_r)
{
	json_object *tr = member(obj, "translations");
	const char *name;
	size_t len = 0;

	memset(sh, 0, sizeof(*sh));
	sh->shipping_id = sync_json_id(obj, "shipping_id");
	if (sh->shipping_id == 0) {
		*why_r = "no numeric shipping_id";
		return -1;
	}
	name = tr_name(member(tr, lang), &len);
	if (name == NULL || len == 0)
		name = tr_name(obj, &len);
	if (name == NULL || len == 0)
		name = tr_name(member(tr, "pl_PL"), &len);
	if (name == NULL || len == 0)
		name = any_tr_name(tr, &len);
	if (name == NULL)
		len = 0;
	str_set(&sh->name, name == NULL ? "" : name, len);
	/* a template is a string: false, 0 or null mean none */
	json_object *url = member(obj, "url");
	if (url != NULL && json_object_is_type(url, json_type_string))
		str_set(&sh->url, json_object_get_string(url),
			json_object_get_string_len(url));
	else
		str_set(&sh->url, "", 0);
	return 0;
}

void sync_shipping_clear(struct sync_shipping *sh)
{
	free(sh->name.s);
	free(sh->url.s);
	memset(sh, 0, sizeof(*sh));
}

const char *sync_status_name(const struct sync_status *s, const char *lang,
			     size_t *len_r)
{
	const char *name;

	*len_r = 0;
	if (s->translations == NULL)
		return "";
	name = tr_name(member(s->translations, lang), len_r);
	if (name == NULL)
		name = tr_name(member(s->translations, "pl_PL"), len_r);
	if (name == NULL) {
		json_object_object_foreach(s->translations, key, val)
		{
			(void)key;
			name = tr_name(val, len_r);
			if (name != NULL)
				break;
		}
	}
	if (name == NULL) {
		*len_r = 0;
		return "";
	}
	return name;
}
