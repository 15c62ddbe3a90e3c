/* The streams of a sync: what each reads (resource, key) and its base
   filters. */
#include "engine-private.h"

#include <string.h>

static const char *stream_path(enum stream_kind kind)
{
	switch (kind) {
	case SK_STATUSES:
		return "/webapi/rest/statuses";
	case SK_CURRENCIES:
		return "/webapi/rest/currencies";
	case SK_SHIPPINGS:
		return "/webapi/rest/shippings";
	case SK_ORDERS:
	case SK_STATUS_CHANGES:
	case SK_TRACK_PROBE:
	case SK_ORDERS_OF:
	case SK_RECENT:
		return "/webapi/rest/orders";
	default:
		return "/webapi/rest/parcels";
	}
}

static const char *stream_key(enum stream_kind kind)
{
	switch (kind) {
	case SK_STATUSES:
		return "status_id";
	case SK_CURRENCIES:
		return "currency_id";
	case SK_SHIPPINGS:
		return "shipping_id";
	case SK_ORDERS:
	case SK_STATUS_CHANGES:
	case SK_TRACK_PROBE:
	case SK_ORDERS_OF:
	case SK_RECENT:
		return "order_id";
	default:
		return "parcel_id";
	}
}

struct stream *engine_add_stream(struct engine *e, enum stream_kind kind,
				 long long cursor, json_object *filters)
{
	struct stream *s = &e->streams[e->n_streams++];

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->path = stream_path(kind);
	s->key = stream_key(kind);
	s->cursor = cursor;
	s->remaining = -1;
	s->budget = -1;
	s->active = true;
	s->filters = filters;
	return s;
}

/* {"field": {op: value}} merged into obj (created when NULL). */
json_object *engine_filter_add(json_object *obj, const char *field,
			       const char *op, json_object *value)
{
	json_object *cond = json_object_new_object();

	if (obj == NULL)
		obj = json_object_new_object();
	json_object_object_add(cond, op, value);
	json_object_object_add(obj, field, cond);
	return obj;
}

void engine_free_streams(struct engine *e)
{
	for (unsigned int i = 0; i < e->n_streams; i++)
		json_object_put(e->streams[i].filters);
	e->n_streams = 0;
}
