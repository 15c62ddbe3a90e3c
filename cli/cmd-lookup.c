/* lookup EMAIL: what the published index holds, as the plugin sees it. */
#include "cmd.h"
#include "shoper-index.h"

#include <json-c/json.h>
#include <string.h>

static json_object *jstr(const struct shoper_str *s)
{
	return json_object_new_string_len(s->ptr, (int)s->len);
}

static json_object *order_json(const struct shoper_order *o)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "shop", jstr(&o->shop));
	json_object_object_add(j, "order_id", jstr(&o->order_id));
	json_object_object_add(j, "date", jstr(&o->date));
	json_object_object_add(j, "status_id", jstr(&o->status_id));
	json_object_object_add(j, "status_name", jstr(&o->status_name));
	json_object_object_add(j, "status_type",
			       json_object_new_string(shoper_status_type_name(
				       o->status_type)));
	json_object_object_add(j, "total", jstr(&o->total));
	json_object_object_add(j, "currency", jstr(&o->currency));
	json_object_object_add(j, "paid", json_object_new_boolean(o->paid));
	json_object_object_add(j, "tracking", jstr(&o->tracking));
	json_object_object_add(j, "customer", jstr(&o->customer));
	json_object_object_add(j, "email", jstr(&o->email));
	json_object_object_add(j, "url", jstr(&o->url));
	json_object_object_add(j, "synced", jstr(&o->synced));
	json_object_object_add(j, "delivery_email", jstr(&o->delivery_email));
	json_object_object_add(j, "shipping", jstr(&o->shipping));
	json_object_object_add(j, "tracking_url", jstr(&o->tracking_url));
	return j;
}

static void field(const char *label, const struct shoper_str *s)
{
	if (s->len == 0)
		return;
	printf("  %-9s ", label);
	shoper_print_clean(stdout, s->ptr, s->len);
	putchar('\n');
}

static void order_text(const struct shoper_order *o)
{
	shoper_print_clean(stdout, o->shop.ptr, o->shop.len);
	putchar(':');
	shoper_print_clean(stdout, o->order_id.ptr, o->order_id.len);
	printf("  ");
	shoper_print_clean(stdout, o->date.ptr, o->date.len);
	printf("  ");
	shoper_print_clean(stdout, o->status_name.ptr, o->status_name.len);
	printf(" (%s)  ", shoper_status_type_name(o->status_type));
	shoper_print_clean(stdout, o->total.ptr, o->total.len);
	putchar(' ');
	shoper_print_clean(stdout, o->currency.ptr, o->currency.len);
	printf("  %s\n", o->paid ? "paid" : "not paid");
	field("customer", &o->customer);
	field("email", &o->email);
	field("delivery", &o->delivery_email);
	field("shipping", &o->shipping);
	field("tracking", &o->tracking);
	field("url", &o->url);
	field("synced", &o->synced);
}

int cmd_lookup(struct cmd_ctx *ctx)
{
	static struct shoper_index_result res;
	struct shoper_error err;
	const char *email = NULL;
	bool json = false;

	for (int i = 0; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--json") == 0)
			json = true;
		else if (email == NULL && ctx->argv[i][0] != '-')
			email = ctx->argv[i];
		else
			email = NULL, i = ctx->argc;
	}
	if (email == NULL) {
		fprintf(stderr, "usage: shoper-sync lookup [--json] EMAIL\n");
		return SYNC_EXIT_USAGE;
	}
	struct shoper_sync_config *cfg = cmd_load_config(ctx->config_path);
	if (cfg == NULL)
		return SYNC_EXIT_CONFIG;
	struct shoper_index_reader *r =
		shoper_index_reader_new(cfg->index_path);
	int ret = shoper_index_reader_refresh(r, &err);
	if (ret == 0)
		ret = shoper_index_lookup_email(r, email, NULL, 0, 0, &res,
						&err);
	if (ret < 0) {
		fprintf(stderr, "index %s: %s\n", cfg->index_path, err.msg);
		ret = SYNC_EXIT_LOCAL;
	} else if (json) {
		json_object *arr = json_object_new_array();
		for (unsigned int i = 0; ret == 1 && i < res.count; i++)
			json_object_array_add(arr, order_json(&res.orders[i]));
		puts(json_object_to_json_string_ext(
			arr, JSON_C_TO_STRING_PRETTY |
				     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
		ret = ret == 1 ? SYNC_EXIT_OK : SYNC_EXIT_FAIL;
	} else if (ret == 0) {
		printf("no orders for %s in %s\n", email, cfg->index_path);
		ret = SYNC_EXIT_FAIL;
	} else {
		for (unsigned int i = 0; i < res.count; i++)
			order_text(&res.orders[i]);
		ret = SYNC_EXIT_OK;
	}
	shoper_index_reader_free(&r);
	shoper_config_free(&cfg);
	return ret;
}
