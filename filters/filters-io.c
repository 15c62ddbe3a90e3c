/* filters: sievec, and the update run after a sync. */
#include "filters.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *filters_sievec(void)
{
	const char *sievec = getenv("SHOPER_SIEVEC");

	if (sievec == NULL)
		return "/usr/bin/sievec";
	return sievec[0] == '\0' ? NULL : sievec;
}

/* Compile with sievec when it exists, so a sieve_before script (which
   the mail processes can't write next to) isn't compiled per message. */
static int run_sievec(const char *script, const char *svbin,
		      struct shoper_error *err)
{
	const char *sievec = filters_sievec();
	char *argv[4];
	pid_t pid;
	int status;

	if (sievec == NULL || access(sievec, X_OK) < 0)
		return 0;
	argv[0] = (char *)sievec;
	argv[1] = (char *)script;
	argv[2] = (char *)svbin;
	argv[3] = NULL;
	if (posix_spawn(&pid, sievec, NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &status, 0) < 0) {
		shoper_error_set(err, "cannot run %s", sievec);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		shoper_error_set(err,
				 "%s %s failed (exit %d); the script is left "
				 "uncompiled",
				 sievec, script,
				 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	(void)chmod(svbin, 0644);
	return 1;
}

/* Write dir/name.sieve when its text differs and compile it to
   dir/name.svbin. Returns 1 written, 0 unchanged, -1 error. */
static int write_script(const char *dir, const char *name,
			const struct fbuf *text, struct shoper_error *err)
{
	char path[4096], svbin[4096], base[256];
	int ret;

	filters_pathf(base, sizeof(base), "%s.sieve", name);
	filters_pathf(path, sizeof(path), "%s/%s.sieve", dir, name);
	filters_pathf(svbin, sizeof(svbin), "%s/%s.svbin", dir, name);
	/* `shoper-sync filters` writes without the state lock: only old
	   temporary files are surely abandoned */
	(void)shoper_file_clean_tmp(dir, base, SHOPER_STALE_TMP_SECS, NULL);
	ret = filters_write_file(path, text->data, text->len, err);
	if (ret >= 0 && (ret > 0 || access(svbin, F_OK) < 0)) {
		int cret = run_sievec(path, svbin, err);
		if (cret == 0 && ret > 0)
			(void)unlink(svbin); /* no sievec: never a stale one */
		if (cret < 0)
			ret = -1;
	}
	return ret;
}

int sync_filters_update(const struct shoper_sync_config *cfg,
			struct sync_state *st, bool *changed_r,
			struct shoper_error *err)
{
	struct filter_set set = {0};
	struct fbuf text = {0}, after = {0};
	int ret, aret = -1, vret = -1;

	if (changed_r != NULL)
		*changed_r = false;
	if (cfg->filters_dir == NULL)
		return 0;
	if (mkdir(cfg->filters_dir, 0755) < 0 && errno != EEXIST) {
		shoper_error_set(err, "mkdir(%s): %s", cfg->filters_dir,
				 strerror(errno));
		return -1;
	}
	if (filter_set_load(cfg, st, &set, err) < 0)
		return -1;
	filters_sieve_build(cfg, &set, &text);
	filters_sieve_after_build(cfg, &after);
	ret = write_script(cfg->filters_dir, "shoper", &text, err);
	if (ret >= 0)
		aret = write_script(cfg->filters_dir, "shoper-after", &after,
				    err);
	if (aret >= 0)
		vret = filters_virtual_sync(cfg->filters_dir, &set, err);
	fbuf_free(&text);
	fbuf_free(&after);
	filter_set_free(&set);
	if (ret < 0 || aret < 0 || vret < 0)
		return -1;
	if (changed_r != NULL)
		*changed_r = ret > 0 || aret > 0 || vret > 0;
	return 0;
}
