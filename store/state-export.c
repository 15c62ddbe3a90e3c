/* Reads of the state: every order as the index wants it, the status
   list, the shops' time zones and what a full pass has not seen; and the
   list of orders the published index lacks. */
#include "state-private.h"

#include <stdio.h>
#include <string.h>

#define EXPORT_COLUMNS                                                                                 \
	"SELECT o.order_id, o.date, o.status_id,"                                                      \
	" (SELECT name FROM status_names n WHERE n.shop=o.shop AND n.status_id=o.status_id"            \
	"  ORDER BY n.lang=?3 DESC, n.lang='pl_PL' DESC, n.lang LIMIT 1),"                             \
	" coalesce((SELECT type FROM statuses s WHERE s.shop=o.shop AND s.status_id=o.status_id), 0)," \
	" o.total,"                                                                                    \
	" (SELECT name FROM currencies c WHERE c.shop=o.shop AND c.id=o.currency_id),"                 \
	" o.paid,"                                                                                     \
	" (SELECT group_concat(shipping_code, ', ') FROM (SELECT shipping_code FROM parcels p"         \
	"  WHERE p.shop=o.shop AND p.order_id=o.order_id AND shipping_code != ''"                      \
	"  ORDER BY parcel_id)),"                                                                      \
	" o.customer, o.email, o.synced, o.delivery_email,"                                            \
	" (SELECT name FROM shippings h WHERE h.shop=o.shop AND h.id=o.shipping_id),"                  \
	" (SELECT url FROM shippings h WHERE h.shop=o.shop AND h.id=o.shipping_id)"
static const char export_sql[] = EXPORT_COLUMNS
	" FROM orders o WHERE o.shop=?1 AND (o.date >= ?2 OR o.date = '')"
	" ORDER BY o.order_id";
/* one order, by its key (an incremental publish) */
static const char export_one_sql[] = EXPORT_COLUMNS
	" FROM orders o WHERE o.shop=?1 AND (o.date >= ?2 OR o.date = '')"
	" AND o.order_id=?4";

static void col_str(sqlite3_stmt *s, int col, struct shoper_str *out)
{
	out->ptr = (const char *)sqlite3_column_text(s, col);
	out->len = sqlite3_column_bytes(s, col);
	if (out->ptr == NULL) {
		out->ptr = "";
		out->len = 0;
	}
}

static void set_cstr(struct shoper_str *out, const char *s)
{
	out->ptr = s;
	out->len = strlen(s);
}

/* Runs an export statement (bound), one callback per row; the number of
   rows, or -1. */
static long long export_rows(struct sync_state *st, sqlite3_stmt *s,
			     const char *shop, const char *base_url,
			     sync_state_order_cb *cb, void *ctx,
			     struct shoper_error *err)
{
	struct shoper_order o;
	char url[1024], status_id[32];
	long long n = 0;
	int ret;

	while ((ret = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&o, 0, sizeof(o));
		set_cstr(&o.shop, shop);
		col_str(s, 0, &o.order_id);
		col_str(s, 1, &o.date);
		snprintf(status_id, sizeof(status_id), "%lld",
			 (long long)sqlite3_column_int64(s, 2));
		set_cstr(&o.status_id, status_id);
		col_str(s, 3, &o.status_name);
		o.status_type = sqlite3_column_int(s, 4);
		col_str(s, 5, &o.total);
		col_str(s, 6, &o.currency);
		o.paid = sqlite3_column_int(s, 7) != 0;
		col_str(s, 8, &o.tracking);
		col_str(s, 9, &o.customer);
		col_str(s, 10, &o.email);
		col_str(s, 11, &o.synced);
		col_str(s, 12, &o.delivery_email);
		col_str(s, 13, &o.shipping);
		col_str(s, 14, &o.tracking_url);
		snprintf(url, sizeof(url), "%s/admin/orders/view/id/%.*s",
			 base_url, (int)o.order_id.len, o.order_id.ptr);
		set_cstr(&o.url, url);
		if (cb(ctx, &o, err) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
		n++;
	}
	sqlite3_finalize(s);
	if (ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "export");
	return n;
}

int sync_state_export(struct sync_state *st, const char *shop,
		      const char *base_url, const char *lang,
		      const char *window_start, sync_state_order_cb *cb,
		      void *ctx, struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(st, export_sql, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, window_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, lang, -1, SQLITE_STATIC);
	return export_rows(st, s, shop, base_url, cb, ctx, err) < 0 ? -1 : 0;
}

int sync_state_export_order(struct sync_state *st, const char *shop,
			    const char *base_url, const char *lang,
			    const char *window_start, long long order_id,
			    sync_state_order_cb *cb, void *ctx,
			    struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(st, export_one_sql, err);
	long long n;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, window_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, lang, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, order_id);
	n = export_rows(st, s, shop, base_url, cb, ctx, err);
	return n < 0 ? -1 : n > 0 ? 1 : 0;
}

