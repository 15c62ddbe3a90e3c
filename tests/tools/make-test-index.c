/* make-test-index [-n MAX_ORDERS] [-d] PATH < orders.jsonl
   Reads one JSON object per line, fields named like struct shoper_order
   (shop, order_id, date, status_id, status_name, status_type 0-4, total,
   currency, paid, tracking, customer, email, url, synced, delivery_email,
   shipping, tracking_url; missing strings
   are empty), and publishes an order index to PATH. Strings keep every
   byte, "\u0000" included. For the plugin's and sync's tests.
   -d: publish the orders as changes over the index at PATH, into its
   delta (doc/index-format.md §10), instead of a whole new index. */
#include "shoper-index.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct shoper_str get_str(struct json_object *obj, const char *name)
{
	struct json_object *v;
	struct shoper_str s = {"", 0};

	if (json_object_object_get_ex(obj, name, &v) &&
	    json_object_is_type(v, json_type_string)) {
		s.ptr = json_object_get_string(v);
		s.len = json_object_get_string_len(v);
	} else if (json_object_object_get_ex(obj, name, &v) && v != NULL) {
		/* numbers (order_id: 12345) as their JSON text */
		s.ptr = json_object_to_json_string_ext(v,
						       JSON_C_TO_STRING_PLAIN);
		s.len = strlen(s.ptr);
	}
	return s;
}

/* -d: the orders kept (with their JSON objects) for one publish */
#define MAX_CHANGES 4096
static struct shoper_order changes[MAX_CHANGES];
static struct json_object *change_objs[MAX_CHANGES];
static unsigned int n_changes;

static int add_line(struct shoper_index_writer *w, const char *line,
		    unsigned int lineno)
{
	struct json_object *obj, *v;
	struct shoper_order o;
	struct shoper_error err;
	int ret;

	obj = json_tokener_parse(line);
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		fprintf(stderr, "make-test-index: line %u: not a JSON object\n",
			lineno);
		json_object_put(obj);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.shop = get_str(obj, "shop");
	o.order_id = get_str(obj, "order_id");
	o.date = get_str(obj, "date");
	o.status_id = get_str(obj, "status_id");
	o.status_name = get_str(obj, "status_name");
	o.total = get_str(obj, "total");
	o.currency = get_str(obj, "currency");
	o.tracking = get_str(obj, "tracking");
	o.customer = get_str(obj, "customer");
	o.email = get_str(obj, "email");
	o.url = get_str(obj, "url");
	o.synced = get_str(obj, "synced");
	o.delivery_email = get_str(obj, "delivery_email");
	o.shipping = get_str(obj, "shipping");
	o.tracking_url = get_str(obj, "tracking_url");
	if (json_object_object_get_ex(obj, "status_type", &v))
		o.status_type = json_object_get_int(v);
	if (json_object_object_get_ex(obj, "paid", &v))
		o.paid = json_object_get_boolean(v);
	ret = 0;
	if (w == NULL) {
		if (n_changes == MAX_CHANGES) {
			json_object_put(obj);
			fprintf(stderr, "make-test-index: too many changes\n");
			return -1;
		}
		change_objs[n_changes] = obj;
		changes[n_changes++] = o;
		return 0;
	}
	if (shoper_index_writer_add(w, &o, &err) != SHOPER_INDEX_ADD_OK) {
		fprintf(stderr, "make-test-index: line %u: %s\n", lineno,
			err.msg);
		ret = -1;
	}
	json_object_put(obj);
	return ret;
}

int main(int argc, char **argv)
{
	struct shoper_index_writer *w;
	struct shoper_error err;
	unsigned int max = 0, lineno = 0;
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	int c, ret = 0;
	bool delta = false;

	while ((c = getopt(argc, argv, "n:d")) != -1) {
		if (c == 'd')
			delta = true;
		else if (c == 'n')
			max = strtoul(optarg, NULL, 10);
		else
			goto usage;
	}
	if (optind + 1 != argc)
		goto usage;
	w = delta ? NULL : shoper_index_writer_new(max);
	while (ret == 0 && (len = getline(&line, &size, stdin)) > 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue;
		ret = add_line(w, line, lineno);
	}
	free(line);
	if (delta) {
		if (ret == 0 && shoper_index_publish_changes(
					argv[optind], changes, n_changes, NULL,
					0, NULL, &err) != 1) {
			fprintf(stderr, "make-test-index: %s\n", err.msg);
			ret = -1;
		}
		for (unsigned int i = 0; i < n_changes; i++)
			json_object_put(change_objs[i]);
		return ret == 0 ? 0 : 1;
	}
	if (ret == 0 &&
	    shoper_index_writer_publish(w, argv[optind], &err) < 0) {
		fprintf(stderr, "make-test-index: %s\n", err.msg);
		ret = -1;
	}
	shoper_index_writer_free(&w);
	return ret == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: make-test-index [-n MAX_ORDERS] [-d] PATH "
			"< orders.jsonl\n");
	return 2;
}
