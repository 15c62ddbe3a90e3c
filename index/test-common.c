/* Helpers shared by the index tests. */
#define _GNU_SOURCE
#include "test-common.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct shoper_str test_str(const char *s)
{
	struct shoper_str r = {s == NULL ? "" : s, s == NULL ? 0 : strlen(s)};

	return r;
}

bool test_str_eq(const struct shoper_str *s, const char *c)
{
	return s->len == strlen(c) && memcmp(s->ptr, c, s->len) == 0;
}

static char *ring_url(const char *shop, const char *id)
{
	static char ring[64][256];
	static unsigned int next;
	char *p = ring[next++ % 64];

	snprintf(p, 256, "https://%s.example.pl/admin/orders/view/id/%s", shop,
		 id);
	return p;
}

struct shoper_order test_order(const char *shop, const char *order_id,
			       const char *date, const char *email)
{
	struct shoper_order o;

	memset(&o, 0, sizeof(o));
	o.shop = test_str(shop);
	o.order_id = test_str(order_id);
	o.date = test_str(date);
	o.status_id = test_str("2");
	o.status_name = test_str("W realizacji");
	o.status_type = SHOPER_STATUS_TYPE_IN_PROGRESS;
	o.total = test_str("164.98");
	o.currency = test_str("PLN");
	o.paid = true;
	o.tracking = test_str("");
	o.customer = test_str("Jan Kowalski");
	o.email = test_str(email);
	o.url = test_str(ring_url(shop, order_id));
	o.synced = test_str("2026-11-29 10:15:00");
	o.delivery_email = test_str("");
	o.shipping = test_str("Kurier InPost");
	o.tracking_url =
		test_str("https://inpost.example/track?n={tracking_number}");
	return o;
}

static bool seq(const struct shoper_str *a, const struct shoper_str *b)
{
	return a->len == b->len &&
	       (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

bool test_order_eq(const struct shoper_order *a, const struct shoper_order *b)
{
	return seq(&a->shop, &b->shop) && seq(&a->order_id, &b->order_id) &&
	       seq(&a->date, &b->date) && seq(&a->status_id, &b->status_id) &&
	       seq(&a->status_name, &b->status_name) &&
	       a->status_type == b->status_type && seq(&a->total, &b->total) &&
	       seq(&a->currency, &b->currency) && a->paid == b->paid &&
	       seq(&a->tracking, &b->tracking) &&
	       seq(&a->customer, &b->customer) && seq(&a->email, &b->email) &&
	       seq(&a->url, &b->url) && seq(&a->synced, &b->synced) &&
	       seq(&a->delivery_email, &b->delivery_email) &&
	       seq(&a->shipping, &b->shipping) &&
	       seq(&a->tracking_url, &b->tracking_url);
}

char *test_tmpdir(void)
{
	char *dir = strdup("/tmp/test-index.XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	return dir;
}

void test_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		(void)unlink(path);
	}
	closedir(d);
	(void)rmdir(dir);
}

int test_publish(const struct shoper_order *orders, unsigned int n,
		 unsigned int max_orders, const char *path)
{
	struct shoper_index_writer *w = shoper_index_writer_new(max_orders);
	struct shoper_error err;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		if (shoper_index_writer_add(w, &orders[i], &err) !=
		    SHOPER_INDEX_ADD_OK)
			ret = -1;
	}
	if (ret == 0)
		ret = shoper_index_writer_publish(w, path, &err);
	if (ret < 0)
		printf("# publish: %s\n", err.msg);
	shoper_index_writer_free(&w);
	return ret;
}

int test_write_file(const char *path, const void *data, size_t len)
{
	char tmp[4096];
	FILE *f;

	/* a new inode, as a real publish gives */
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

unsigned char *test_read_file(const char *path, size_t *len_r)
{
	struct stat st;
	unsigned char *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	p = malloc(st.st_size + 1);
	if (p != NULL && read(fd, p, st.st_size) != st.st_size) {
		free(p);
		p = NULL;
	}
	close(fd);
	*len_r = st.st_size;
	return p;
}
