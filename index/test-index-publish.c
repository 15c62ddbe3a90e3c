/* The atomic publish: mode and group, no temporary files left, failures
   leave the old file, and a writer killed at any moment leaves either the
   old or the new complete file. */
#include "test-common.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CRASH_ORDERS 30000

static char *dir, path[4096];
static struct shoper_error err;

static unsigned int count_files(const char *d)
{
	DIR *dh = opendir(d);
	struct dirent *e;
	unsigned int n = 0;

	while (dh != NULL && (e = readdir(dh)) != NULL)
		n += e->d_name[0] != '.';
	if (dh != NULL)
		closedir(dh);
	return n;
}

static void test_mode_group(void)
{
	struct shoper_order o =
		test_order("s", "1", "2026-11-01 10:00:00", "a@b.pl");
	struct stat st;
	gid_t gid = 4242;

	if (geteuid() == 0 && chown(dir, (uid_t)-1, gid) < 0)
		gid = getegid();
	if (geteuid() != 0)
		gid = getegid();
	(void)umask(077);
	ok(test_publish(&o, 1, 0, path) == 0, "publish");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640,
	   "mode 0640 despite umask 077");
	ok(st.st_gid == gid, "group of the directory (%u)", (unsigned int)gid);
	ok(count_files(dir) == 1, "no temporary file left");
}

static void test_failures(void)
{
	struct shoper_order o =
		test_order("s", "2", "2026-11-01 10:00:00", "a@b.pl");
	struct shoper_index_writer *w = shoper_index_writer_new(0);
	struct shoper_index_reader *r = shoper_index_reader_new(path);
	char bad[4200];
	struct shoper_order got;

	shoper_index_writer_add(w, &o, &err);
	snprintf(bad, sizeof(bad), "%s/no/such/dir/orders.cdb", dir);
	ok(shoper_index_writer_publish(w, bad, &err) < 0,
	   "publish into a missing directory fails: %s", err.msg);
	snprintf(bad, sizeof(bad), "%s/subdir", dir);
	ok(mkdir(bad, 0755) == 0 &&
		   shoper_index_writer_publish(w, bad, &err) < 0,
	   "publish over a directory fails: %s", err.msg);
	ok(count_files(dir) == 2 && rmdir(bad) == 0,
	   "failed publish left no temporary file");
	ok(shoper_index_lookup_order(r, "s", "1", &got, &err) == 1 &&
		   shoper_index_lookup_order(r, "s", "2", &got, &err) == 0,
	   "old file untouched");
	shoper_index_writer_free(&w);
	shoper_index_reader_free(&r);
}

static int publish_many(const char *status)
{
	struct shoper_index_writer *w = shoper_index_writer_new(0);
	char id[16], email[64];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < CRASH_ORDERS && ret == 0; i++) {
		struct shoper_order o;

		snprintf(id, sizeof(id), "%u", i + 1);
		snprintf(email, sizeof(email), "c%u@example.pl", i / 2);
		o = test_order("s", id, "2026-11-01 10:00:00", email);
		o.status_name = test_str(status);
		ret = shoper_index_writer_add(w, &o, &err);
	}
	if (ret == 0)
		ret = shoper_index_writer_publish(w, path, &err);
	shoper_index_writer_free(&w);
	return ret;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_crash(void)
{
	struct shoper_index_reader *r = shoper_index_reader_new(path);
	struct shoper_order got;
	unsigned int i, good = 0, newer = 0;
	double t0 = now(), took;

	ok(publish_many("old") == 0, "publish %u orders", CRASH_ORDERS);
	took = now() - t0;
	for (i = 0; i < 20; i++) {
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(publish_many("new") == 0 ? 0 : 1);
		/* spread the kills over the whole publish, then a bit after */
		usleep((useconds_t)(took * 1.5e6 * i / 20));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (shoper_index_reader_verify(r, &err) == 0 &&
		    shoper_index_lookup_order(r, "s", "1", &got, &err) == 1) {
			good++;
			newer += test_str_eq(&got.status_name, "new");
		}
		/* put the old file back for the next round */
		if (test_str_eq(&got.status_name, "new"))
			publish_many("old");
	}
	ok(good == 20, "after 20 kills the file is always whole (%u new)",
	   newer);
	shoper_index_reader_free(&r);
}

int main(void)
{
	dir = test_tmpdir();
	snprintf(path, sizeof(path), "%s/orders.cdb", dir);
	test_mode_group();
	test_failures();
	test_crash();
	test_rmdir(dir);
	free(dir);
	return tap_done();
}
