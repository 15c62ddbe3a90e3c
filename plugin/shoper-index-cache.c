/* The process-wide index reader and its rate-limited warnings. */

#include "lib.h"
#include "ioloop.h"

#include <sys/stat.h>
#include "shoper-index.h"
#include "shoper-index-cache.h"

static struct shoper_index_reader *shoper_reader;
static char *shoper_reader_path;
/* the last warning logged: the same error isn't logged again within
   SHOPER_WARN_INTERVAL_SECS, even if lookups worked in between (a corrupt
   record for one sender must not log once per message) */
static char *shoper_last_error;
static time_t shoper_last_warning;

static void shoper_index_cache_set_error(const char *path, const char *error)
{
	time_t now = time(NULL);
	struct stat st;

	/* a different broken file is a new state: key on the file too */
	if (stat(path, &st) == 0) {
		error = t_strdup_printf("%s (inode %llu, %lld bytes)", error,
					(unsigned long long)st.st_ino,
					(long long)st.st_size);
	}

	if (shoper_last_error != NULL &&
	    strcmp(shoper_last_error, error) == 0 &&
	    now - shoper_last_warning < SHOPER_WARN_INTERVAL_SECS)
		return;
	i_warning("shoper: order index %s unusable, delivering without "
		  "X-Shoper headers: %s",
		  path, error);
	i_free(shoper_last_error);
	shoper_last_error = i_strdup(error);
	shoper_last_warning = now;
}

struct shoper_index_reader *shoper_index_cache_get(const char *path)
{
	struct shoper_error err;

	if (shoper_reader != NULL && strcmp(shoper_reader_path, path) != 0) {
		/* another user's shoper_index in the same process */
		shoper_index_reader_free(&shoper_reader);
		i_free_and_null(shoper_reader_path);
	}
	if (shoper_reader == NULL) {
		shoper_reader = shoper_index_reader_new(path);
		if (shoper_reader == NULL) {
			shoper_index_cache_set_error(path, "out of memory");
			return NULL;
		}
		shoper_reader_path = i_strdup(path);
		/* every delivery refreshes explicitly below; the lookups of
		   that delivery then need no stat() of their own */
		shoper_index_reader_set_check_interval(shoper_reader, 1000);
	}
	err.msg[0] = '\0';
	if (shoper_index_reader_refresh(shoper_reader, &err) < 0) {
		shoper_index_cache_set_error(
			path, err.msg[0] != '\0' ? err.msg : "unknown error");
		return NULL;
	}
	return shoper_reader;
}

void shoper_index_cache_failed(const char *path, const char *error)
{
	shoper_index_cache_set_error(path, error);
}

void shoper_index_cache_deinit(void)
{
	if (shoper_reader != NULL)
		shoper_index_reader_free(&shoper_reader);
	i_free_and_null(shoper_reader_path);
	i_free_and_null(shoper_last_error);
}
