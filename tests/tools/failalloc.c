/* failalloc.so: an LD_PRELOAD shim for the out-of-memory tests. malloc,
   calloc and realloc of more than FAILALLOC_ABOVE bytes (default 256 KiB)
   fail with ENOMEM, as they would under a tight memory limit, while small
   allocations go on working. FAILALLOC_ABOVE=0 turns it off.
   See tests/faults/test-sync-nomem.sh. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* glibc's own entry points: no dlsym, which may allocate itself */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);

static size_t limit(void)
{
	static size_t above = (size_t)-1;
	extern char **environ;

	if (above != (size_t)-1)
		return above;
	above = 256 * 1024;
	/* the environment walked by hand: nothing here may allocate */
	for (char **e = environ; e != NULL && *e != NULL; e++) {
		const char *p = *e, *k = "FAILALLOC_ABOVE=";

		while (*k != '\0' && *p == *k)
			p++, k++;
		if (*k != '\0')
			continue;
		above = 0;
		for (; *p >= '0' && *p <= '9'; p++)
			above = above * 10 + (size_t)(*p - '0');
	}
	return above;
}

static int too_big(size_t size)
{
	size_t above = limit();

	if (above == 0 || size <= above)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t size)
{
	return too_big(size) ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return too_big(n * size) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	return too_big(size) ? NULL : __libc_realloc(p, size);
}
