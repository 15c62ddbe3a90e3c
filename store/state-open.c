/* Opening the state: its directory (0700), the lock, the database with
   its schema, then the migrations and the live-shop tables. */
#include "state-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS orders(shop TEXT NOT NULL, order_id INTEGER NOT NULL,"
	" date TEXT NOT NULL, status_id INTEGER, status_date TEXT, currency_id INTEGER,"
	" shipping_id INTEGER, total_parcels INTEGER, paid INTEGER, total TEXT, email TEXT,"
	" customer TEXT, synced TEXT, seen INTEGER, delivery_email TEXT,"
	" PRIMARY KEY(shop, order_id));"
	"CREATE TABLE IF NOT EXISTS parcels(shop TEXT NOT NULL, parcel_id INTEGER NOT NULL,"
	" order_id INTEGER NOT NULL, shipping_code TEXT, seen INTEGER,"
	" PRIMARY KEY(shop, parcel_id));"
	"CREATE INDEX IF NOT EXISTS parcels_by_order ON parcels(shop, order_id, parcel_id);"
	"CREATE TABLE IF NOT EXISTS statuses(shop TEXT NOT NULL, status_id INTEGER NOT NULL,"
	" type INTEGER, active INTEGER, position INTEGER,"
	" PRIMARY KEY(shop, status_id));"
	"CREATE TABLE IF NOT EXISTS status_names(shop TEXT NOT NULL, status_id INTEGER NOT NULL,"
	" lang TEXT NOT NULL, name TEXT, PRIMARY KEY(shop, status_id, lang));"
	"CREATE TABLE IF NOT EXISTS currencies(shop TEXT NOT NULL, id INTEGER NOT NULL,"
	" name TEXT, PRIMARY KEY(shop, id));"
	"CREATE TABLE IF NOT EXISTS shippings(shop TEXT NOT NULL, id INTEGER NOT NULL,"
	" name TEXT, url TEXT, PRIMARY KEY(shop, id));"
	"CREATE TABLE IF NOT EXISTS cursors(shop TEXT PRIMARY KEY, max_order_id INTEGER,"
	" max_parcel_id INTEGER, min_order_id INTEGER, status_since TEXT,"
	" last_full_pass INTEGER, last_good_sync INTEGER, pass INTEGER,"
	" backfill_done INTEGER, window_start TEXT, cred_fp TEXT);"
	"CREATE TABLE IF NOT EXISTS shop_zone(shop TEXT PRIMARY KEY, zone TEXT,"
	" checked INTEGER);"
	"CREATE TABLE IF NOT EXISTS unindexed(shop TEXT NOT NULL,"
	" order_id INTEGER NOT NULL, reason TEXT, PRIMARY KEY(shop, order_id));";

static int check_dir(const char *dir, struct shoper_error *err)
{
	struct stat s;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		shoper_error_set(
			err,
			"state_dir %s: cannot create: %s; create it with mkdir -m 0700 %s",
			dir, strerror(errno), dir);
		return -1;
	}
	if (stat(dir, &s) < 0 || !S_ISDIR(s.st_mode)) {
		shoper_error_set(
			err,
			"state_dir %s is not a directory; point state_dir at a directory",
			dir);
		return -1;
	}
	if ((s.st_mode & 0077) != 0) {
		shoper_error_set(
			err,
			"state_dir %s is accessible by group or others (mode %04o); run chmod 700 %s",
			dir, (unsigned int)(s.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

static int take_lock(struct sync_state *st, const char *dir, bool readonly,
		     struct shoper_error *err)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/lock", dir);
	st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lock_fd < 0) {
		shoper_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!readonly && flock(st->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		shoper_error_set(
			err,
			"another shoper-sync is syncing with state_dir %s; wait for it or stop it",
			dir);
		return -1;
	}
	return 0;
}

int sync_state_open(const char *dir, bool readonly, struct sync_state **st_r,
		    struct shoper_error *err)
{
	char path[4096];

	*st_r = NULL;
	if (check_dir(dir, err) < 0)
		return -1;
	struct sync_state *st = calloc(1, sizeof(*st));
	if (st == NULL)
		abort();
	st->lock_fd = -1;
	if (take_lock(st, dir, readonly, err) < 0) {
		sync_state_close(&st);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/state.db", dir);
	mode_t old = umask(0077);
	int ret = sqlite3_open(path, &st->db);
	umask(old);
	if (ret != SQLITE_OK) {
		shoper_error_set(err, "%s: %s", path,
				 st->db == NULL ? "out of memory"
						: sqlite3_errmsg(st->db));
		sync_state_close(&st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 10000);
	if (sqlite3_exec(st->db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		sync_state_db_error(st, err, path);
		sync_state_close(&st);
		return -1;
	}
	if (sync_state_migrate(st, err) < 0 ||
	    sync_state_live_schema(st, err) < 0 ||
	    (!readonly && sync_state_hook_schema(st, err) < 0)) {
		sync_state_close(&st);
		return -1;
	}
	*st_r = st;
	return 0;
}
