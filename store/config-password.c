/* Reading a shop's password file: kept apart from the parser, the one
   place shoper-sync holds a password in its own buffers. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *shoper_config_read_password(const struct shoper_sync_config *cfg,
				  const struct shoper_shop_config *shop,
				  char *err, unsigned int n)
{
	char buf[1024];
	struct stat st;

	FILE *f = fopen(shop->password_file, "r");
	if (f == NULL) {
		snprintf(err, n, "%s:%u: password file %s: %s", cfg->path,
			 shop->password_file_line, shop->password_file,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0007) != 0) {
		fclose(f);
		snprintf(
			err, n,
			"%s:%u: password file %s is accessible by others; run chmod 600 %s",
			cfg->path, shop->password_file_line,
			shop->password_file, shop->password_file);
		return NULL;
	}
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		snprintf(
			err, n,
			"%s:%u: password file %s is empty; write the password on its first line",
			cfg->path, shop->password_file_line,
			shop->password_file);
		return NULL;
	}
	char *r = strdup(buf);

	if (r == NULL)
		abort();
	memset(buf, 0, sizeof(buf));
	return r;
}