int sync_state_list_statuses(struct sync_state *st, const char *shop,
			     const char *lang, sync_state_status_cb *cb,
			     void *ctx, struct shoper_error *err)
{
	struct sync_status_row row;
	int ret;

	sqlite3_stmt *s = sync_state_prepare(
		st,
		"SELECT s.status_id, s.type, s.active,"
		" coalesce((SELECT name FROM status_names n WHERE n.shop=s.shop"
		"  AND n.status_id=s.status_id ORDER BY n.lang=?2 DESC,"
		"  n.lang='pl_PL' DESC, n.lang LIMIT 1), '')"
		" FROM statuses s WHERE s.shop=?1"
		" ORDER BY s.position IS NULL, s.position, s.status_id",
		err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, lang, -1, SQLITE_STATIC);
	while ((ret = sqlite3_step(s)) == SQLITE_ROW) {
		row.status_id = sqlite3_column_int64(s, 0);
		row.type = sqlite3_column_int(s, 1);
		row.active = sqlite3_column_int(s, 2) != 0;
		row.name = (const char *)sqlite3_column_text(s, 3);
		cb(ctx, &row);
	}
	sqlite3_finalize(s);
	if (ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "statuses");
	return 0;
}

int sync_state_get_zone(struct sync_state *st, const char *shop, char *zone,
			size_t size, long long *checked_r,
			struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(
		st, "SELECT zone, checked FROM shop_zone WHERE shop=?1", err);

	zone[0] = '\0';
	*checked_r = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	int ret = sqlite3_step(s);
	if (ret == SQLITE_ROW) {
		snprintf(zone, size, "%s",
			 (const char *)sqlite3_column_text(s, 0) ?: "");
		*checked_r = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (ret != SQLITE_ROW && ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "read time zone");
	return 0;
}

long long sync_state_unseen(struct sync_state *st, const char *shop,
			    long long pass, bool parcels, long long parcel_min,
			    sync_state_id_cb *cb, void *ctx,
			    struct shoper_error *err)
{
	long long n = 0;
	int ret;

	sqlite3_stmt *s = sync_state_prepare(
		st,
		parcels ? "SELECT DISTINCT order_id FROM parcels WHERE shop=?1"
			  " AND seen != ?2 AND order_id >= ?3 ORDER BY order_id"
			: "SELECT order_id FROM orders WHERE shop=?1"
			  " AND seen != ?2 AND ?3=?3 ORDER BY order_id",
		err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, pass);
	sqlite3_bind_int64(s, 3, parcel_min);
	while ((ret = sqlite3_step(s)) == SQLITE_ROW) {
		cb(ctx, sqlite3_column_int64(s, 0));
		n++;
	}
	sqlite3_finalize(s);
	if (ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "unseen");
	return n;
}

/* One statement without results (no bindings). */
static int exec1(struct sync_state *st, const char *sql,
		 struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(st, sql, err);

	if (s == NULL)
		return -1;
	int ret = sqlite3_step(s);
	sqlite3_finalize(s);
	if (ret != SQLITE_DONE && ret != SQLITE_ROW)
		return sync_state_db_error(st, err, sql);
	return 0;
}

int sync_state_unindexed_begin(struct sync_state *st, struct shoper_error *err)
{
	if (exec1(st, "SAVEPOINT unindexed", err) < 0)
		return -1;
	if (exec1(st, "DELETE FROM unindexed", err) < 0) {
		struct shoper_error ignored;
		(void)sync_state_unindexed_end(st, false, &ignored);
		return -1;
	}
	return 0;
}

int sync_state_put_unindexed(struct sync_state *st, const char *shop,
			     long long order_id, const char *reason,
			     struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(
		st,
		"INSERT OR REPLACE INTO unindexed(shop, order_id, reason)"
		" VALUES (?1, ?2, ?3)",
		err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, order_id);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	int ret = sqlite3_step(s);
	sqlite3_finalize(s);
	if (ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "unindexed");
	return 0;
}

int sync_state_unindexed_end(struct sync_state *st, bool keep,
			     struct shoper_error *err)
{
	if (!keep && exec1(st, "ROLLBACK TO unindexed", err) < 0)
		return -1;
	return exec1(st, "RELEASE unindexed", err);
}

long long sync_state_list_unindexed(struct sync_state *st,
				    sync_state_unindexed_cb *cb, void *ctx,
				    struct shoper_error *err)
{
	long long n = 0;
	int ret;

	sqlite3_stmt *s = sync_state_prepare(
		st,
		"SELECT shop, order_id, coalesce(reason, '') FROM unindexed"
		" ORDER BY shop, order_id",
		err);
	if (s == NULL)
		return -1;
	while ((ret = sqlite3_step(s)) == SQLITE_ROW) {
		cb(ctx, (const char *)sqlite3_column_text(s, 0),
		   sqlite3_column_int64(s, 1),
		   (const char *)sqlite3_column_text(s, 2));
		n++;
	}
	sqlite3_finalize(s);
	if (ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "unindexed");
	return n;
}
