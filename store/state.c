/* Private state in SQLite: survives crashes (WAL, one transaction per
   step), never holds anything the index cannot be rebuilt from. */
#include "state-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

static const char *const stmt_sql[ST_COUNT] = {
	[ST_GET_ORDER] =
		"SELECT status_id, status_date FROM orders WHERE shop=?1 AND order_id=?2",
	[ST_PUT_ORDER] =
		"INSERT OR REPLACE INTO orders(shop, order_id, date, status_id, status_date, currency_id, shipping_id, total_parcels, paid, total, email, customer, synced, seen, delivery_email) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
	[ST_PUT_PARCEL] =
		"INSERT OR REPLACE INTO parcels(shop, parcel_id, order_id, shipping_code, seen) VALUES (?1,?2,?3,?4,?5)",
	[ST_PUT_STATUS] =
		"INSERT OR REPLACE INTO statuses(shop, status_id, type, active, position) VALUES (?1,?2,?3,?4,?5)",
	[ST_PUT_STATUS_NAME] =
		"INSERT OR REPLACE INTO status_names(shop, status_id, lang, name) VALUES (?1,?2,?3,?4)",
};

int sync_state_db_error(struct sync_state *st, struct shoper_error *err,
			const char *what)
{
	shoper_error_set(err, "state database: %s: %s", what,
			 sqlite3_errmsg(st->db));
	return -1;
}

void sync_state_close(struct sync_state **_st)
{
	struct sync_state *st = *_st;

	if (st == NULL)
		return;
	*_st = NULL;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	if (st->db != NULL)
		sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st);
}

static int exec(struct sync_state *st, const char *sql,
		struct shoper_error *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sync_state_db_error(st, err, sql);
	return 0;
}

int sync_state_begin(struct sync_state *st, struct shoper_error *err)
{
	return exec(st, "BEGIN IMMEDIATE", err);
}

int sync_state_commit(struct sync_state *st, struct shoper_error *err)
{
	return exec(st, "COMMIT", err);
}

void sync_state_rollback(struct sync_state *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *sync_state_prepare(struct sync_state *st, const char *sql,
				 struct shoper_error *err)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sync_state_db_error(st, err, "prepare");
		return NULL;
	}
	return s;
}

/* Cached statement, reset and with bindings cleared. */
static sqlite3_stmt *cached(struct sync_state *st, enum stmt_id id,
			    struct shoper_error *err)
{
	if (st->stmts[id] == NULL)
		st->stmts[id] = sync_state_prepare(st, stmt_sql[id], err);
	else {
		sqlite3_reset(st->stmts[id]);
		sqlite3_clear_bindings(st->stmts[id]);
	}
	return st->stmts[id];
}

static void bind_str(sqlite3_stmt *s, int i, const struct sync_str *v)
{
	sqlite3_bind_text(s, i, v->s, (int)v->len, SQLITE_STATIC);
}

static int step_done(struct sync_state *st, sqlite3_stmt *s,
		     struct shoper_error *err)
{
	int ret = sqlite3_step(s);

	sqlite3_reset(s);
	if (ret != SQLITE_DONE && ret != SQLITE_ROW)
		return sync_state_db_error(st, err, "write");
	return 0;
}

