#ifndef SHOPER_SYNC_STATE_PRIVATE_H
#define SHOPER_SYNC_STATE_PRIVATE_H

/* Shared by state.c (the database's primitives and the writes),
   state-open.c, state-export.c (reads for the index and the statuses
   command), state-migrate.c and state-live.c. */

#include "state.h"
#include <sqlite3.h>

/* The cached statements of state.c. */
enum stmt_id {
	ST_GET_ORDER,
	ST_PUT_ORDER,
	ST_PUT_PARCEL,
	ST_PUT_STATUS,
	ST_PUT_STATUS_NAME,
	ST_COUNT
};

struct sync_state {
	sqlite3 *db;
	int lock_fd;
	sqlite3_stmt *stmts[ST_COUNT];
};

sqlite3_stmt *sync_state_prepare(struct sync_state *st, const char *sql,
				 struct shoper_error *err);
int sync_state_db_error(struct sync_state *st, struct shoper_error *err,
			const char *what);
/* Adds the columns a database from an older version lacks
   (state-migrate.c). */
int sync_state_migrate(struct sync_state *st, struct shoper_error *err);
/* The tables of state-live.c (created with the others at open). */
int sync_state_live_schema(struct sync_state *st, struct shoper_error *err);

/* The table of state-hook.c. */
int sync_state_hook_schema(struct sync_state *st, struct shoper_error *err);

#endif
