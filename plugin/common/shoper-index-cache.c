/* The process-wide index reader and its rate-limited warnings. */

#include "lib.h"
#include "ioloop.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "shoper-index.h"
#include "shoper-index-cache.h"

/* In the queue directory next to the index: shoper-sync makes it 2770 with
   the index directory's group, so every mail process may replace it. */
#define SHOPER_WARN_STAMP_NAME ".shoper-warned"
#define SHOPER_WARN_STAMP_MAX 1024

static struct shoper_index_reader *shoper_reader;
static char *shoper_reader_path;
/* the last warning logged (here or, per the stamp, by another process):
   the same error isn't logged again within SHOPER_WARN_INTERVAL_SECS, even
   if lookups worked in between (a corrupt record for one sender must not
   log once per message) */
static char *shoper_last_error;
static time_t shoper_last_warning;
/* this process logged shoper_last_error and no stamp records it, so this
   process logs the recovery */
static bool shoper_warned_unstamped;
/* the stamp was looked at since this process last saw a working index */
static bool shoper_stamp_checked;

static bool shoper_ends_with(const char *str, const char *suffix)
{
	size_t len = strlen(str), slen = strlen(suffix);

	return len >= slen && strcmp(str + len - slen, suffix) == 0;
}

/* The identity of the index file an error is keyed on. */
static const char *shoper_index_ident(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return NULL;
	return t_strdup_printf(" (inode %llu, %lld bytes)",
			       (unsigned long long)st.st_ino,
			       (long long)st.st_size);
}

/* The stamp that the mail processes (one per message under dovecot-lda)
   share: its content is the error key last logged, its mtime when. */
static const char *shoper_stamp_path(const char *index_path)
{
	const char *slash = strrchr(index_path, '/');

	if (slash == NULL)
		return "queue/" SHOPER_WARN_STAMP_NAME;
	return t_strdup_printf("%s/queue/" SHOPER_WARN_STAMP_NAME,
			       t_strdup_until(index_path, slash));
}

/* Returns TRUE with the stamp's key and mtime; FALSE when there is none or
   it can't be read (then each process rate-limits on its own). */
static bool shoper_stamp_read(const char *stamp, const char **key_r,
			      time_t *mtime_r)
{
	char buf[SHOPER_WARN_STAMP_MAX];
	struct stat st;
	ssize_t n = -1;
	int fd;

	/* the directory is group-writable: no symlinks, no FIFOs */
	fd = open(stamp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return FALSE;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof(buf));
	i_close_fd(&fd);
	if (n < 0)
		return FALSE;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	*key_r = t_strndup(buf, n);
	*mtime_r = st.st_mtime;
	return TRUE;
}

static bool shoper_stamp_write(const char *stamp, const char *key)
{
	const char *data = t_strconcat(key, "\n", NULL);
	struct shoper_error err;

	/* the directory missing or not writable: per-process limits only */
	return shoper_file_replace_data(stamp, data, strlen(data), 0660,
					SHOPER_FILE_GROUP_TRY, &err) == 0;
}

static void shoper_remember(const char *key, time_t when, bool unstamped)
{
	i_free(shoper_last_error);
	shoper_last_error = i_strdup(key);
	shoper_last_warning = when;
	shoper_warned_unstamped = unstamped;
}

static bool shoper_warned_recently(const char *key, const char *last,
				   time_t when, time_t now)
{
	/* a stamp far in the future (clock set back) must not silence
	   warnings for good */
	return last != NULL && strcmp(last, key) == 0 &&
	       now - when < SHOPER_WARN_INTERVAL_SECS &&
	       when - now < SHOPER_WARN_INTERVAL_SECS;
}

static void shoper_index_cache_set_error(const char *path, const char *error)
{
	time_t now = time(NULL), stamp_mtime;
	const char *ident, *stamp, *stamp_key;

	/* a different broken file is a new state: key on the file too */
	ident = shoper_index_ident(path);
	if (ident != NULL)
		error = t_strconcat(error, ident, NULL);

	if (shoper_warned_recently(error, shoper_last_error,
				   shoper_last_warning, now))
		return;
	stamp = shoper_stamp_path(path);
	if (shoper_stamp_read(stamp, &stamp_key, &stamp_mtime) &&
	    shoper_warned_recently(error, stamp_key, stamp_mtime, now)) {
		/* another process logged it */
		shoper_remember(error, stamp_mtime, FALSE);
		return;
	}
	i_warning("shoper: order index %s unusable, delivering without "
		  "X-Shoper headers: %s",
		  path, error);
	shoper_remember(error, now, !shoper_stamp_write(stamp, error));
}

/* The index works: a failure state that was warned about is over, unless
   it was about lookups in this very file. */
static void shoper_index_cache_working(const char *path)
{
	const char *ident, *stamp, *stamp_key;
	time_t stamp_mtime;
	bool have_stamp, logged_here;

	/* a fresh process (dovecot-lda) looks at the stamp once */
	if (shoper_last_error == NULL && shoper_stamp_checked)
		return;
	shoper_stamp_checked = TRUE;
	ident = shoper_index_ident(path);
	if (ident == NULL || (shoper_last_error != NULL &&
			      shoper_ends_with(shoper_last_error, ident)))
		return;
	stamp = shoper_stamp_path(path);
	have_stamp = shoper_stamp_read(stamp, &stamp_key, &stamp_mtime);
	if (have_stamp && shoper_ends_with(stamp_key, ident)) {
		/* another process's lookups failed in this file */
		shoper_remember(stamp_key, stamp_mtime, FALSE);
		return;
	}
	logged_here = shoper_last_error != NULL && shoper_warned_unstamped;
	i_free_and_null(shoper_last_error);
	shoper_warned_unstamped = FALSE;
	/* whoever removes the stamp logs the recovery: once */
	if ((have_stamp && unlink(stamp) == 0) || logged_here)
		i_info("shoper: order index %s usable again", path);
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
	shoper_index_cache_working(path);
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
	shoper_warned_unstamped = FALSE;
	shoper_stamp_checked = FALSE;
}
