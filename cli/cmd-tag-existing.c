/* tag-existing: give mail that arrived before the integration the keywords
   the generated Sieve script would have set, from the current index (its
   headers can't be rewritten). doveadm lists the messages and sets the
   keywords; messages with the same keywords share one doveadm call. */
#include "cmd.h"
#include "filters.h"
#include "status-doveadm.h"

#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct tag_group {
	char *keywords; /* "kw1 kw2" */
	struct fbuf uids; /* "1,5,7" */
};

struct tag_ctx {
	const struct shoper_sync_config *cfg;
	const char *user, *mailbox, *since;
	bool dry_run;
	struct filter_set set;
	/* the user's shoper_shops value, read as the plugin reads it, and
	   its shops (all_shops: "*") */
	const char *scope;
	bool all_shops;
	char **shops;
	unsigned int n_shops;
	struct shoper_index_reader *reader;
	struct tag_group *groups;
	unsigned int n_groups, n_tagged, n_seen;
};

#define DOVEADM_MAX_ARGS 16
/* ends doveadm_argv's list: a pointer, not a bare NULL (which may be 0) */
#define ARGS_END ((const char *)NULL)

/* argv of doveadm [-c doveadm_config] and the arguments up to NULL. */
static void doveadm_argv(struct tag_ctx *t, const char **argv, ...)
{
	const char *arg;
	va_list ap;
	int n = 0;

	argv[n++] = t->cfg->doveadm;
	if (t->cfg->doveadm_config != NULL) {
		argv[n++] = "-c";
		argv[n++] = t->cfg->doveadm_config;
	}
	va_start(ap, argv);
	while (n < DOVEADM_MAX_ARGS && (arg = va_arg(ap, const char *)) != NULL)
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
}

static int run_wait(const char **argv)
{
	pid_t pid;
	int status;

	if (posix_spawn(&pid, argv[0], NULL, NULL, (char **)argv, environ) !=
		    0 ||
	    waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The keywords of the newest order of addr in the user's scope, "" when
   none. The lookup filters by the scope before it takes the newest: a
   customer's orders in other shops can't crowd out the user's (a lookup
   returns at most SHOPER_INDEX_MAX_RESULT orders). */
static void keywords_of(struct tag_ctx *t, const char *addr, struct fbuf *kw)
{
	static struct shoper_index_result res;
	struct shoper_error err;

	if ((!t->all_shops && t->n_shops == 0) ||
	    shoper_index_lookup_email(
		    t->reader, addr,
		    t->all_shops ? NULL : (const char *const *)t->shops,
		    t->n_shops, 1, &res, &err) <= 0 ||
	    res.count == 0)
		return;
	const struct shoper_order *o = &res.orders[0];
	const char *type_kw = filter_type_keyword(o->status_type);
	if (type_kw != NULL)
		fbuf_str(kw, type_kw);
	if (!o->paid)
		fbuf_str(kw,
			 kw->len > 0 ? " $shoper_unpaid" : "$shoper_unpaid");
	char *raw = strndup(o->status_name.ptr, o->status_name.len);
	char *name = raw == NULL ? NULL : filters_clean_name(raw);
	for (unsigned int i = 0; name != NULL && i < t->set.n; i++) {
		if (strcmp(t->set.st[i].name, name) == 0) {
			if (kw->len > 0)
				fbuf_str(kw, " ");
			fbuf_str(kw, t->set.st[i].keyword);
		}
	}
	free(raw);
	free(name);
}

static void add_uid(struct tag_ctx *t, const char *uid, const char *kw)
{
	unsigned int i;

	for (i = 0; i < t->n_groups; i++) {
		if (strcmp(t->groups[i].keywords, kw) == 0)
			break;
	}
	if (i == t->n_groups) {
		t->groups = realloc(t->groups, (i + 1) * sizeof(*t->groups));
		if (t->groups == NULL)
			abort();
		memset(&t->groups[i], 0, sizeof(t->groups[i]));
		t->groups[i].keywords = strdup(kw);
		t->n_groups++;
	}
	if (t->groups[i].uids.len > 0)
		fbuf_str(&t->groups[i].uids, ",");
	fbuf_str(&t->groups[i].uids, uid);
	t->n_tagged++;
}

/* One "uid=N hdr.from=Name <addr>" line of doveadm -f flow fetch. */
static void parse_line(struct tag_ctx *t, char *line)
{
	char *from = strstr(line, " hdr.from=");
	struct fbuf kw = {0};

	if (strncmp(line, "uid=", 4) != 0 || from == NULL)
		return;
	*from = '\0';
	from += 10;
	char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt != NULL && gt != NULL) {
		from = lt + 1;
		*gt = '\0';
	}
	t->n_seen++;
	keywords_of(t, from, &kw);
	if (kw.len > 0)
		add_uid(t, line + 4, kw.data);
	fbuf_free(&kw);
}

typedef void line_cb(struct tag_ctx *t, char *line);

/* Runs argv, hands each line of its output (without the newline) to cb.
   0 when it exited 0. */
