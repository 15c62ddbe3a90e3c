/* Columns later versions added to the state database: a database made
   by an older shoper-sync gets them on open (CREATE TABLE IF NOT EXISTS
   leaves an existing table as it is). Rows it holds get the values at
   their next fetch, which a full pass brings for every order. */
#include "state-private.h"

#include <stdio.h>

static const struct {
	const char *table, *column, *type;
} added_columns[] = {
	{"orders", "delivery_email", "TEXT"},
	{"shippings", "url", "TEXT"},
	{"statuses", "position", "INTEGER"},
};

/* 1 the column exists, 0 not, -1 error */
static int has_column(struct sync_state *st, const char *table,
		      const char *column, struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(
		st, "SELECT 1 FROM pragma_table_info(?1) WHERE name=?2", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, column, -1, SQLITE_STATIC);
	int ret = sqlite3_step(s);
	sqlite3_finalize(s);
	if (ret != SQLITE_ROW && ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "table_info");
	return ret == SQLITE_ROW ? 1 : 0;
}

int sync_state_migrate(struct sync_state *st, struct shoper_error *err)
{
	char sql[256];

	for (size_t i = 0; i < sizeof(added_columns) / sizeof(added_columns[0]);
	     i++) {
		int ret = has_column(st, added_columns[i].table,
				     added_columns[i].column, err);
		if (ret < 0)
			return -1;
		if (ret > 0)
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s",
			 added_columns[i].table, added_columns[i].column,
			 added_columns[i].type);
		sqlite3_stmt *s = sync_state_prepare(st, sql, err);
		if (s == NULL)
			return -1;
		ret = sqlite3_step(s);
		sqlite3_finalize(s);
		if (ret != SQLITE_DONE)
			return sync_state_db_error(st, err, sql);
	}
	return 0;
}
