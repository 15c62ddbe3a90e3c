/* check: what is left to do after an install (the Debian packages set up
   the user, the directories and a disabled Dovecot snippet). A private
   -c FILE usually goes with a private Dovecot, so the system's Dovecot is
   asked only for the system configuration. */
#include "cmd-check-install.h"
#include "config.h"

#include <ctype.h>
#include <grp.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DOVECONF_DEFAULT "/usr/bin/doveconf"
#define DEBIAN_SNIPPET "/etc/dovecot/conf.d/90-shoper.conf"

static char *trim(char *s)
{
	s += strspn(s, " \t");
	size_t len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

/* Whether the file has a [shop NAME] section, and [sync]'s index (kept
   when there is none), read as the parser reads them: the configuration
   is refused when it has no shop, and its index is still wanted. */
static bool scan_config(const char *path, char *index, size_t size)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t lsize = 0;
	bool shop = false, in_sync = false;

	if (f == NULL)
		return true; /* the configuration check says why */
	while (!shop && getline(&line, &lsize, f) > 0) {
		char *p = trim(line), *eq = strchr(p, '=');
		if (*p == '[') {
			shop = strncmp(p, "[shop", 5) == 0;
			in_sync = strcmp(p, "[sync]") == 0;
		} else if (in_sync && eq != NULL) {
			*eq = '\0';
			if (strcmp(trim(p), "index") == 0)
				snprintf(index, size, "%s", trim(eq + 1));
		}
	}
	free(line);
	fclose(f);
	return shop;
}

