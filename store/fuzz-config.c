/* libFuzzer target for shoper-sync's INI parser (config.c) and its URL
   normaliser. The input is a whole configuration file; on success every
   shop is looked up again by name, on failure the error text must be
   "FILE:LINE: problem" lines. The first line of the input also goes
   through shoper_config_normalize_url, whose result must be https://.
   Seeds: tests/fuzz/config/. Built only with clang (HAVE_FUZZER). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* what errors name the parsed text */
static const char path[] = "fuzz.conf";

static void check_config(const struct shoper_sync_config *cfg)
{
	unsigned int i;

	if (cfg->index_path == NULL || cfg->state_dir == NULL)
		abort();
	for (i = 0; i < cfg->n_shops; i++) {
		const struct shoper_shop_config *s = &cfg->shops[i];

		if (shoper_config_find_shop(cfg, s->name) != s ||
		    strncmp(s->url, "https://", 8) != 0 || s->login == NULL)
			abort();
	}
}

static void check_errors(const char *errors)
{
	size_t plen = strlen(path);
	const char *p = errors, *nl;

	if (errors == NULL || *errors == '\0')
		abort();
	/* every line names the file */
	for (; *p != '\0'; p = nl + 1) {
		if (strncmp(p, path, plen) != 0 || p[plen] != ':')
			abort();
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
	}
}

static void fuzz_url(const unsigned char *data, size_t size)
{
	const char *why = NULL;
	size_t n = 0;
	char *url, *norm;

	while (n < size && data[n] != '\n' && n < 4096)
		n++;
	url = malloc(n + 1);
	memcpy(url, data, n);
	url[n] = '\0';
	norm = shoper_config_normalize_url(url, &why);
	if (norm != NULL) {
		if (strncmp(norm, "https://", 8) != 0)
			abort();
		free(norm);
	} else if (why == NULL) {
		abort();
	}
	free(url);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct shoper_sync_config *cfg;
	char *errors = NULL;
	FILE *f;

	if (size == 0 || size > 64 * 1024)
		return 0;
	fuzz_url(data, size);
	/* parsed from memory: no file write per input */
	f = fmemopen((void *)data, size, "r");
	if (f == NULL)
		return 0;
	cfg = shoper_config_parse(f, path, &errors);
	fclose(f);
	if (cfg != NULL) {
		if (errors != NULL)
			abort();
		check_config(cfg);
		shoper_config_free(&cfg);
	} else {
		check_errors(errors);
	}
	free(errors);
	return 0;
}
