/* Unit tests of the status-change queue and the status list. */
#include "tap.h"
#include "queue-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static unsigned int count_files(const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned int n = 0;
	size_t s = strlen(suffix);

	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] != '.' && l > s &&
		    strcmp(de->d_name + l - s, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void req_init(struct shoper_queue_request *r, const char *shop,
		     const char *order, const char *status)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->user, "alice");
	strcpy(r->shop, shop);
	strcpy(r->order_id, order);
	strcpy(r->status_id, status);
	strcpy(r->status_name, "Wysłane = 100%\nX-Evil: 1");
	strcpy(r->mailbox, "Shoper/Wysłane");
	r->uid = 7;
	r->uidvalidity = 4000000000u;
	r->time = 1790000000;
	r->owner_uid = -1; /* what a request file doesn't say */
}

static void test_format(void)
{
	struct shoper_queue_request r, back;
	struct shoper_error err;
	char buf[SHOPER_QUEUE_MAX_FILE], name[256];

	ok(shoper_queue_name("sklep1", "12", name, sizeof(name)) == 0 &&
		   strcmp(name, "736b6c657031.12.req") == 0,
	   "file name is hex(shop).order.req");
	ok(shoper_queue_name("../x", "1/2", name, sizeof(name)) < 0 &&
		   shoper_queue_name("", "1", name, sizeof(name)) < 0,
	   "bad order id or empty shop refused");
	req_init(&r, "sklep1", "12", "3");
	int len = shoper_queue_format(&r, buf, sizeof(buf));
	ok(len > 0 && strstr(buf,
			     "\nstatus_name=Wysłane%20%3D%20100%25%0AX-Evil:%20"
			     "1\nmailbox=") != NULL,
	   "hostile name escaped on one line");
	ok(shoper_queue_parse(buf, (size_t)len, &back, &err) == 0 &&
		   memcmp(&r, &back, sizeof(r)) == 0,
	   "request round-trips");
	r.tries = 2;
	r.owner_uid = 5000;
	len = shoper_queue_format(&r, buf, sizeof(buf));
	ok(len > 0 && shoper_queue_parse(buf, (size_t)len, &back, &err) == 0 &&
		   memcmp(&r, &back, sizeof(r)) == 0,
	   "a kept copy round-trips with tries and owner");
	ok(shoper_queue_parse("junk\n", 5, &back, &err) < 0, "garbage refused");
	const char *missing = SHOPER_QUEUE_FORMAT "\nshop=a\norder_id=1\n";
	ok(shoper_queue_parse(missing, strlen(missing), &back, &err) < 0,
	   "missing status_id refused");
	const char *unknown =
		SHOPER_QUEUE_FORMAT "\nshop=a\norder_id=1\nstatus_id=2\nx=1\n";
	ok(shoper_queue_parse(unknown, strlen(unknown), &back, &err) < 0,
	   "unknown key refused");
	const char *nul =
		SHOPER_QUEUE_FORMAT "\nshop=a%00b\norder_id=1\nstatus_id=2\n";
	ok(shoper_queue_parse(nul, strlen(nul), &back, &err) < 0,
	   "escaped NUL refused");
}

