/* Status requests with [cluster] (doc/design.md, "Many backends"). The
   IMAP module writes the local queue as ever; this node checks what
   needs its own Dovecot (the user and the shop in its shoper_shops, the
   request's age and writer) and moves each request into the shop's
   Redis stream, removing the local file only once Redis has it. The
   shop's leader carries the stream's requests out once (an idempotency
   key in flight before the PUT; a replay looks at the order first) and
   sends the outcome to the origin, which marks the moved message in its
   own Dovecot, as the single-server path does. */
#include "cluster-run.h"
#include "shoper-queue.h"
#include "status-check.h"
#include "status-doveadm.h"
#include "status-run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* a shop the leader could not reach: its requests wait this long */
#define SHOP_RETRY_MS 60000.0
/* Redis refused a request: forwarding waits this long */
#define REDIS_RETRY_MS 1000.0
/* a request whose user doveadm could not tell about: next try */
#define ORIGIN_RETRY_S 60

struct cluster_requests {
	double forward_after; /* monotonic ms */
	double *next_try; /* per shop, monotonic ms */
	char error[512]; /* the last Redis error logged */
	char *text; /* SHOPER_QUEUE_MAX_FILE bytes */
};

/* long enough that a request can't come back after its key is gone: it
   is refused by its age by then */
static unsigned int key_ttl(const struct cluster_daemon *d)
{
	return d->cfg->status_request_max_age + 3600;
}

static void redis_error(struct cluster_requests *q, const char *what,
			const struct shoper_error *err)
{
	if (strcmp(q->error, err->msg) != 0)
		fprintf(stderr, "cluster: status requests: %s: %s\n", what,
			err->msg);
	snprintf(q->error, sizeof(q->error), "%s", err->msg);
}

static void print_req(const char *what, const struct shoper_queue_request *r)
{
	const char *user = r->user[0] != '\0' ? r->user : "-";

	printf("status change: user=");
	shoper_print_clean(stdout, user, strlen(user));
	printf(" shop=");
	shoper_print_clean(stdout, r->shop, strlen(r->shop));
	printf(" order=%s new=%s: %s\n", r->order_id, r->status_id, what);
	fflush(stdout);
}

/* Origin: one claimed request. 0 handled, -1 Redis did not take it (the
   file stays queued). */
static int forward_one(struct cluster_daemon *d, struct cluster_requests *q,
		       struct shoper_queue_request *req, const char *work,
		       const char *keep)
{
	struct sync_status_outcome out;
	struct shoper_error err;
	char name[300], key[400];

	memset(&out, 0, sizeof(out));
	int ret = sync_status_check_origin(d->cfg, req, &out);
	if (ret < 0) {
		/* doveadm could not tell: kept here, as without [cluster] */
		req->tries++;
		if (shoper_queue_defer(keep, work, req,
				       time(NULL) + ORIGIN_RETRY_S, &err) < 0)
			fprintf(stderr, "status queue: %s\n", err.msg);
		return 0;
	}
	if (ret == 0) {
		/* refused here: logged and marked here, nothing forwarded */
		sync_status_log(req, "?", &out);
		sync_status_mark(d->cfg, req, &out);
	} else {
		req->tries = 0;
		int len = shoper_queue_format(req, q->text,
					      SHOPER_QUEUE_MAX_FILE);
		if (len < 0 || shoper_queue_name(req->shop, req->order_id, name,
						 sizeof(name)) < 0)
			return 0; /* can't be: it was parsed */
		snprintf(key, sizeof(key), "%s/%s/%lld",
			 shoper_cluster_node(d->c), name, (long long)req->time);
		if (shoper_cluster_request_add(d->c, req->shop, key, q->text,
					       (size_t)len, &err) < 0) {
			redis_error(q, "queued here until Redis is back", &err);
			return -1;
		}
		print_req("sent to the shop's leader", req);
	}
	if (shoper_queue_done(work, &err) < 0)
		fprintf(stderr, "status queue: %s\n", err.msg);
	return 0;
}

static void forward(struct cluster_daemon *d, struct cluster_requests *q)
{
	struct shoper_queue_request req;
	char dir[4096], keep[4200], work[4800];
	struct stat sb;

	if (shoper_cluster_now_ms() < q->forward_after ||
	    shoper_queue_dir(d->cfg->index_path, dir, sizeof(dir)) < 0 ||
	    stat(dir, &sb) < 0)
		return;
	snprintf(keep, sizeof(keep), "%s/" SYNC_STATUS_KEEP_DIR,
		 d->cfg->state_dir);
	for (unsigned int i = 0; i < 100 && !*d->stop_flag; i++) {
		if (sync_status_claim_next(dir, keep, &req, work,
					   sizeof(work)) <= 0)
			break;
		if (forward_one(d, q, &req, work, keep) < 0) {
			q->forward_after =
				shoper_cluster_now_ms() + REDIS_RETRY_MS;
			break;
		}
	}
	/* a user's shoper_shops may change before the next run */
	sync_doveadm_scope_forget();
}

struct consume_ctx {
	struct cluster_daemon *d;
	struct sync_state *st;
	struct cluster_shop *s;
	struct shoper_lease lease; /* a copy, for the fenced writes */
	bool down, done;
};

/* A request from the stream as the queue's parser sees it; NULL when it
   is garbled or names another shop than its stream's. */
static const char *parse(const struct consume_ctx *c,
			 const struct shoper_cluster_request *r,
			 struct shoper_queue_request *req)
{
	struct shoper_error err;

