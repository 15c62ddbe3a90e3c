/* statuses: the order statuses each shop had at its last sync. */
#include "cmd.h"
#include "state.h"

#include <json-c/json.h>
#include <string.h>

static const char *const type_names[] = {"unknown", "new", "in-progress",
					 "closed", "not-completed"};

struct list_ctx {
	const char *shop;
	json_object *json; /* NULL: text */
	unsigned int n;
};

static void print_status(void *_ctx, const struct sync_status_row *r)
{
	struct list_ctx *ctx = _ctx;
	const char *type =
		type_names[r->type >= 0 && r->type <= 4 ? r->type : 0];

	ctx->n++;
	if (ctx->json != NULL) {
		json_object *j = json_object_new_object();
		json_object_object_add(j, "shop",
				       json_object_new_string(ctx->shop));
		json_object_object_add(j, "status_id",
				       json_object_new_int64(r->status_id));
		json_object_object_add(j, "type", json_object_new_string(type));
		json_object_object_add(j, "name",
				       json_object_new_string(r->name ?: ""));
		json_object_object_add(j, "active",
				       json_object_new_boolean(r->active));
		json_object_array_add(ctx->json, j);
		return;
	}
	printf("%-12s %5lld  %-13s %-8s ", ctx->shop, r->status_id, type,
	       r->active ? "active" : "inactive");
	shoper_print_clean(stdout, r->name ?: "", strlen(r->name ?: ""));
	putchar('\n');
}

int cmd_statuses(struct cmd_ctx *ctx)
{
	struct list_ctx lc;
	struct sync_state *st;
	struct shoper_error err;
	const char *only = NULL;
	int ret = SYNC_EXIT_OK;

	memset(&lc, 0, sizeof(lc));
	for (int i = 0; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--json") == 0)
			lc.json = json_object_new_array();
		else if (strcmp(ctx->argv[i], "--shop") == 0 &&
			 i + 1 < ctx->argc)
			only = ctx->argv[++i];
		else {
			fprintf(stderr,
				"usage: shoper-sync statuses [--shop NAME] [--json]\n");
			json_object_put(lc.json);
			return SYNC_EXIT_USAGE;
		}
	}
	struct shoper_sync_config *cfg = cmd_load_config(ctx->config_path);
	if (cfg == NULL) {
		json_object_put(lc.json);
		return SYNC_EXIT_CONFIG;
	}
	if (only != NULL && shoper_config_find_shop(cfg, only) == NULL) {
		fprintf(stderr, "%s: no [shop %s]\n", cfg->path, only);
		ret = SYNC_EXIT_CONFIG;
	} else if (sync_state_open(cfg->state_dir, true, &st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		ret = SYNC_EXIT_LOCAL;
	} else {
		if (lc.json == NULL)
			printf("%-12s %5s  %-13s %-8s %s\n", "SHOP", "ID",
			       "TYPE", "ACTIVE", "NAME");
		for (unsigned int i = 0; i < cfg->n_shops; i++) {
			const struct shoper_shop_config *shop = &cfg->shops[i];
			if (only != NULL && strcmp(only, shop->name) != 0)
				continue;
			lc.shop = shop->name;
			if (sync_state_list_statuses(
				    st, shop->name, shop->language,
				    print_status, &lc, &err) < 0) {
				fprintf(stderr, "%s\n", err.msg);
				ret = SYNC_EXIT_LOCAL;
			}
		}
		sync_state_close(&st);
		if (lc.json != NULL)
			puts(json_object_to_json_string_ext(
				lc.json,
				JSON_C_TO_STRING_PRETTY |
					JSON_C_TO_STRING_NOSLASHESCAPE));
		else if (lc.n == 0 && ret == 0)
			printf("(no statuses yet: run shoper-sync sync first)\n");
	}
	json_object_put(lc.json);
	shoper_config_free(&cfg);
	return ret;
}
