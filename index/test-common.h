#ifndef SHOPER_TEST_COMMON_H
#define SHOPER_TEST_COMMON_H

/* Helpers shared by the index tests. */

#include "shoper-index.h"
#include "tap.h"

#include <stdbool.h>

/* A string field from a C string (NULL -> empty). */
struct shoper_str test_str(const char *s);
/* A plausible order; the admin URL derived from the shop's base. The
   strings live in a ring of static buffers (enough for a few orders). */
struct shoper_order test_order(const char *shop, const char *order_id,
			       const char *date, const char *email);
/* All fields equal, byte for byte. */
bool test_order_eq(const struct shoper_order *a, const struct shoper_order *b);
bool test_str_eq(const struct shoper_str *s, const char *c);
/* A fresh temporary directory (removed with test_rmdir). */
char *test_tmpdir(void);
void test_rmdir(const char *dir);
/* Publishes orders[0..n) with max_orders to path; 0 or -1 (prints why). */
int test_publish(const struct shoper_order *orders, unsigned int n,
		 unsigned int max_orders, const char *path);
/* Writes len bytes to path (replacing it). */
int test_write_file(const char *path, const void *data, size_t len);
/* Reads a whole file; NULL on error. */
unsigned char *test_read_file(const char *path, size_t *len_r);

#endif
