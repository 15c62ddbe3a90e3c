#ifndef SHOPER_ORDER_PARSE_H
#define SHOPER_ORDER_PARSE_H

/* Webapi JSON objects (orders, parcels, statuses ...) to C structs. The
   input is hostile: any field may be missing, null, of the wrong type,
   huge, or hold NUL bytes. Uses json-c only (fuzzable alone). */

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

/* A heap copy of a JSON string: NUL-terminated, may contain NUL bytes. */
struct sync_str {
	char *s;
	size_t len;
};

struct sync_order {
	long long order_id;
	char date[20]; /* "YYYY-MM-DD HH:MM:SS" (checked) */
	char status_date[20]; /* same or "" */
	long long status_id; /* 0 when unknown */
	long long currency_id;
	long long shipping_id;
	long long total_parcels;
	bool paid;
	struct sync_str total; /* "sum" as sent */
	struct sync_str email;
	struct sync_str customer; /* billing company, else "first last" */
	/* the order's second address ("" when missing or null) */
	struct sync_str delivery_email;
};

struct sync_parcel {
	long long parcel_id;
	long long order_id;
	struct sync_str shipping_code;
};

/* A shipping method (GET /shippings). */
struct sync_shipping {
	long long shipping_id;
	/* translations[lang], else the top-level name (live shops send
	   both), else pl_PL, else any translation; "" when none */
	struct sync_str name;
	/* tracking URL template, "{tracking_number}" where a number goes
	   ("" when none) */
	struct sync_str url;
};

struct sync_status {
	long long status_id;
	int type; /* 1..4, 0 unknown */
	bool active;
	/* the shop's display order ("order"), -1 when it has none */
	long long position;
	/* translations: language -> name (json-c object, borrowed) */
	json_object *translations;
};

/* Returns 0, or -1 with a static reason (*why_r) when the object is not a
   usable order (no numeric order_id, no valid date). */
int sync_order_parse(json_object *obj, struct sync_order *order_r,
		     const char **why_r);
void sync_order_clear(struct sync_order *order);

int sync_parcel_parse(json_object *obj, struct sync_parcel *parcel_r,
		      const char **why_r);
void sync_parcel_clear(struct sync_parcel *parcel);

int sync_shipping_parse(json_object *obj, const char *lang,
			struct sync_shipping *shipping_r, const char **why_r);
void sync_shipping_clear(struct sync_shipping *shipping);

int sync_status_parse(json_object *obj, struct sync_status *status_r,
		      const char **why_r);
/* Name in lang, else pl_PL, else any; "" if none. *len_r gets the length. */
const char *sync_status_name(const struct sync_status *status, const char *lang,
			     size_t *len_r);

/* A positive id from a JSON string or integer ("12", 12); 0 if none. */
long long sync_json_id(json_object *obj, const char *key);
/* Copy of a member rendered as text ("" when missing/null/object). */
void sync_json_text(json_object *obj, const char *key, struct sync_str *out);
/* true for JSON true, 1, "1", "true". */
bool sync_json_bool(json_object *obj, const char *key);
/* true if s is "YYYY-MM-DD HH:MM:SS". */
bool sync_valid_date(const char *s, size_t len);
/* true for the zero dates live shops send for "no date":
   "0000-00-00 00:00:00" and "0000-00-00". */
bool sync_zero_date(const char *s, size_t len);

#endif