static void test_spool(void)
{
	struct shoper_queue_request r, got;
	struct shoper_error err;
	char work[512];

	req_init(&r, "sklep1", "12", "3");
	ok(shoper_queue_pending(dir, NULL, &err) == 0,
	   "empty queue has nothing");
	ok(shoper_queue_put(dir, &r, &err) == 0, "put");
	strcpy(r.status_id, "4");
	ok(shoper_queue_put(dir, &r, &err) == 0, "put again for same order");
	req_init(&r, "sklep2", "12", "5");
	ok(shoper_queue_put(dir, &r, &err) == 0, "put for another shop");
	ok(count_files(".req") == 2 && count_files("") == 2,
	   "one file per (shop, order), no temp files left");
	ok(shoper_queue_pending(dir, NULL, &err) == 1, "pending");
	int n = 0, last_sklep1 = 0;
	while (shoper_queue_claim(dir, NULL, &got, work, sizeof(work), &err) ==
	       1) {
		n++;
		if (strcmp(got.shop, "sklep1") == 0)
			last_sklep1 = atoi(got.status_id);
		ok(count_files(".work") == 1, "claimed as .work");
		shoper_queue_done(work, &err);
	}
	ok(n == 2 && last_sklep1 == 4, "later request replaced the earlier");
	ok(shoper_queue_pending(dir, NULL, &err) == 0,
	   "queue empty after done");

	/* a crash left a .work; a newer .req for the same order replaces it */
	req_init(&r, "sklep1", "12", "3");
	shoper_queue_put(dir, &r, &err);
	shoper_queue_claim(dir, NULL, &got, work, sizeof(work), &err);
	strcpy(r.status_id, "9");
	shoper_queue_put(dir, &r, &err);
	ok(shoper_queue_claim(dir, NULL, &got, work, sizeof(work), &err) == 1 &&
		   strcmp(got.status_id, "9") == 0,
	   "newer request claimed over the leftover .work");
	ok(count_files(".work") == 1, "the leftover is replaced");
	/* left by a crash (not set aside): carried out again */
	ok(shoper_queue_claim(dir, NULL, &got, work, sizeof(work), &err) == 1 &&
		   strcmp(got.status_id, "9") == 0 &&
		   got.owner_uid == (int64_t)geteuid(),
	   "leftover .work claimed again, with its writer's uid");
	shoper_queue_done(work, &err);

	char path[400];
	snprintf(path, sizeof(path), "%s/616263.1.req", dir);
	FILE *f = fopen(path, "w");
	fputs("hello\n", f);
	fclose(f);
	ok(shoper_queue_claim(dir, NULL, &got, work, sizeof(work), &err) ==
			   -2 &&
		   count_files(".bad") == 1,
	   "unparsable request set aside as .bad");
	ok(shoper_queue_claim(dir, NULL, &got, work, sizeof(work), &err) == 0,
	   "then nothing to do");
}

/* writes dir/name with text, or as a symlink to target */
static void put_file(const char *name, const char *text, size_t len,
		     const char *target)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (target != NULL) {
		if (symlink(target, path) < 0)
			abort();
		return;
	}
	FILE *f = fopen(path, "w");
	if (f == NULL || fwrite(text, 1, len, f) != len)
		abort();
	fclose(f);
}

/* a shop out of reach: its request waits (in the keep dir), the others
   go on */
static void test_defer(void)
{
	struct shoper_queue_request r, got;
	struct shoper_error err;
	struct timespec before;
	char work[512], keep[300];
	int n = 0;

	snprintf(keep, sizeof(keep), "%s/kept", dir);
	req_init(&r, "sklepA", "1", "3");
	shoper_queue_put(dir, &r, &err);
	ok(shoper_queue_claim(dir, keep, &got, work, sizeof(work), &err) == 1 &&
		   !got.kept && got.owner_uid == (int64_t)geteuid(),
	   "claim A, with its writer's uid");
	got.tries++;
	got.owner_uid = 5000; /* as if a mail process had written it */
	ok(shoper_queue_defer(keep, work, &got, time(NULL) + 60, &err) == 0,
	   "A set aside for a minute");
	ok(count_files(".work") == 0 && access(work, F_OK) < 0,
	   "not in the shared queue any more");
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", keep, strrchr(work, '/') + 1);
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 077) == 0,
	   "but in the keep dir, for shoper-sync alone");
	req_init(&r, "sklepB", "2", "4");
	shoper_queue_put(dir, &r, &err);
	ok(shoper_queue_claim(dir, keep, &got, work, sizeof(work), &err) == 1 &&
		   strcmp(got.shop, "sklepB") == 0,
	   "B claimed although A waits");
	shoper_queue_done(work, &err);
	ok(shoper_queue_claim(dir, keep, &got, work, sizeof(work), &err) == 0,
	   "A not claimed again before its time");
	ok(shoper_queue_pending(dir, NULL, &err) == 0,
	   "a waiting request is not pending");
	/* its time comes */
	ok(utimensat(AT_FDCWD, path, NULL, 0) == 0, "time passes");
	ok(shoper_queue_claim(dir, keep, &got, work, sizeof(work), &err) == 1 &&
		   strcmp(got.shop, "sklepA") == 0 && got.tries == 1 &&
		   got.kept && got.owner_uid == 5000,
	   "then A again, its tries and its writer's uid kept (not ours)");
	shoper_queue_done(work, &err);

	/* pending: only requests that arrived since a time */
	req_init(&r, "sklepB", "3", "4");
	shoper_queue_put(dir, &r, &err);
	clock_gettime(CLOCK_REALTIME, &before);
	before.tv_sec += 2;
	ok(shoper_queue_pending(dir, &before, &err) == 0,
	   "a request older than since is not new");
	before.tv_sec -= 4;
	ok(shoper_queue_pending(dir, &before, &err) == 1,
	   "a request newer than since is");
	while (shoper_queue_claim(dir, keep, &got, work, sizeof(work), &err) ==
	       1) {
		shoper_queue_done(work, &err);
		n++;
	}
	ok(n == 1, "queue drained");
}

