/* Escaping and small-file reading shared by the queue and status list
   (writing: shoper_file_replace_data of the index library). */
#include "queue-private.h"

#include <errno.h>
#include <fcntl.h>
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

int shoper_qread_file(const char *path, char **data_r, size_t *len_r,
		      struct shoper_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		int e = errno;
		shoper_error_set(err, "open %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > SHOPER_QUEUE_MAX_FILE) {
		shoper_error_set(err,
				 "%s: not a regular file of at most %d bytes",
				 path, SHOPER_QUEUE_MAX_FILE);
		close(fd);
		return -1;
	}
	char *data = malloc((size_t)st.st_size + 1);
	size_t len = 0;
	ssize_t n;
	if (data == NULL) {
		close(fd);
		shoper_error_set(err, "out of memory");
		return -1;
	}
	while (len < (size_t)st.st_size &&
	       (n = read(fd, data + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	data[len] = '\0';
	*data_r = data;
	*len_r = len;
	return 0;
}
