/* The atomic publish: mode and group, no temporary files left, failures
   leave the old file (also running out of memory while adding), and a
   writer killed at any moment leaves either the old or the new complete
   file. */
#include "test-common.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CRASH_ORDERS 30000

/* ASan reserves terabytes of address space: no RLIMIT_AS there */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif

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

/* What the child of test_out_of_memory saw, one bit each. */
enum {
	OOM_ADD_FAILED = 1, /* an add answered FAILED, not BAD_ORDER */
	OOM_MESSAGE = 2, /* saying "out of memory" */
	OOM_STICKY = 4, /* with memory back, the next add is refused too */
	OOM_NO_PUBLISH = 8, /* and so is the publish */
	OOM_ALL = 15,
};

/* Adds orders with 32 KiB values under an address-space limit until an
   add fails; returns the OOM_* bits. */
static int add_until_oom(void)
{
	struct shoper_index_writer *w = shoper_index_writer_new(0);
	static char big[32 * 1024];
	struct rlimit old, low;
	unsigned long vsize = 0;
	enum shoper_index_add ret = SHOPER_INDEX_ADD_OK;
	char id[16];
	int bits = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL || fscanf(f, "%lu", &vsize) != 1 ||
	    getrlimit(RLIMIT_AS, &old) < 0)
		return 0;
	fclose(f);
	memset(big, 'x', sizeof(big));
	low = old;
	low.rlim_cur = vsize * (rlim_t)sysconf(_SC_PAGESIZE) + (64 << 20);
	if (setrlimit(RLIMIT_AS, &low) < 0)
		return 0;
	for (unsigned int i = 0; i < 1000000 && ret == SHOPER_INDEX_ADD_OK;
	     i++) {
		struct shoper_order o;

		snprintf(id, sizeof(id), "%u", i + 10);
		o = test_order("s", id, "2026-11-01 10:00:00", "oom@b.pl");
		o.customer.ptr = big;
		o.customer.len = sizeof(big);
		ret = shoper_index_writer_add(w, &o, &err);
	}
	(void)setrlimit(RLIMIT_AS, &old);
	bits |= ret == SHOPER_INDEX_ADD_FAILED ? OOM_ADD_FAILED : 0;
	bits |= strstr(err.msg, "out of memory") != NULL ? OOM_MESSAGE : 0;
	struct shoper_order o =
		test_order("s", "3", "2026-11-01 10:00:00", "a@b.pl");
	bits |= shoper_index_writer_add(w, &o, &err) == SHOPER_INDEX_ADD_FAILED
			? OOM_STICKY
			: 0;
	bits |= shoper_index_writer_publish(w, path, &err) < 0 ? OOM_NO_PUBLISH
							       : 0;
	shoper_index_writer_free(&w);
	return bits;
}

/* Out of memory while adding: the add tells it apart from bad data, and
   the writer refuses to publish what it has (the index would lack the
   orders it could not take). Forked, so that the limit stays there. */
static void test_out_of_memory(void)
{
	struct shoper_index_reader *r = shoper_index_reader_new(path);
	struct shoper_order got;
	int status = 0;
	pid_t pid;

#ifdef TEST_ASAN
	printf("ok %d # SKIP no address-space limit under ASan\n", ++tap_n);
	shoper_index_reader_free(&r);
	return;
#endif
	pid = fork();
	if (pid == 0)
		_exit(add_until_oom());
	waitpid(pid, &status, 0);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	ok(status & OOM_ADD_FAILED,
	   "out of memory: the add answers FAILED, not BAD_ORDER");
	ok(status & OOM_MESSAGE, "and says out of memory");
	ok(status & OOM_STICKY, "later adds are refused, memory or not");
	ok(status & OOM_NO_PUBLISH, "the writer refuses to publish");
	ok(shoper_index_lookup_order(r, "s", "1", &got, &err) == 1 &&
		   shoper_index_lookup_order(r, "s", "10", &got, &err) == 0,
	   "the old file stays");
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
		ret = shoper_index_writer_add(w, &o, &err) ==
				      SHOPER_INDEX_ADD_OK
			      ? 0
			      : -1;
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
	test_out_of_memory();
	test_crash();
	test_rmdir(dir);
	free(dir);
	return tap_done();
}
