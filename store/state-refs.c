/* A shop's statuses whole, for the cluster (doc/design.md, "Many
   backends"): the lease holder reads them with every name to hand them
   on through Redis; a node that does not lead the shop writes what came
   into its own state, so the status list, the filters and the checks of
   status requests read them there as on the node that synced them. */
#include "state-private.h"

#include <stdio.h>
#include <string.h>

int sync_state_export_statuses(struct sync_state *st, const char *shop,
			       sync_state_status_name_cb *cb, void *ctx,
			       struct shoper_error *err)
{
	struct sync_status_name_row row;
	int ret;

	/* by id, each status's names by language: the same statuses give
	   the same bytes, so the holder sees when nothing changed */
	sqlite3_stmt *s = sync_state_prepare(
		st,
		"SELECT s.status_id, s.type, s.active, coalesce(s.position, -1),"
		" n.lang, n.name FROM statuses s LEFT JOIN status_names n"
		" ON n.shop=s.shop AND n.status_id=s.status_id"
		" WHERE s.shop=?1 ORDER BY s.status_id, n.lang",
		err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	while ((ret = sqlite3_step(s)) == SQLITE_ROW) {
		row.status_id = sqlite3_column_int64(s, 0);
		row.type = sqlite3_column_int(s, 1);
		row.active = sqlite3_column_int(s, 2) != 0;
		row.position = sqlite3_column_int64(s, 3);
		row.lang = (const char *)sqlite3_column_text(s, 4);
		row.name = (const char *)sqlite3_column_text(s, 5);
		row.name_len = (size_t)sqlite3_column_bytes(s, 5);
		if (cb(ctx, &row) < 0) {
			sqlite3_finalize(s);
			shoper_error_set(err, "out of memory");
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "statuses");
	return 0;
}

int sync_state_put_status_name(struct sync_state *st, const char *shop,
			       long long status_id, const char *lang,
			       const char *name, size_t name_len,
			       struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(
		st,
		"INSERT OR REPLACE INTO status_names(shop, status_id, lang, name)"
		" VALUES (?1,?2,?3,?4)",
		err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, status_id);
	sqlite3_bind_text(s, 3, lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, name, (int)name_len, SQLITE_STATIC);
	int ret = sqlite3_step(s);
	sqlite3_finalize(s);
	return ret == SQLITE_DONE ? 0 : sync_state_db_error(st, err, "write");
}