static int run_lines(struct tag_ctx *t, const char **argv, line_cb *cb)
{
	int fds[2], status;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char line[8192];

	if (pipe(fds) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	int ret = posix_spawn(&pid, argv[0], &fa, NULL, (char **)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (ret != 0) {
		close(fds[0]);
		return -1;
	}
	FILE *f = fdopen(fds[0], "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		cb(t, line);
	}
	if (f != NULL)
		fclose(f);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

static int list_messages(struct tag_ctx *t)
{
	const char *argv[DOVEADM_MAX_ARGS + 1];

	/* without --since the list ends at the NULL in its place */
	doveadm_argv(t, argv, "-f", "flow", "fetch", "-u", t->user,
		     "uid hdr.from", "mailbox", t->mailbox,
		     t->since != NULL ? "since" : ARGS_END, t->since, ARGS_END);
	return run_lines(t, argv, parse_line);
}

static int tag_groups(struct tag_ctx *t)
{
	int ret = 0;

	for (unsigned int i = 0; i < t->n_groups; i++) {
		const char *argv[DOVEADM_MAX_ARGS + 1];
		doveadm_argv(t, argv, "flags", "add", "-u", t->user,
			     t->groups[i].keywords, "mailbox", t->mailbox,
			     "uid", t->groups[i].uids.data, ARGS_END);
		printf("%s %s: uid %s\n", t->dry_run ? "would add" : "add",
		       t->groups[i].keywords, t->groups[i].uids.data);
		if (!t->dry_run && run_wait(argv) < 0) {
			fprintf(stderr, "doveadm flags add failed for uid %s\n",
				t->groups[i].uids.data);
			ret = -1;
		}
	}
	return ret;
}

static int tag_run(struct tag_ctx *t, struct sync_state *st)
{
	struct shoper_error err;
	int ret = SYNC_EXIT_OK;

	if (filter_set_load(t->cfg, st, &t->set, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return SYNC_EXIT_LOCAL;
	}
	int scope = sync_doveadm_scope_value(t->cfg, t->user, &t->scope);
	if (scope > 0 && t->scope != NULL)
		printf("shoper_shops of %s: %s\n", t->user, t->scope);
	if (scope <= 0 || t->scope == NULL) {
		if (scope < 0)
			fprintf(stderr, "%s user -f shoper_shops %s failed\n",
				t->cfg->doveadm, t->user);
		else if (scope == 0)
			fprintf(stderr, "no such user %s\n", t->user);
		else
			fprintf(stderr,
				"shoper_shops is not set for %s: the plugin "
				"adds no headers for this user, so nothing is "
				"tagged; set it (userdb field or plugin {}) "
				"first\n",
				t->user);
		filter_set_free(&t->set);
		sync_doveadm_scope_forget();
		return SYNC_EXIT_FAIL;
	}
	t->reader = shoper_index_reader_new(t->cfg->index_path);
	if (sync_scope_names(t->scope, &t->all_shops, &t->shops, &t->n_shops) <
	    0) {
		fprintf(stderr, "out of memory\n");
		ret = SYNC_EXIT_LOCAL;
	} else if (shoper_index_reader_refresh(t->reader, &err) < 0) {
		fprintf(stderr, "index %s: %s\n", t->cfg->index_path, err.msg);
		ret = SYNC_EXIT_LOCAL;
	} else if (list_messages(t) < 0) {
		fprintf(stderr, "%s fetch -u %s failed\n", t->cfg->doveadm,
			t->user);
		ret = SYNC_EXIT_FAIL;
	} else if (tag_groups(t) < 0) {
		ret = SYNC_EXIT_FAIL;
	}
	printf("%u messages, %u with an order\n", t->n_seen, t->n_tagged);
	shoper_index_reader_free(&t->reader);
	sync_scope_names_free(&t->shops, &t->n_shops);
	for (unsigned int i = 0; i < t->n_groups; i++) {
		free(t->groups[i].keywords);
		fbuf_free(&t->groups[i].uids);
	}
	free(t->groups);
	sync_doveadm_scope_forget();
	filter_set_free(&t->set);
	return ret;
}

int cmd_tag_existing(struct cmd_ctx *ctx)
{
	struct tag_ctx t;
	struct sync_state *st;
	struct shoper_error err;

	memset(&t, 0, sizeof(t));
	t.mailbox = "INBOX";
	for (int i = 0; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		bool has = i + 1 < ctx->argc;
		if (strcmp(a, "-u") == 0 && has)
			t.user = ctx->argv[++i];
		else if (strcmp(a, "--mailbox") == 0 && has)
			t.mailbox = ctx->argv[++i];
		else if (strcmp(a, "--since") == 0 && has)
			t.since = ctx->argv[++i];
		else if (strcmp(a, "--dry-run") == 0)
			t.dry_run = true;
		else
			t.user = NULL, i = ctx->argc;
	}
	if (t.user == NULL) {
		fprintf(stderr,
			"usage: shoper-sync tag-existing -u USER [--mailbox NAME] [--since YYYY-MM-DD] [--dry-run]\n");
		return SYNC_EXIT_USAGE;
	}
	struct shoper_sync_config *cfg = cmd_load_config(ctx->config_path);
	if (cfg == NULL)
		return SYNC_EXIT_CONFIG;
	t.cfg = cfg;
	int ret;
	if (sync_state_open(cfg->state_dir, true, &st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		ret = SYNC_EXIT_LOCAL;
	} else {
		ret = tag_run(&t, st);
		sync_state_close(&st);
	}
	shoper_config_free(&cfg);
	return ret;
}
