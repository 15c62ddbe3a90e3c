/* list-orders: the webapi library on its own (webapi/README.md). Prints
   the id, date, e-mail and total of every order of one shop.

   list-orders URL LOGIN PASSWORD_FILE [CA_FILE] */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shoper-webapi.h"

static char *read_line(const char *path)
{
	char buf[512];
	FILE *f = fopen(path, "r");

	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return strdup(buf);
}

/* One page of the orders list; returns the number of pages, -1 on error. */
static long long print_page(struct shoper_webapi *api, long long page,
			    struct shoper_error *err)
{
	json_object *json = NULL, *list;
	char query[64];
	int64_t pages = 0;

	snprintf(query, sizeof(query), "limit=50&page=%lld", page);
	if (shoper_webapi_call(api, "GET", "orders", query, NULL, &json, NULL,
			       err) != SHOPER_WEBAPI_OK)
		return -1;
	list = json_object_object_get(json, "list");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *o = json_object_array_get_idx(list, i);

		printf("%s\t%s\t%s\t%s\n", shoper_json_str(o, "order_id"),
		       shoper_json_str(o, "date"), shoper_json_str(o, "email"),
		       shoper_json_str(o, "sum"));
	}
	(void)shoper_json_int64(json, "pages", &pages);
	json_object_put(json);
	return pages;
}

int main(int argc, char **argv)
{
	struct shoper_webapi_settings set = {.shop_name = "example"};
	struct shoper_error err = {""};
	struct shoper_webapi *api;
	long long page = 1, pages = 1;
	char *password;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: list-orders URL LOGIN PASSWORD_FILE "
				"[CA_FILE]\n");
		return 2;
	}
	password = read_line(argv[3]);
	if (password == NULL) {
		fprintf(stderr, "list-orders: cannot read %s\n", argv[3]);
		return 1;
	}
	set.base_url = argv[1];
	set.login = argv[2];
	set.password = password;
	set.ca_file = argc == 5 ? argv[4] : NULL;
	api = shoper_webapi_new(&set, &err);
	/* the client keeps its own copy of the password */
	memset(password, 0, strlen(password));
	free(password);
	while (api != NULL && page <= pages) {
		pages = print_page(api, page++, &err);
		if (pages < 0)
			break;
	}
	if (err.msg[0] != '\0')
		fprintf(stderr, "list-orders: %s\n", err.msg);
	shoper_webapi_free(&api);
	return err.msg[0] != '\0' ? 1 : 0;
}
