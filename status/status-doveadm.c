/* doveadm for the status changes: outcome keyword, notice, user's scope. */
#include "status-doveadm.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ARGS 24

struct args {
	const char *v[MAX_ARGS + 1];
	int n;
};

static void add(struct args *a, const char *s)
{
	if (a->n < MAX_ARGS)
		a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* doveadm [-c CONF] CMD [SUB]; a mail command goes through the doveadm
   server when a socket is set (-S must follow the command's name) */
static void start(struct args *a, const struct shoper_sync_config *cfg,
		  const char *cmd, const char *sub, bool mail_cmd)
{
	a->n = 0;
	add(a, cfg->doveadm);
	if (cfg->doveadm_config != NULL) {
		add(a, "-c");
		add(a, cfg->doveadm_config);
	}
	add(a, cmd);
	if (sub != NULL)
		add(a, sub);
	if (mail_cmd && cfg->doveadm_socket != NULL) {
		add(a, "-S");
		add(a, cfg->doveadm_socket);
	}
}

typedef void input_cb(FILE *f, const void *ctx);

/* Runs a->v. input (if set) writes doveadm's stdin; out (if set) gets the
   first line of its stdout that is not blank (malloc'd, NULL if none).
   Returns the exit status, or -1 when it could not run. */
static int run(const struct args *a, input_cb *input, const void *ctx,
	       char **out)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status;
	pid_t pid;

	fflush(stdout);
	if ((input != NULL || out != NULL) && pipe(fds) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	if (input != NULL || out != NULL) {
		int mine = input != NULL ? fds[1] : fds[0];
		int theirs = input != NULL ? fds[0] : fds[1];
		posix_spawn_file_actions_adddup2(&fa, theirs,
						 input != NULL ? STDIN_FILENO
							       : STDOUT_FILENO);
		posix_spawn_file_actions_addclose(&fa, mine);
		posix_spawn_file_actions_addclose(&fa, theirs);
	}
	int ret = posix_spawn(&pid, a->v[0], &fa, NULL, (char *const *)a->v,
			      environ);
	posix_spawn_file_actions_destroy(&fa);
	if (input != NULL || out != NULL) {
		close(input != NULL ? fds[0] : fds[1]);
		FILE *f = ret != 0 ? NULL
				   : fdopen(input != NULL ? fds[1] : fds[0],
					    input != NULL ? "w" : "r");
		if (f == NULL)
			close(input != NULL ? fds[1] : fds[0]);
		else if (input != NULL)
			input(f, ctx);
		char line[4096];
		while (out != NULL && f != NULL &&
		       fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\r\n")] = '\0';
			if (*out == NULL && line[strspn(line, " \t,")] != '\0')
				*out = strdup(line);
		}
		if (f != NULL)
			fclose(f);
	}
	if (ret != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int sync_doveadm_flags(const struct shoper_sync_config *cfg,
		       const struct shoper_queue_request *req, const char *op,
		       const char *keyword)
{
	struct args a;
	char uid[16];

	snprintf(uid, sizeof(uid), "%u", req->uid);
	start(&a, cfg, "flags", op, true);
	add(&a, "-u");
	add(&a, req->user);
	add(&a, keyword);
	add(&a, "mailbox");
	add(&a, req->mailbox);
	add(&a, "uid");
	add(&a, uid);
	return run(&a, NULL, NULL, NULL) == 0 ? 0 : -1;
}

/* only exactly "*" (blanks around it aside) means every shop, as in the
   plugin */
static bool scope_all(const char *value)
{
	value += strspn(value, " \t");
	size_t len = strlen(value);
	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	return len == 1 && value[0] == '*';
}

bool sync_scope_value_has(const char *value, const char *shop)
{
	static const char sep[] = " \t,";

	if (value == NULL)
		return false;
	if (scope_all(value))
		return true;
	for (const char *p = value; *p != '\0';) {
		p += strspn(p, sep);
		size_t n = strcspn(p, sep);
		if (n > 0 && n == strlen(shop) && memcmp(p, shop, n) == 0)
			return true;
		p += n;
	}
	return false;
}

int sync_scope_names(const char *value, bool *all_r, char ***names_r,
		     unsigned int *n_r)
{
	static const char sep[] = " \t,";
	char **names = NULL;
	unsigned int n = 0;

	*all_r = value != NULL && scope_all(value);
	*names_r = NULL;
	*n_r = 0;
	if (value == NULL || *all_r)
		return 0;
	for (const char *p = value; *p != '\0';) {
		p += strspn(p, sep);
		size_t len = strcspn(p, sep);
		if (len > 0) {
			char **v = realloc(names, (n + 1) * sizeof(*names));
			if (v == NULL || (v[n] = strndup(p, len)) == NULL) {
				*names_r = v != NULL ? v : names;
				*n_r = n;
				sync_scope_names_free(names_r, n_r);
				return -1;
			}
			names = v;
			n++;
		}
		p += len;
	}
	*names_r = names;
	*n_r = n;
	return 0;
}

void sync_scope_names_free(char ***names, unsigned int *n)
{
	for (unsigned int i = 0; *names != NULL && i < *n; i++)
		free((*names)[i]);
	free(*names);
	*names = NULL;
	*n = 0;
}

/* doveadm user's exit status for a user the userdb doesn't know */
#define DOVEADM_EX_NOUSER 67

struct scope {
	char *user, *value; /* value NULL: unset */
	int ret; /* 1 read, 0 no such user, -1 doveadm failed */
	char *folder; /* shoper_status_folder, NULL: unset */
	int folder_ret; /* as ret, 2: not read yet */
	/* shoper_notice_from, _language, _text; NULL: unset */
	char *notice[3];
	bool notice_read;
};
static struct scope *scopes;
static unsigned int n_scopes;

/* A plugin setting of user: the userdb field, else the configuration
   (doveadm user shows only the former), as the plugin reads it. 1 read
   (value_r NULL: unset), 0 no such user, -1 doveadm failed. */
static int read_setting(const struct shoper_sync_config *cfg, const char *user,
			const char *key, char **value_r)
{
	char plugin_key[64];
	struct args a;

	*value_r = NULL;
	start(&a, cfg, "user", NULL, false);
	add(&a, "-f");
	add(&a, key);
	add(&a, user);
	int status = run(&a, NULL, NULL, value_r);
	if (status != 0) {
		free(*value_r);
		*value_r = NULL;
		return status == DOVEADM_EX_NOUSER ? 0 : -1;
	}
	if (*value_r == NULL) {
		/* 2.3 keeps it in plugin {}; 2.4 has no plugin {} (it prints
		   nothing for plugin/KEY, exit 0) but a global setting of that
		   name. Either prints nothing when it is unset. */
		snprintf(plugin_key, sizeof(plugin_key), "plugin/%s", key);
		start(&a, cfg, "config", NULL, false);
		add(&a, "-h");
		add(&a, plugin_key);
		(void)run(&a, NULL, NULL, value_r);
		if (*value_r == NULL) {
			start(&a, cfg, "config", NULL, false);
			add(&a, "-h");
			add(&a, key);
			(void)run(&a, NULL, NULL, value_r);
		}
	}
	return 1;
}

/* The cached answer for user: its index in scopes, or -1 out of memory. */
static int scope_of(const struct shoper_sync_config *cfg, const char *user)
{
	unsigned int i;

	for (i = 0; i < n_scopes; i++) {
		if (strcmp(scopes[i].user, user) == 0)
			return (int)i;
	}
	struct scope *s = realloc(scopes, (n_scopes + 1) * sizeof(*scopes));
	if (s == NULL)
		return -1;
	scopes = s;
	memset(&s[i], 0, sizeof(s[i]));
	s[i].user = strdup(user);
	if (s[i].user == NULL)
		return -1;
	s[i].ret = read_setting(cfg, user, "shoper_shops", &s[i].value);
	s[i].folder_ret = 2;
	n_scopes++;
	return (int)i;
}

int sync_doveadm_status_folder(const struct shoper_sync_config *cfg,
			       const char *user, const char **value_r)
{
	int i = scope_of(cfg, user);

	*value_r = NULL;
	if (i < 0)
		return -1;
	if (scopes[i].folder_ret == 2)
		scopes[i].folder_ret =
			scopes[i].ret <= 0
				? scopes[i].ret
				: read_setting(cfg, user,
					       "shoper_status_folder",
					       &scopes[i].folder);
	*value_r = scopes[i].folder;
	return scopes[i].folder_ret;
}

int sync_doveadm_scope_value(const struct shoper_sync_config *cfg,
			     const char *user, const char **value_r)
{
	int i = scope_of(cfg, user);

	*value_r = NULL;
	if (i < 0)
		return -1;
	*value_r = scopes[i].value;
	return scopes[i].ret;
}

int sync_doveadm_scope_has(const struct shoper_sync_config *cfg,
			   const char *user, const char *shop, char *why,
			   size_t why_size)
{
	int i = scope_of(cfg, user);

	if (i < 0) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	if (scopes[i].ret < 0) {
		snprintf(why, why_size,
			 "could not read shoper_shops of user %s (%s user "
			 "failed)",
			 user, cfg->doveadm);
		return -1;
	}
	if (scopes[i].ret == 0) {
		snprintf(why, why_size, "no such user %s", user);
		return 0;
	}
	if (!sync_scope_value_has(scopes[i].value, shop)) {
		snprintf(why, why_size,
			 "shop %s is not in the shoper_shops of user %s", shop,
			 user);
		return 0;
	}
	return 1;
}

void sync_doveadm_scope_forget(void)
{
	for (unsigned int i = 0; i < n_scopes; i++) {
		free(scopes[i].user);
		free(scopes[i].value);
		free(scopes[i].folder);
		for (int k = 0; k < 3; k++)
			free(scopes[i].notice[k]);
	}
	free(scopes);
	scopes = NULL;
	n_scopes = 0;
}

/* The notice settings of user, read once per run like shoper_shops; a
   setting that can't be read is the default. */
static void notice_settings(const struct shoper_sync_config *cfg,
			    const char *user, struct sync_notice_settings *set)
{
	static const char *const keys[3] = {"shoper_notice_from",
					    "shoper_notice_language",
					    "shoper_notice_text"};
	int i = scope_of(cfg, user);

	if (i < 0)
		return;
	for (int k = 0; k < 3 && !scopes[i].notice_read; k++) {
		if (read_setting(cfg, user, keys[k], &scopes[i].notice[k]) <= 0)
			break;
	}
	scopes[i].notice_read = true;
	set->from = scopes[i].notice[0];
	set->language = scopes[i].notice[1];
	set->text = scopes[i].notice[2];
}

struct notice_job {
	const struct sync_notice *n;
	struct sync_notice_settings set;
};

static void write_notice(FILE *f, const void *_ctx)
{
	const struct notice_job *job = _ctx;

	sync_notice_write(f, job->n, &job->set, (long long)time(NULL));
}

void sync_doveadm_save_notice(const struct shoper_sync_config *cfg,
			      const struct sync_notice *n)
{
	struct notice_job job = {n, {NULL, NULL, NULL}};
	struct args a;

	notice_settings(cfg, n->req->user, &job.set);
	start(&a, cfg, "save", NULL, true);
	add(&a, "-u");
	add(&a, n->req->user);
	add(&a, "-m");
	add(&a, n->req->mailbox);
	if (run(&a, write_notice, &job, NULL) != 0)
		fprintf(stderr,
			"status change: user=%s shop=%s order=%s: could not "
			"save the notice with %s\n",
			n->req->user, n->req->shop, n->req->order_id,
			cfg->doveadm);
}