/* what only shoper-sync's own copy may say */
static void test_kept(void)
{
	struct shoper_queue_request r, got;
	struct shoper_error err;
	char work[512], keep[300], path[1024];

	snprintf(keep, sizeof(keep), "%s/kept", dir);
	/* a newer request for a kept order replaces it */
	req_init(&r, "sklepA", "1", "3");
	shoper_queue_put(dir, &r, &err);
	shoper_queue_claim(dir, keep, &got, work, sizeof(work), &err);
	got.tries = 1;
	shoper_queue_defer(keep, work, &got, time(NULL) - 1, &err);
	strcpy(r.status_id, "8");
	shoper_queue_put(dir, &r, &err);
	ok(shoper_queue_claim(dir, keep, &got, work, sizeof(work), &err) == 1 &&
		   strcmp(got.status_id, "8") == 0 && !got.kept,
	   "a newer request is claimed before the kept one");
	shoper_queue_done(work, &err);
	ok(shoper_queue_claim(dir, keep, &got, work, sizeof(work), &err) == 0,
	   "and the kept one is gone");

	/* what only a kept copy may say counts nowhere else */
	snprintf(path, sizeof(path), "%s/616263.5.req", dir);
	FILE *f = fopen(path, "w");
	fputs("shoper-queue 1\nshop=abc\norder_id=5\nstatus_id=1\n"
	      "tries=3\nowner=0\n",
	      f);
	fclose(f);
	ok(shoper_queue_claim(dir, keep, &got, work, sizeof(work), &err) == 1 &&
		   got.tries == 0 && got.owner_uid == (int64_t)geteuid() &&
		   !got.kept,
	   "tries and owner in a shared request are ignored");
	shoper_queue_done(work, &err);
}

/* files that can't be read go aside as .bad, the rest is carried out */
static void test_bad_work(void)
{
	struct shoper_queue_request r, got;
	struct shoper_error err;
	char work[512], buf[SHOPER_QUEUE_MAX_FILE];
	static char big[SHOPER_QUEUE_MAX_FILE + 10];
	int n = 0, bad = 0, ret;

	req_init(&r, "sklep1", "20", "3");
	int len = shoper_queue_format(&r, buf, sizeof(buf));
	put_file("61.1.work", buf, (size_t)len, "/etc/passwd");
	memset(big, 'x', sizeof(big));
	memcpy(big, buf, (size_t)len);
	put_file("61.2.work", big, sizeof(big), NULL);
	put_file("61.3.work", "\x01garbage", 8, NULL);
	put_file("61.4.req", NULL, 0, "61.9.req");
	shoper_queue_put(dir, &r, &err);
	while ((ret = shoper_queue_claim(dir, NULL, &got, work, sizeof(work),
					 &err)) != 0 &&
	       n + bad < 10) {
		if (ret == -2)
			bad++;
		if (ret == 1) {
			n++;
			shoper_queue_done(work, &err);
		}
		if (ret == -1)
			break;
	}
	ok(ret == 0 && n == 1 && bad == 4,
	   "symlink, oversize and garbage .work/.req set aside, the good one "
	   "carried out (%d done, %d bad, last %d: %s)",
	   n, bad, ret, ret < 0 ? err.msg : "");
	ok(count_files(".bad") == 5 && count_files(".work") == 0,
	   "kept as .bad for the admin");
}