int sync_state_get_cursors(struct sync_state *st, const char *shop,
			   struct sync_cursors *c, struct shoper_error *err)
{
	memset(c, 0, sizeof(*c));
	sqlite3_stmt *s = sync_state_prepare(
		st,
		"SELECT max_order_id, max_parcel_id, min_order_id, status_since,"
		" last_full_pass, last_good_sync, pass, backfill_done, window_start,"
		" cred_fp FROM cursors WHERE shop=?1",
		err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	int ret = sqlite3_step(s);
	if (ret == SQLITE_ROW) {
		c->max_order_id = sqlite3_column_int64(s, 0);
		c->max_parcel_id = sqlite3_column_int64(s, 1);
		c->min_order_id = sqlite3_column_int64(s, 2);
		snprintf(c->status_since, sizeof(c->status_since), "%s",
			 (const char *)sqlite3_column_text(s, 3) ?: "");
		c->last_full_pass = sqlite3_column_int64(s, 4);
		c->last_good_sync = sqlite3_column_int64(s, 5);
		c->pass = sqlite3_column_int64(s, 6);
		c->backfill_done = sqlite3_column_int(s, 7) != 0;
		snprintf(c->window_start, sizeof(c->window_start), "%s",
			 (const char *)sqlite3_column_text(s, 8) ?: "");
		snprintf(c->cred_fp, sizeof(c->cred_fp), "%s",
			 (const char *)sqlite3_column_text(s, 9) ?: "");
	}
	sqlite3_finalize(s);
	if (ret != SQLITE_ROW && ret != SQLITE_DONE)
		return sync_state_db_error(st, err, "read cursors");
	return 0;
}

int sync_state_set_cursors(struct sync_state *st, const char *shop,
			   const struct sync_cursors *c,
			   struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(
		st,
		"INSERT OR REPLACE INTO cursors(shop, max_order_id, max_parcel_id,"
		" min_order_id, status_since, last_full_pass, last_good_sync, pass,"
		" backfill_done, window_start, cred_fp)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
		err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->max_order_id);
	sqlite3_bind_int64(s, 3, c->max_parcel_id);
	sqlite3_bind_int64(s, 4, c->min_order_id);
	sqlite3_bind_text(s, 5, c->status_since, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, c->last_full_pass);
	sqlite3_bind_int64(s, 7, c->last_good_sync);
	sqlite3_bind_int64(s, 8, c->pass);
	sqlite3_bind_int(s, 9, c->backfill_done ? 1 : 0);
	sqlite3_bind_text(s, 10, c->window_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 11, c->cred_fp, -1, SQLITE_STATIC);
	int ret = step_done(st, s, err);
	sqlite3_finalize(s);
	return ret;
}

static int order_changed(struct sync_state *st, const char *shop,
			 const struct sync_order *o, bool *changed_r,
			 struct shoper_error *err)
{
	sqlite3_stmt *s = cached(st, ST_GET_ORDER, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, o->order_id);
	int ret = sqlite3_step(s);
	if (ret == SQLITE_ROW) {
		const char *sd = (const char *)sqlite3_column_text(s, 1);
		*changed_r = sqlite3_column_int64(s, 0) != o->status_id ||
			     strcmp(sd ?: "", o->status_date) != 0;
	} else if (ret == SQLITE_DONE) {
		*changed_r = true;
	} else {
		sqlite3_reset(s);
		return sync_state_db_error(st, err, "read order");
	}
	sqlite3_reset(s);
	return 0;
}

int sync_state_put_order(struct sync_state *st, const char *shop,
			 const struct sync_order *o, long long pass,
			 const char *synced, bool *changed_r,
			 struct shoper_error *err)
{
	if (order_changed(st, shop, o, changed_r, err) < 0)
		return -1;
	sqlite3_stmt *s = cached(st, ST_PUT_ORDER, err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, o->order_id);
	sqlite3_bind_text(s, 3, o->date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, o->status_id);
	sqlite3_bind_text(s, 5, o->status_date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, o->currency_id);
	sqlite3_bind_int64(s, 7, o->shipping_id);
	sqlite3_bind_int64(s, 8, o->total_parcels);
	sqlite3_bind_int(s, 9, o->paid ? 1 : 0);
	bind_str(s, 10, &o->total);
	bind_str(s, 11, &o->email);
	bind_str(s, 12, &o->customer);
	sqlite3_bind_text(s, 13, synced, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 14, pass);
	bind_str(s, 15, &o->delivery_email);
	return step_done(st, s, err);
}

int sync_state_put_parcel(struct sync_state *st, const char *shop,
			  const struct sync_parcel *p, long long pass,
			  struct shoper_error *err)
{
	sqlite3_stmt *s = cached(st, ST_PUT_PARCEL, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, p->parcel_id);
	sqlite3_bind_int64(s, 3, p->order_id);
	bind_str(s, 4, &p->shipping_code);
	sqlite3_bind_int64(s, 5, pass);
	return step_done(st, s, err);
}

/* Run sql with ?1 = shop, ?2 = int64 arg, ?3 = text arg; returns the
   number of changed rows or -1. */
static long long run(struct sync_state *st, const char *sql, const char *shop,
		     long long arg, const char *text, struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(st, sql, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, arg);
	if (sqlite3_bind_parameter_count(s) >= 3)
		sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
	int ret = step_done(st, s, err);
	sqlite3_finalize(s);
	return ret < 0 ? -1 : sqlite3_changes(st->db);
}

int sync_state_delete_parcels_of(struct sync_state *st, const char *shop,
				 long long order_id, struct shoper_error *err)
{
	return run(st, "DELETE FROM parcels WHERE shop=?1 AND order_id=?2",
		   shop, order_id, NULL, err) < 0
		       ? -1
		       : 0;
}

int sync_state_set_zone(struct sync_state *st, const char *shop,
			const char *zone, long long checked,
			struct shoper_error *err)
{
	return run(st,
		   "INSERT OR REPLACE INTO shop_zone(shop, checked, zone)"
		   " VALUES (?1, ?2, ?3)",
		   shop, checked, zone, err) < 0
		       ? -1
		       : 0;
}

int sync_state_clear_refs(struct sync_state *st, const char *shop,
			  const char *table, struct shoper_error *err)
{
	char sql[128];

	if (strcmp(table, "statuses") == 0 &&
	    run(st, "DELETE FROM status_names WHERE shop=?1", shop, 0, NULL,
		err) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE shop=?1", table);
	return run(st, sql, shop, 0, NULL, err) < 0 ? -1 : 0;
}

int sync_state_put_status(struct sync_state *st, const char *shop,
			  const struct sync_status *ss,
			  struct shoper_error *err)
{
	sqlite3_stmt *s = cached(st, ST_PUT_STATUS, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, ss->status_id);
	sqlite3_bind_int(s, 3, ss->type);
	sqlite3_bind_int(s, 4, ss->active ? 1 : 0);
	if (ss->position >= 0)
		sqlite3_bind_int64(s, 5, ss->position);
	else
		sqlite3_bind_null(s, 5);
	if (step_done(st, s, err) < 0)
		return -1;
	if (ss->translations == NULL)
		return 0;
	json_object_object_foreach(ss->translations, lang, tr)
	{
		json_object *name;
		if (!json_object_is_type(tr, json_type_object) ||
		    !json_object_object_get_ex(tr, "name", &name) ||
		    !json_object_is_type(name, json_type_string))
			continue;
		s = cached(st, ST_PUT_STATUS_NAME, err);
		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, ss->status_id);
		sqlite3_bind_text(s, 3, lang, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, json_object_get_string(name),
				  json_object_get_string_len(name),
				  SQLITE_STATIC);
		if (step_done(st, s, err) < 0)
			return -1;
	}
	return 0;
}

int sync_state_put_ref(struct sync_state *st, const char *shop,
		       const char *table, long long id, const char *name,
		       size_t name_len, struct shoper_error *err)
{
	char sql[128];

	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO %s(shop, id, name) VALUES (?1,?2,?3)",
		 table);
	sqlite3_stmt *s = sync_state_prepare(st, sql, err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_text(s, 3, name, (int)name_len, SQLITE_STATIC);
	int ret = step_done(st, s, err);
	sqlite3_finalize(s);
	return ret;
}

int sync_state_put_shipping(struct sync_state *st, const char *shop,
			    const struct sync_shipping *sh,
			    struct shoper_error *err)
{
	sqlite3_stmt *s = sync_state_prepare(
		st,
		"INSERT OR REPLACE INTO shippings(shop, id, name, url)"
		" VALUES (?1,?2,?3,?4)",
		err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, sh->shipping_id);
	bind_str(s, 3, &sh->name);
	bind_str(s, 4, &sh->url);
	int ret = step_done(st, s, err);
	sqlite3_finalize(s);
	return ret;
}

long long sync_state_prune(struct sync_state *st, const char *shop,
			   const char *window_start, struct shoper_error *err)
{
	/* an order without a date (zero in the shop) stays while it is no
	   older by id than the window's first dated order */
	long long n = run(
		st,
		"DELETE FROM orders WHERE shop=?1 AND ?2=?2 AND (date != '' AND"
		" date < ?3 OR date = '' AND order_id < (SELECT min(order_id)"
		" FROM orders WHERE shop=?1 AND date >= ?3))",
		shop, 0, window_start, err);
	if (n < 0)
		return -1;
	if (run(st,
		"DELETE FROM parcels WHERE shop=?1 AND order_id < ?2 AND ?3=?3",
		shop, sync_state_min_order_id(st, shop), "", err) < 0)
		return -1;
	return n;
}

static const char *parcel_min_text(long long n, char buf[32])
{
	snprintf(buf, 32, "%lld", n);
	return buf;
}

long long sync_state_sweep(struct sync_state *st, const char *shop,
			   long long pass, long long parcel_min,
			   struct shoper_error *err)
{
	long long n = run(st, "DELETE FROM orders WHERE shop=?1 AND seen != ?2",
			  shop, pass, NULL, err);
	char buf[32];
	if (n < 0 ||
	    run(st,
		"DELETE FROM parcels WHERE shop=?1 AND seen != ?2 AND order_id >= CAST(?3 AS INTEGER)",
		shop, pass, parcel_min_text(parcel_min, buf), err) < 0)
		return -1;
	return n;
}

static long long scalar(struct sync_state *st, const char *sql,
			const char *shop)
{
	sqlite3_stmt *s;
	long long n = 0;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, shop, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

long long sync_state_count_orders(struct sync_state *st, const char *shop)
{
	return scalar(st, "SELECT count(*) FROM orders WHERE shop=?1", shop);
}

long long sync_state_min_order_id(struct sync_state *st, const char *shop)
{
	return scalar(
		st,
		"SELECT coalesce(min(order_id), 0) FROM orders WHERE shop=?1",
		shop);
}
