#ifndef SHOPER_SYNC_STATE_PRIVATE_H
#define SHOPER_SYNC_STATE_PRIVATE_H

/* Shared by state.c (writes) and state-export.c (reads for the index and
   the statuses command). */

#include "state.h"
#include <sqlite3.h>

sqlite3_stmt *sync_state_prepare(struct sync_state *st, const char *sql,
				 struct shoper_error *err);
int sync_state_db_error(struct sync_state *st, struct shoper_error *err,
			const char *what);
/* Adds the columns a database from an older version lacks
   (state-migrate.c). */
int sync_state_migrate(struct sync_state *st, struct shoper_error *err);
/* The tables of state-live.c (created with the others at open). */
int sync_state_live_schema(struct sync_state *st, struct shoper_error *err);

#endif
