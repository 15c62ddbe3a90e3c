/* The status folders' state file: lines "shop=S id=N active=0|1 name=X"
   after a "shoper-statuses 1" line, bytes <= 0x20, 0x7f, '%' and '='
   escaped as %XX. Own code rather than the queue library's status list,
   whose entries hold 255 bytes: a longer folder name was cut there and
   its folder then requested nothing. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "safe-mkstemp.h"
#include "write-full.h"
#include "shoper-queue.h"
#include "shoper-status-state.h"
#include "shoper-compat.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

/* a line: the escaped names of a shop and a folder of at most
   MAILBOX_LIST_NAME_MAX_LENGTH bytes */
#define SHOPER_STATE_MAX_LINE (64 * 1024)

/* The queue library's escaping, into Dovecot strings: any length. */
static void escape(string_t *str, const char *s)
{
	size_t size = strlen(s) * 3 + 1, pos = 0;
	char *out = t_malloc_no0(size);

	if (shoper_qesc(out, size, &pos, s) < 0)
		i_unreached();
	str_append_data(str, out, pos);
}

/* src[0..len) unescaped into pool; NULL on a bad escape or a NUL byte */
static const char *unescape(pool_t pool, const char *src, size_t len)
{
	char *out = p_malloc(pool, len + 1);

	return shoper_qunesc(src, len, out, len + 1) < 0 ? NULL : out;
}

static bool digits(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 20)
		return FALSE;
	for (; *s != '\0'; s++) {
		if (!i_isdigit(*s))
			return FALSE;
	}
	return TRUE;
}

/* "shop=S id=N active=B name=X" (name last: it may hold spaces) */
static bool parse_line(pool_t pool, const char *line,
		       struct shoper_folder_state *e_r)
{
	const char *p = line, *sp;

	if (!str_begins_with(p, "shop=") || (sp = strchr(p + 5, ' ')) == NULL ||
	    (e_r->shop = unescape(pool, p + 5, sp - (p + 5))) == NULL ||
	    e_r->shop[0] == '\0')
		return FALSE;
	p = sp + 1;
	if (!str_begins_with(p, "id=") || (sp = strchr(p + 3, ' ')) == NULL ||
	    (e_r->id = unescape(pool, p + 3, sp - (p + 3))) == NULL ||
	    !digits(e_r->id))
		return FALSE;
	p = sp + 1;
	if (!str_begins_with(p, "active=") || (p[7] != '0' && p[7] != '1') ||
	    !str_begins_with(p + 8, " name="))
		return FALSE;
	e_r->active = p[7] == '1';
	p += 14;
	e_r->vname = unescape(pool, p, strlen(p));
	return e_r->vname != NULL;
}

int shoper_folder_state_read(const char *path, pool_t pool,
			     ARRAY_TYPE(shoper_folder_state) * state_r,
			     const char **error_r)
{
	struct shoper_folder_state e;
	struct istream *input;
	struct stat st;
	const char *line;
	unsigned int lineno = 1;
	int fd, ret = 0;

	p_array_init(state_r, pool, 32);
	/* the user's own file: a link or a device is not one */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*error_r = t_strdup_printf("open(%s): %m", path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*error_r = t_strdup_printf("%s: not a regular file", path);
		i_close_fd(&fd);
		errno = EINVAL;
		return -1;
	}
	input = i_stream_create_fd_autoclose(&fd, SHOPER_STATE_MAX_LINE);
	line = i_stream_read_next_line(input);
	if (line == NULL || strcmp(line, SHOPER_STATUS_LIST_FORMAT) != 0) {
		*error_r =
			t_strdup_printf("%s: not a status folder state", path);
		ret = -1;
	}
	while (ret == 0 && (line = i_stream_read_next_line(input)) != NULL) {
		lineno++;
		if (!parse_line(pool, line, &e)) {
			*error_r = t_strdup_printf("%s:%u: bad line", path,
						   lineno);
			ret = -1;
		} else {
			array_push_back(state_r, &e);
		}
	}
	if (ret == 0 && input->stream_errno != 0) {
		*error_r = t_strdup_printf("read(%s): %s", path,
					   i_stream_get_error(input));
		ret = -1;
	}
	i_stream_destroy(&input);
	if (ret < 0) {
		array_clear(state_r);
		errno = EINVAL;
	}
	return ret;
}

int shoper_folder_state_write(const char *path,
			      const ARRAY_TYPE(shoper_folder_state) * state,
			      const char **error_r)
{
	string_t *data = t_str_new(4096), *tmp = t_str_new(256);
	const struct shoper_folder_state *e;

	str_append(data, SHOPER_STATUS_LIST_FORMAT "\n");
	array_foreach(state, e)
	{
		str_append(data, "shop=");
		escape(data, e->shop);
		str_append(data, " id=");
		escape(data, e->id);
		str_printfa(data, " active=%d name=", e->active ? 1 : 0);
		escape(data, e->vname);
		str_append_c(data, '\n');
	}
	str_printfa(tmp, "%s.tmp.", path);
	int fd = safe_mkstemp(tmp, 0640, (uid_t)-1, (gid_t)-1);
	if (fd < 0) {
		*error_r = t_strdup_printf("safe_mkstemp(%s): %m", str_c(tmp));
		return -1;
	}
	if (write_full(fd, str_data(data), str_len(data)) < 0 ||
	    fsync(fd) < 0) {
		*error_r = t_strdup_printf("write(%s): %m", str_c(tmp));
		i_close_fd(&fd);
		i_unlink(str_c(tmp));
		return -1;
	}
	if (close(fd) < 0 || rename(str_c(tmp), path) < 0) {
		*error_r =
			t_strdup_printf("rename(%s, %s): %m", str_c(tmp), path);
		i_unlink(str_c(tmp));
		return -1;
	}
	return 0;
}