static void test_status_list(void)
{
	struct shoper_status_list list, back;
	struct shoper_error err;
	char path[400];

	memset(&list, 0, sizeof(list));
	shoper_status_list_add(&list, "sklep1", "1", "Nowe", true);
	shoper_status_list_add(&list, "sklep1", "2", "W realizacji=x%\n", true);
	shoper_status_list_add(&list, "sklep 2", "1", "Stare", false);
	snprintf(path, sizeof(path), "%s/orders.cdb.statuses", dir);
	ok(shoper_status_list_write(path, &list, &err) == 0, "list written");
	int ret = shoper_status_list_read(path, &back, &err);
	ok(ret == 0 && back.count == 3, "list read back%s%s",
	   ret < 0 ? ": " : "", ret < 0 ? err.msg : "");
	const struct shoper_status_entry *e =
		shoper_status_list_find(&back, "sklep1", "2");
	ok(e != NULL && strcmp(e->name, "W realizacji=x%\n") == 0 && e->active,
	   "hostile name round-trips");
	e = shoper_status_list_find(&back, "sklep 2", "1");
	ok(e != NULL && !e->active, "inactive flag kept");
	ok(shoper_status_list_find(&back, "sklep2", "1") == NULL,
	   "unknown shop not found");
	shoper_status_list_free(&back);
	shoper_status_list_free(&list);
	unlink(path);
	ok(shoper_status_list_read(path, &back, &err) < 0 && errno == ENOENT,
	   "missing list is an error");

	/* 45 shops of 25 statuses: 68 KB */
	memset(&list, 0, sizeof(list));
	for (int s = 0; s < 45; s++) {
		for (int i = 0; i < 25; i++) {
			char shop[32], id[16];
			snprintf(shop, sizeof(shop), "sklep-numer-%d", s);
			snprintf(id, sizeof(id), "%d", i + 1);
			shoper_status_list_add(
				&list, shop, id,
				"W trakcie kompletowania przesyłki", true);
		}
	}
	struct stat st;
	ok(shoper_status_list_write(path, &list, &err) == 0 &&
		   stat(path, &st) == 0 && st.st_size > 64 * 1024,
	   "a list over 64 KiB is written");
	ret = shoper_status_list_read(path, &back, &err);
	ok(ret == 0 && back.count == 45 * 25, "and read back%s%s",
	   ret < 0 ? ": " : "", ret < 0 ? err.msg : "");
	shoper_status_list_free(&back);
	/* longer than any reader takes: refused, the old list stays */
	char name[256];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	struct shoper_status_list huge;
	memset(&huge, 0, sizeof(huge));
	for (int i = 0; i < 20000; i++) {
		char id[16];
		snprintf(id, sizeof(id), "%d", i);
		shoper_status_list_add(&huge, "sklep1", id, name, true);
	}
	ok(shoper_status_list_write(path, &huge, &err) < 0 &&
		   shoper_status_list_read(path, &back, &err) == 0 &&
		   back.count == 45 * 25,
	   "a list no reader takes is not written");
	shoper_status_list_free(&back);
	shoper_status_list_free(&huge);
	shoper_status_list_free(&list);
	unlink(path);

	char out[256];
	shoper_queue_dir("/var/lib/x/orders.cdb", out, sizeof(out));
	ok(strcmp(out, "/var/lib/x/queue") == 0, "queue dir next to index");
	shoper_status_list_path("/var/lib/x/orders.cdb", out, sizeof(out));
	ok(strcmp(out, "/var/lib/x/orders.cdb.statuses") == 0,
	   "status list path");
}

int main(void)
{
	strcpy(dir, "/tmp/test-queue.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_format();
	test_spool();
	test_defer();
	test_kept();
	test_bad_work();
	test_status_list();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
