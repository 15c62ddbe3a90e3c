/* check with [cluster]: Redis, the leases and this node's lag. */
#include "cmd-check-install.h"
#include "config.h"
#include "shoper-cluster.h"
#include "shoper-queue.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* This node's line of shop in the status file its daemon writes. */
static bool status_line(const struct shoper_sync_config *cfg, const char *shop,
			char *line, size_t size)
{
	char path[4096], want[128];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "%s/cluster.status", cfg->state_dir);
	snprintf(want, sizeof(want), "shop %s ", shop);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	while (!found && fgets(line, (int)size, f) != NULL)
		found = strncmp(line, want, strlen(want)) == 0;
	fclose(f);
	if (found)
		line[strcspn(line, "\n")] = '\0';
	return found;
}

/* Requests of this node's IMAP module not yet moved into Redis (-1: no
   queue). */
static long long queued_here(const struct shoper_sync_config *cfg)
{
	char dir[4096];
	struct dirent *e;
	long long n = 0;

	if (shoper_queue_dir(cfg->index_path, dir, sizeof(dir)) < 0)
		return -1;
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		n += (len > 4 && strcmp(e->d_name + len - 4, ".req") == 0) ||
		     (len > 5 && strcmp(e->d_name + len - 5, ".work") == 0);
	}
	closedir(d);
	return n;
}

void cmd_check_cluster(const struct shoper_sync_config *cfg,
		       check_report_fn *problem, check_report_fn *ok,
		       bool *other_leads)
{
	struct shoper_error err;
	char line[512], node_sp[80];

	struct shoper_cluster *c = shoper_cluster_connect(cfg->cluster, &err);
	if (c == NULL) {
		problem("[cluster] %s; deliveries go on from the local index, but it is not updated until Redis answers",
			err.msg);
		return;
	}
	ok("[cluster] node %s, Redis %s answers", shoper_cluster_node(c),
	   shoper_cluster_server(c));
	snprintf(node_sp, sizeof(node_sp), "%s ", shoper_cluster_node(c));
	for (unsigned int i = 0; i < cfg->n_shops; i++) {
		struct shoper_lease l;
		const char *name = cfg->shops[i].name;
		memset(&l, 0, sizeof(l));
		snprintf(l.shop, sizeof(l.shop), "%s", name);
		if (shoper_lease_read(c, &l, &err) < 0) {
			problem("[cluster] [shop %s] lease: %s", name, err.msg);
			continue;
		}
		bool mine = strncmp(l.holder, node_sp, strlen(node_sp)) == 0;
		other_leads[i] = l.holder[0] != '\0' && !mine;
		if (l.holder[0] == '\0')
			ok("[cluster] [shop %s] no node holds the lease (a daemon takes it)",
			   name);
		else
			ok("[cluster] [shop %s] lease held by %s (token, %lld ms left): this node is %s",
			   name, l.holder, l.holder_ttl_ms,
			   mine ? "the leader" : "a follower");
		long long waiting, pending;
		if (shoper_cluster_requests_count(c, name, &waiting, &pending,
						  &err) == 0)
			ok("[cluster] [shop %s] status requests in Redis: %lld waiting for the leader, %lld of them being carried out",
			   name, waiting, pending);
		if (status_line(cfg, name, line, sizeof(line)))
			ok("[cluster] daemon: %s", line);
		else
			ok("[cluster] [shop %s] no daemon status yet (%s/cluster.status)",
			   name, cfg->state_dir);
	}
	long long queued = queued_here(cfg);
	if (queued >= 0)
		ok("[cluster] status requests queued on this node, not yet in Redis: %lld",
		   queued);
	shoper_cluster_free(&c);
}