/* src into dst, cut to size (doveconf's lines may be long) */
static void copy_cut(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* A boollist as 2.4 prints it: "NAME {", "  key = yes" lines, "}";
   the keys set to yes into value, separated by spaces. */
static void boollist_keys(const char *block, char *value, size_t size)
{
	size_t len = 0;

	value[0] = '\0';
	for (const char *line = block; *line != '\0';) {
		size_t n = strcspn(line, "\n");
		const char *key = line + strspn(line, " ");
		size_t klen = strcspn(key, " =\n");
		if (*key == '}')
			break;
		if (n > 6 && strncmp(line + n - 6, " = yes", 6) == 0 &&
		    len + klen + 2 < size) {
			if (len > 0)
				value[len++] = ' ';
			memcpy(value + len, key, klen);
			len += klen;
			value[len] = '\0';
		}
		line += n + (line[n] == '\n');
	}
}

/* The "NAME = VALUE" line (2.3, 2.4 strings) or "NAME {" block (2.4
   boollists) of doveconf's output, stdout and stderr as warnings may come
   first, into value; false when doveconf fails or prints no such line
   (its first line of output in value then). */
static bool doveconf_parse(char *out, const char *name, bool exited_ok,
			   char *value, size_t size)
{
	size_t nlen = strlen(name);

	for (const char *line = out; exited_ok && *line != '\0';) {
		size_t n = strcspn(line, "\n");
		if (n > nlen && strncmp(line, name, nlen) == 0) {
			const char *v = line + nlen;
			if (strncmp(v, " = ", 3) == 0 ||
			    strncmp(v, " =\n", 3) == 0 ||
			    strcmp(v, " =") == 0) {
				v += 2;
				v += strspn(v, " ");
				copy_cut(value, size, v);
				value[strcspn(value, "\n")] = '\0';
				return true;
			}
			if (strncmp(v, " {\n", 3) == 0) {
				boollist_keys(v + 3, value, size);
				return true;
			}
		}
		line += n + (line[n] == '\n');
	}
	copy_cut(value, size, out);
	value[strcspn(value, "\n")] = '\0';
	return false;
}

static bool doveconf_get(const char *doveconf, const char *filter,
			 const char *name, char *value, size_t size)
{
	char out[8192];
	int fds[2];
	size_t len = 0;
	ssize_t n;
	int status;

	value[0] = '\0';
	if (pipe(fds) < 0)
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		if (filter != NULL)
			execl(doveconf, doveconf, "-f", filter, name,
			      (char *)NULL);
		else
			execl(doveconf, doveconf, name, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		;
	return doveconf_parse(out, name,
			      WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      value, size);
}

/* word in a list separated by spaces or commas */
static bool has_word(const char *list, const char *word)
{
	size_t wlen = strlen(word);

	for (const char *p = list; *p != '\0';) {
		p += strspn(p, " ,");
		size_t len = strcspn(p, " ,");
		if (len == wlen && strncmp(p, word, len) == 0)
			return true;
		p += len;
	}
	return false;
}

static void check_plugin(const char *doveconf, check_report_fn *problem,
			 check_report_fn *ok)
{
	char v[1024];

	if (!doveconf_get(doveconf, "protocol=lmtp", "mail_plugins", v,
			  sizeof(v))) {
		problem("Dovecot's configuration cannot be read (%s: %.200s); run shoper-sync check as root to check the Dovecot side",
			doveconf, v);
		return;
	}
	if (has_word(v, "shoper"))
		ok("Dovecot loads the plugin at LMTP delivery (mail_plugins = %s)",
		   v);
	else if (access(DEBIAN_SNIPPET, R_OK) == 0)
		problem("Dovecot does not load the plugin: uncomment the !include_try line of %s, then systemctl reload dovecot",
			DEBIAN_SNIPPET);
	else
		problem("Dovecot does not load the plugin (mail_plugins of protocol lmtp: %s); install 90-shoper.conf into /etc/dovecot/conf.d and reload Dovecot",
			v);
}

static void check_group(const char *doveconf, const char *index,
			check_report_fn *problem, check_report_fn *ok)
{
	char groups[1024], gid[256], num[32];
	struct stat st;
	char *copy = strdup(index);
	const char *dir = copy == NULL ? "." : dirname(copy);

	if (stat(dir, &st) < 0 ||
	    !doveconf_get(doveconf, NULL, "mail_access_groups", groups,
			  sizeof(groups))) {
		free(copy); /* check_index_dir or check_plugin said why */
		return;
	}
	struct group *g = getgrgid(st.st_gid);
	snprintf(num, sizeof(num), "%u", (unsigned int)st.st_gid);
	const char *name = g != NULL ? g->gr_name : num;
	if (!doveconf_get(doveconf, NULL, "mail_gid", gid, sizeof(gid)))
		gid[0] = '\0';
	if (has_word(groups, name) || has_word(groups, num) ||
	    strcmp(gid, name) == 0 || strcmp(gid, num) == 0)
		ok("the mail processes have group %s of the index directory %s",
		   name, dir);
	else
		problem("the mail processes are not in group %s of the index directory %s (mail_access_groups = %s), so they cannot read the index; add the group to mail_access_groups (%s does), unless every mail user's own group is %s",
			name, dir, groups, DEBIAN_SNIPPET, name);
	free(copy);
}

void cmd_check_install(const char *config_path, check_report_fn *problem,
		       check_report_fn *ok)
{
	const char *doveconf = getenv("SHOPER_DOVECONF");
	char index[4096];

	if (doveconf == NULL) {
		if (strcmp(config_path, SHOPER_SYNC_DEFAULT_CONFIG) != 0)
			return;
		doveconf = DOVECONF_DEFAULT;
	}
	if (*doveconf == '\0')
		return;
	snprintf(index, sizeof(index), "%s", SHOPER_SYNC_DEFAULT_INDEX);
	if (!scan_config(config_path, index, sizeof(index)))
		problem("no shop configured in %s: add a [shop NAME] section (url, login, password_file), run shoper-sync check again, then systemctl enable --now shoper-sync",
			config_path);
	if (access(doveconf, X_OK) == 0) {
		check_plugin(doveconf, problem, ok);
		check_group(doveconf, index, problem, ok);
	} else {
		ok("no %s here: the Dovecot side is not checked", doveconf);
	}
}
