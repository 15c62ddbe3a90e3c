/* Escaping and small-file reading shared by the queue and status list
   (writing: shoper_file_replace_data of the index library). */
#include "queue-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int shoper_qesc(char *out, size_t size, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		bool esc = c <= 0x20 || c == 0x7f || c == '%' || c == '=';
		if (*pos + (esc ? 3 : 1) >= size)
			return -1;
		if (esc) {
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[c >> 4];
			out[(*pos)++] = hex[c & 15];
		} else {
			out[(*pos)++] = (char)c;
		}
	}
	out[*pos] = '\0';
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int shoper_qunesc(const char *src, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)src[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			int h = hexval(src[i + 1]), l = hexval(src[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0 || o + 1 >= size)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

bool shoper_qdigits(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	return strspn(s, "0123456789") == n;
}

int shoper_qread_file(const char *path, size_t max, char **data_r,
		      size_t *len_r, struct stat *st_r,
		      struct shoper_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	int e;

	if (fd < 0) {
		e = errno;
		shoper_error_set(err, "open %s: %s", path,
				 e == ELOOP ? "a symbolic link" : strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		shoper_error_set(err, "stat %s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > max) {
		shoper_error_set(err,
				 "%s: not a regular file of at most %zu bytes",
				 path, max);
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return -1;
	}
	char *data = malloc((size_t)st.st_size + 1);
	size_t len = 0;
	ssize_t n = 0;
	if (data == NULL) {
		close(fd);
		shoper_error_set(err, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	while (len < (size_t)st.st_size &&
	       (n = read(fd, data + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	e = errno;
	close(fd);
	if (n < 0) {
		shoper_error_set(err, "read %s: %s", path, strerror(e));
		free(data);
		errno = e;
		return -1;
	}
	data[len] = '\0';
	*data_r = data;
	*len_r = len;
	if (st_r != NULL)
		*st_r = st;
	return 0;
}
