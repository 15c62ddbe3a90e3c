/* What the webhooks need kept: an order the shop confirms gone (a
   webhook's re-read found nothing) and, per shop, when the last webhook
   arrived and how many were refused, for `check`. The webhook's id and
   secret live in state_dir/<shop>.webhook (webhook-file.c): the
   install command writes it while a daemon holds this database. */
#include "state-private.h"

#include <stdio.h>
#include <string.h>

int sync_state_hook_schema(struct sync_state *st, struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(
		st,
		"CREATE TABLE IF NOT EXISTS webhook_stats(shop TEXT PRIMARY KEY,"
		" last_ok INTEGER, accepted INTEGER, bad_signature INTEGER,"
		" refused INTEGER)",
		err);

	if (s == NULL)
		return -1;
	int ret = sqlite3_step(s);
	sqlite3_finalize(s);
	return ret == SQLITE_DONE ? 0 : sync_state_db_error(st, err, "schema");
}

static int step_done(struct sync_state *st, sqlite3_stmt *s,
		     struct shoper_error *err)
{
	int ret = sqlite3_step(s);

	sqlite3_finalize(s);
	return ret == SQLITE_DONE ? 0
				  : sync_state_db_error(st, err, "webhooks");
}

int sync_state_delete_order(struct sync_state *st, const char *shop,
			    long long order_id, struct shoper_error *err)
{
	static const char *const sql[] = {
		"DELETE FROM orders WHERE shop=?1 AND order_id=?2",
		"DELETE FROM parcels WHERE shop=?1 AND order_id=?2",
	};

	for (size_t i = 0; i < 2; i++) {
		sqlite3_stmt *s = sync_state_prepare(st, sql[i], err);
		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, order_id);
		if (step_done(st, s, err) < 0)
			return -1;
	}
	return 0;
}

int sync_state_hook_count(struct sync_state *st, const char *shop,
			  enum sync_hook_outcome outcome, long long now,
			  struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(
		st,
		"INSERT INTO webhook_stats(shop, last_ok, accepted,"
		" bad_signature, refused) VALUES (?1, ?2, ?3, ?4, ?5)"
		" ON CONFLICT(shop) DO UPDATE SET"
		" last_ok=max(coalesce(last_ok, 0), excluded.last_ok),"
		" accepted=accepted+excluded.accepted,"
		" bad_signature=bad_signature+excluded.bad_signature,"
		" refused=refused+excluded.refused",
		err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, outcome == SYNC_HOOK_OK ? now : 0);
	sqlite3_bind_int(s, 3, outcome == SYNC_HOOK_OK);
	sqlite3_bind_int(s, 4, outcome == SYNC_HOOK_BAD_SIGNATURE);
	sqlite3_bind_int(s, 5, outcome == SYNC_HOOK_REFUSED);
	return step_done(st, s, err);
}

int sync_state_hook_stats(struct sync_state *st, const char *shop,
			  struct sync_hook_stats *r, struct shoper_error *err)
{
	memset(r, 0, sizeof(*r));
	sqlite3_stmt *s = sync_state_prepare(
		st,
		"SELECT last_ok, accepted, bad_signature, refused"
		" FROM webhook_stats WHERE shop=?1",
		err);
	/* no table: a database from before webhooks, opened read-only */
	if (s == NULL)
		return 0;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	int ret = sqlite3_step(s);
	if (ret == SQLITE_ROW) {
		r->last_ok = sqlite3_column_int64(s, 0);
		r->accepted = sqlite3_column_int64(s, 1);
		r->bad_signature = sqlite3_column_int64(s, 2);
		r->refused = sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	if (ret != SQLITE_ROW && ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "webhook_stats");
	return 0;
}
