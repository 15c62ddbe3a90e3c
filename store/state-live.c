/* What live shops need kept between syncs: the streams a shop refused
   (degraded data `check` reports) and where the re-reading of recent
   orders goes on at the next sync. */
#include "state-private.h"

#include <stdio.h>
#include <string.h>

static const char *const live_schema[] = {
	"CREATE TABLE IF NOT EXISTS degraded(shop TEXT NOT NULL, what TEXT NOT NULL,"
	" code INTEGER, detail TEXT, since INTEGER, PRIMARY KEY(shop, what))",
	"CREATE TABLE IF NOT EXISTS refresh(shop TEXT PRIMARY KEY, cursor INTEGER)",
};

/* One statement: ?1 shop, ?2 text, ?3 int64, ?4 text, ?5 int64 as far
   as it has parameters. Returns 0 or -1. */
static int run_live(struct sync_state *st, const char *sql, const char *shop,
		    const char *a, long long b, const char *c, long long d,
		    struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(st, sql, err);

	if (s == NULL)
		return -1;
	int n = sqlite3_bind_parameter_count(s);
	if (n >= 1)
		sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	if (n >= 2)
		sqlite3_bind_text(s, 2, a, -1, SQLITE_STATIC);
	if (n >= 3)
		sqlite3_bind_int64(s, 3, b);
	if (n >= 4)
		sqlite3_bind_text(s, 4, c, -1, SQLITE_STATIC);
	if (n >= 5)
		sqlite3_bind_int64(s, 5, d);
	int ret = sqlite3_step(s);
	sqlite3_finalize(s);
	if (ret != SQLITE_DONE && ret != SQLITE_ROW)
		return sync_state_db_error(st, err, "live state");
	return 0;
}

int sync_state_live_schema(struct sync_state *st, struct shoper_error *err)
{
	for (size_t i = 0; i < sizeof(live_schema) / sizeof(live_schema[0]);
	     i++) {
		if (run_live(st, live_schema[i], NULL, NULL, 0, NULL, 0, err) <
		    0)
			return -1;
	}
	return 0;
}

int sync_state_set_degraded(struct sync_state *st, const char *shop,
			    const char *what, int code, const char *detail,
			    long long now, struct shoper_error *err)
{
	/* since: when it was first refused, kept while it stays refused */
	return run_live(
		st,
		"INSERT INTO degraded(shop, what, code, detail, since)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(shop, what)"
		" DO UPDATE SET code=excluded.code, detail=excluded.detail",
		shop, what, code, detail, now, err);
}

int sync_state_clear_degraded(struct sync_state *st, const char *shop,
			      const char *what, struct shoper_error *err)
{
	return run_live(st, "DELETE FROM degraded WHERE shop=?1 AND what=?2",
			shop, what, 0, NULL, 0, err);
}

long long sync_state_list_degraded(struct sync_state *st, const char *shop,
				   sync_state_degraded_cb *cb, void *ctx,
				   struct shoper_error *err)
{
	struct sync_degraded_row row;
	long long n = 0;
	int ret;

	sqlite3_stmt *s = sync_state_prepare(
		st,
		"SELECT shop, what, coalesce(code, 0), coalesce(detail, ''),"
		" coalesce(since, 0) FROM degraded WHERE ?1 IS NULL OR shop=?1"
		" ORDER BY shop, what",
		err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	while ((ret = sqlite3_step(s)) == SQLITE_ROW) {
		row.shop = (const char *)sqlite3_column_text(s, 0);
		row.what = (const char *)sqlite3_column_text(s, 1);
		row.code = sqlite3_column_int(s, 2);
		row.detail = (const char *)sqlite3_column_text(s, 3);
		row.since = sqlite3_column_int64(s, 4);
		cb(ctx, &row);
		n++;
	}
	sqlite3_finalize(s);
	if (ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "degraded");
	return n;
}

/* A single number from sql (?1 shop, ?2 text); 0 when none. */
static long long live_scalar(struct sync_state *st, const char *sql,
			     const char *shop, const char *text)
{
	struct shoper_error ignored;
	long long n = 0;
	sqlite3_stmt *s = sync_state_prepare(st, sql, &ignored);

	if (s == NULL)
		return 0;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

long long sync_state_refresh_cursor(struct sync_state *st, const char *shop)
{
	return live_scalar(
		st, "SELECT coalesce(cursor, 0) FROM refresh WHERE shop=?1",
		shop, NULL);
}

int sync_state_set_refresh_cursor(struct sync_state *st, const char *shop,
				  long long cursor, struct shoper_error *err)
{
	/* ?2 unused: run_live binds by position */
	return run_live(st,
			"INSERT OR REPLACE INTO refresh(shop, cursor)"
			" VALUES (?1, ?3)",
			shop, "", cursor, NULL, 0, err);
}

long long sync_state_first_order_since(struct sync_state *st, const char *shop,
				       const char *since)
{
	return live_scalar(st,
			   "SELECT coalesce(min(order_id), 0) FROM orders"
			   " WHERE shop=?1 AND date >= ?2",
			   shop, since);
}

int sync_state_set_order_status(struct sync_state *st, const char *shop,
				const char *order_id, long long status_id,
				struct shoper_error *err)
{
	return run_live(st,
			"UPDATE orders SET status_id=?3 WHERE shop=?1 AND"
			" order_id=CAST(?2 AS INTEGER)",
			shop, order_id, status_id, NULL, 0, err);
}
