/* Typed views of webapi JSON. The webapi sends ids, money and counts as
   strings but pages, totals and flags as numbers and booleans, and an
   empty PHP map as [] instead of {}: read every field defensively. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webapi-private.h"

static json_object *member(json_object *obj, const char *key)
{
	json_object *val;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &val))
		return NULL;
	return val;
}

const char *shoper_json_str_len(json_object *obj, const char *key,
				size_t *len_r)
{
	json_object *val = member(obj, key);
	const char *s;

	switch (val == NULL ? json_type_null : json_object_get_type(val)) {
	case json_type_string:
		*len_r = (size_t)json_object_get_string_len(val);
		return json_object_get_string(val);
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		/* the text as it was sent ("12.50" stays "12.50") */
		s = json_object_get_string(val);
		if (s != NULL) {
			*len_r = strlen(s);
			return s;
		}
		break;
	default:
		break;
	}
	*len_r = 0;
	return "";
}

const char *shoper_json_str(json_object *obj, const char *key)
{
	size_t len;

	return shoper_json_str_len(obj, key, &len);
}

bool shoper_json_bool(json_object *obj, const char *key)
{
	json_object *val = member(obj, key);
	const char *s;

	switch (val == NULL ? json_type_null : json_object_get_type(val)) {
	case json_type_boolean:
		return json_object_get_boolean(val) != 0;
	case json_type_int:
		return json_object_get_int64(val) == 1;
	case json_type_string:
		s = json_object_get_string(val);
		return strcmp(s, "1") == 0 || strcmp(s, "true") == 0;
	default:
		return false;
	}
}

json_object *shoper_json_obj(json_object *obj, const char *key)
{
	json_object *val = member(obj, key);

	if (val == NULL || !json_object_is_type(val, json_type_object))
		return NULL;
	return val;
}

bool shoper_json_int64(json_object *obj, const char *key, int64_t *value_r)
{
	json_object *val = member(obj, key);
	const char *s;
	char *end;
	long long v;

	switch (val == NULL ? json_type_null : json_object_get_type(val)) {
	case json_type_int:
		errno = 0;
		*value_r = json_object_get_int64(val);
		return errno == 0;
	case json_type_string:
		s = json_object_get_string(val);
		if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
			return false;
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			return false;
		*value_r = v;
		return true;
	default:
		return false;
	}
}

void shoper_webapi_error_text(json_object *json, char *buf, size_t size)
{
	const char *code = shoper_json_str(json, "error");
	const char *desc = shoper_json_str(json, "error_description");
	size_t i;

	if (*code == '\0' && *desc == '\0')
		snprintf(buf, size, "no error description");
	else if (*desc == '\0')
		snprintf(buf, size, "%.100s", code);
	else
		snprintf(buf, size, "%.100s: %.300s", code, desc);
	/* shop text goes into logs: no control characters */
	for (i = 0; buf[i] != '\0'; i++) {
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = ' ';
	}
}