	if (r->bad != NULL)
		return r->bad;
	if (shoper_queue_parse(r->req, r->req_len, req, &err) < 0)
		return "not a request";
	if (strcmp(req->shop, c->s->cfg->name) != 0)
		return "a request for another shop";
	return NULL;
}

static int on_request(void *ctx, const struct shoper_cluster_request *r)
{
	struct consume_ctx *c = ctx;
	struct shoper_queue_request req;
	struct sync_status_outcome out;
	struct shoper_error err;

	if (c->down)
		return 0; /* waits in the stream, pending under this node */
	const char *bad = parse(c, r, &req);
	if (bad != NULL) {
		fprintf(stderr, "cluster: [shop %s] request %s refused: %s\n",
			c->s->cfg->name, r->id, bad);
		return shoper_cluster_request_drop(c->d->c, c->s->cfg->name,
						   r->id, &err);
	}
	int b = shoper_cluster_request_begin(c->d->c, &c->lease, r->key,
					     key_ttl(c->d), &err);
	if (b == -1 || b == SHOPER_REQUEST_FENCED)
		return -1;
	if (b == SHOPER_REQUEST_POSTED) /* added twice: done once */
		return shoper_cluster_request_drop(c->d->c, c->s->cfg->name,
						   r->id, &err);
	/* a replay: an earlier leader may have done the PUT; the GET first
	   counts it done when the order has that status */
	req.tries = b == SHOPER_REQUEST_REPLAY ? 1 : 0;
	sync_status_carry(c->d->cfg, c->st, &req, &c->s->stop, &out);
	if (out.retry) {
		c->down = true;
		return 0;
	}
	c->done |= out.done;
	struct shoper_cluster_outcome o = {.done = out.done,
					   .by_shop = out.by_shop,
					   .reason = out.reason,
					   .status_name = out.status_name};
	int ret = shoper_cluster_request_finish(c->d->c, &c->lease, r, &o,
						key_ttl(c->d), &err);
	if (ret == 0)
		fprintf(stderr,
			"cluster: [shop %s] lease lost before the outcome of "
			"%s was sent: the next leader sends it\n",
			c->s->cfg->name, r->key);
	return ret < 0 ? -1 : 0;
}

static void consume(struct cluster_daemon *d, struct cluster_requests *q,
		    struct sync_state *st, unsigned int i)
{
	struct consume_ctx c = {.d = d, .st = st, .s = &d->shops[i]};
	struct shoper_error err;

	memset(&err, 0, sizeof(err));
	pthread_mutex_lock(&d->mtx);
	c.lease = c.s->lease;
	bool valid = shoper_lease_valid(&c.lease);
	pthread_mutex_unlock(&d->mtx);
	if (!valid || !c.s->ready || shoper_cluster_now_ms() < q->next_try[i])
		return;
	/* a dead leader's PUT may land until its lease and its call are
	   over: only then is the order read again */
	unsigned int idle = d->cfg->cluster->lease_ms +
			    (unsigned int)d->cfg->timeout * 1000;
	if (shoper_cluster_requests_read(d->c, &c.lease, 10, idle, on_request,
					 &c, &err) < 0 &&
	    c.lease.token != 0)
		redis_error(q, "the shop's stream", &err);
	if (c.down)
		q->next_try[i] = shoper_cluster_now_ms() + SHOP_RETRY_MS;
	/* the changed order to every node now, not at the next cycle */
	if (c.done && shoper_lease_valid(&c.lease) &&
	    cluster_apply_leader(d, c.s, st, &err) < 0)
		redis_error(q, "the changes", &err);
}

static int on_outcome(void *ctx, const char *id,
		      const struct shoper_cluster_outcome *o)
{
	struct cluster_daemon *d = ctx;
	struct shoper_queue_request req;
	struct sync_status_outcome out;
	struct shoper_error err;

	if (o->bad != NULL ||
	    shoper_queue_parse(o->req, o->req_len, &req, &err) < 0) {
		fprintf(stderr, "cluster: outcome %s refused: %s\n", id,
			o->bad != NULL ? o->bad : "not a request");
		return 0;
	}
	memset(&out, 0, sizeof(out));
	out.done = o->done;
	out.by_shop = o->by_shop;
	snprintf(out.reason, sizeof(out.reason), "%s", o->reason);
	snprintf(out.status_name, sizeof(out.status_name), "%s",
		 o->status_name);
	print_req(out.done ? "outcome from the shop's leader: done"
			   : "outcome from the shop's leader: failed",
		  &req);
	sync_status_mark(d->cfg, &req, &out);
	return 0;
}

void cluster_requests_step(struct cluster_daemon *d, struct sync_state *st)
{
	struct cluster_requests *q = d->requests;
	struct shoper_error err;

	if (q == NULL) {
		q = d->requests = calloc(1, sizeof(*q));
		if (q == NULL)
			return;
		q->next_try = calloc(d->n_shops + 1, sizeof(*q->next_try));
		q->text = malloc(SHOPER_QUEUE_MAX_FILE);
		if (q->next_try == NULL || q->text == NULL) {
			cluster_requests_free(d);
			return;
		}
	}
	forward(d, q);
	for (unsigned int i = 0; i < d->n_shops && !*d->stop_flag; i++)
		consume(d, q, st, i);
	if (shoper_cluster_outcomes_read(d->c, on_outcome, d, &err) < 0)
		redis_error(q, "this node's outcomes", &err);
	else if (q->forward_after == 0)
		q->error[0] = '\0';
	sync_doveadm_scope_forget();
}

void cluster_requests_free(struct cluster_daemon *d)
{
	if (d->requests == NULL)
		return;
	free(d->requests->next_try);
	free(d->requests->text);
	free(d->requests);
	d->requests = NULL;
}
