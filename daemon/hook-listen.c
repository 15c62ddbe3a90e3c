/* The webhook listener: libmicrohttpd in its own thread; what it accepts
   goes into a queue under a mutex that the daemon's loop drains. The
   thread reads nothing but the configuration (not changed while it runs)
   and the shops' webhook files. */
#include "hook-listen.h"
#include "shoper-webapi.h"
#include "webhook-file.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* refused requests per source: a burst of RATE_BURST, then RATE_PER_SEC a
   second (see rate_of) */
#define RATE_BURST 200.0
#define RATE_PER_SEC 100.0
#define RATE_SOURCES 64

struct hook_shop {
	struct engine_ids queued;
	double first_queued; /* monotonic, 0: none queued */
	long long n[3]; /* enum sync_hook_outcome counts to flush */
	long long last_ok;
};

struct rate {
	char source[64];
	double tokens, at;
};

struct hook_listener {
	const struct shoper_sync_config *cfg;
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock;
	struct hook_shop *shops; /* as cfg->shops */
	struct rate rates[RATE_SOURCES];
	char *tls_cert, *tls_key;
	int unix_fd;
	pthread_mutex_t hand_lock; /* held from hand's call to the queue */
	hook_hand_fn *hand;
	void *hand_ctx;
};

struct request {
	char *body;
	size_t len;
	bool too_big;
};

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The source a request counts against: its peer's address ("unix" on a
   unix socket), or, when the peer is the configured trusted proxy, the
   last address of X-Forwarded-For (what the proxy itself saw; one that
   is no address is ignored). */
static void source_of(const struct hook_listener *l, struct MHD_Connection *c,
		      char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
	const char *proxy = l->cfg->webhook_trusted_proxy;

	snprintf(buf, size, "unix");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  buf, size);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  size);
	if (proxy == NULL || strcmp(buf, proxy) != 0)
		return;
	const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      "X-Forwarded-For");
	if (xff == NULL)
		return;
	const char *last = strrchr(xff, ',');
	char addr[64];
	unsigned char a[16];

	last = last != NULL ? last + 1 : xff;
	last += strspn(last, " \t");
	size_t len = strcspn(last, " \t");
	if (len == 0 || len >= sizeof(addr))
		return;
	memcpy(addr, last, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, a) == 1 ||
	    inet_pton(AF_INET6, addr, a) == 1)
		snprintf(buf, size, "%s", addr);
}

/* The per-source allowance is spent by refused requests only (bad
   signature, unknown shop, too big, not a POST): a flood of forgeries is
   cut off before its bodies are read, while signed webhooks never count,
   so a bulk edit of thousands of orders in the panel passes, also behind
   a proxy where every request has the proxy's address. Caller holds the
   lock. */
static struct rate *rate_of(struct hook_listener *l, const char *source)
{
	double now = now_mono();
	struct rate *r = NULL, *oldest = &l->rates[0];

	for (unsigned int i = 0; i < RATE_SOURCES; i++) {
		if (strcmp(l->rates[i].source, source) == 0) {
			r = &l->rates[i];
			break;
		}
		if (l->rates[i].at < oldest->at)
			oldest = &l->rates[i];
	}
	if (r == NULL) {
		r = oldest;
		snprintf(r->source, sizeof(r->source), "%s", source);
		r->tokens = RATE_BURST;
		r->at = now;
	}
	r->tokens += (now - r->at) * RATE_PER_SEC;
	if (r->tokens > RATE_BURST)
		r->tokens = RATE_BURST;
	r->at = now;
	return r;
}

static bool rate_ok(struct hook_listener *l, const char *source)
{
	return rate_of(l, source)->tokens >= 1.0;
}

static void rate_charge(struct hook_listener *l, const char *source)
{
	struct rate *r = rate_of(l, source);

	if (r->tokens >= 1.0)
		r->tokens -= 1.0;
}

static const char *host_of(const char *url, char *buf, size_t size)
{
	const char *h = strstr(url, "://");

	snprintf(buf, size, "%s", h != NULL ? h + 3 : url);
	buf[strcspn(buf, ":/")] = '\0';
	return buf;
}

/* The shop a request is for: /shoper/<name> in the path, else the shop
   whose url names X-Shop-Domain. -1: none. */
static int shop_of(const struct hook_listener *l, struct MHD_Connection *c,
		   const char *url)
{
	const char *domain = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 "X-Shop-Domain");
	const char *name = strrchr(url, '/');
	char host[256];

	for (unsigned int i = 0; name != NULL && i < l->cfg->n_shops; i++) {
		if (strcmp(name + 1, l->cfg->shops[i].name) == 0)
			return (int)i;
	}
	for (unsigned int i = 0; domain != NULL && i < l->cfg->n_shops; i++) {
		host_of(l->cfg->shops[i].url, host, sizeof(host));
		if (strcasecmp(host, domain) == 0)
			return (int)i;
	}
	return -1;
}

static void queue_order(struct hook_shop *s, long long id)
{
	for (unsigned int i = 0; i < s->queued.n; i++) {
		if (s->queued.v[i] == id)
			return; /* duplicates coalesce */
	}
	if (s->queued.n == s->queued.alloc) {
		s->queued.alloc = s->queued.alloc * 2 + 16;
		s->queued.v = realloc(s->queued.v,
				      s->queued.alloc * sizeof(*s->queued.v));
		if (s->queued.v == NULL)
			abort();
	}
	s->queued.v[s->queued.n++] = id;
	if (s->first_queued == 0)
		s->first_queued = now_mono();
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned int code,
			      const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);

	MHD_add_response_header(r, "Content-Type", "text/plain");
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* A refused request: a log line with what was wrong, never the body
   (it holds the customer's personal data). */
static enum MHD_Result refuse(struct hook_listener *l, struct MHD_Connection *c,
			      int shop, unsigned int code, const char *why)
{
	char source[64];

	source_of(l, c, source, sizeof(source));
	fprintf(stderr, "webhook from %s refused (%u): %s%s%s\n", source, code,
		why, shop >= 0 ? ", shop " : "",
		shop >= 0 ? l->cfg->shops[shop].name : "");
	pthread_mutex_lock(&l->lock);
	if (code != 429)
		rate_charge(l, source);
	if (shop >= 0)
		l->shops[shop].n[code == 401 ? SYNC_HOOK_BAD_SIGNATURE
					     : SYNC_HOOK_REFUSED]++;
	pthread_mutex_unlock(&l->lock);
	return answer(c, code, code == 401 ? "unauthorized\n" : "refused\n");
}

static long long order_id_of(const struct request *rq)
{
	json_object *json = json_tokener_parse(rq->body);
	int64_t id = 0;

	if (json == NULL || !shoper_json_int64(json, "order_id", &id))
		id = 0;
	json_object_put(json);
	return id > 0 ? id : 0;
}

static enum MHD_Result take_request(struct hook_listener *l,
				    struct MHD_Connection *c, const char *url,
				    const struct request *rq)
{
	struct sync_webhook w;
	struct shoper_error err;
	int shop = shop_of(l, c, url);

	if (shop < 0)
		return refuse(l, c, -1, 401, "no such shop");
	if (rq->too_big)
		return refuse(l, c, shop, 413, "body too large");
	const char *id =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Webhook-Id");
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      "X-Webhook-Sha1");
	if (sync_webhook_load(l->cfg, l->cfg->shops[shop].name, &w, NULL,
			      &err) <= 0)
		return refuse(l, c, shop, 401, "no webhook installed");
	if (id == NULL || strcmp(id, w.id) != 0)
		return refuse(l, c, shop, 401, "unknown webhook id");
	bool ok = sync_webhook_signature_ok(w.id, w.secret, rq->body, rq->len,
					    sig);
	explicit_bzero(w.secret, sizeof(w.secret));
	if (!ok)
		return refuse(l, c, shop, 401, "bad X-Webhook-Sha1");
	long long order = order_id_of(rq);
	enum hook_hand h = HOOK_KEEP;
	pthread_mutex_lock(&l->hand_lock);
	if (order > 0 && l->hand != NULL)
		h = l->hand(l->hand_ctx, (unsigned int)shop, order);
	pthread_mutex_lock(&l->lock);
	l->shops[shop].n[SYNC_HOOK_OK]++;
	l->shops[shop].last_ok = (long long)time(NULL);
	if (order > 0 && h != HOOK_HANDED)
		queue_order(&l->shops[shop], order);
	pthread_mutex_unlock(&l->lock);
	pthread_mutex_unlock(&l->hand_lock);
	/* kept, but the shop may also send it again: see hook-cluster.c */
	if (h == HOOK_KEPT_RETRY)
		return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			      "not handed over, send again\n");
	return answer(c, MHD_HTTP_OK, "ok\n");
}

static enum MHD_Result on_request(void *ctx, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct hook_listener *l = ctx;
	struct request *rq = *con_cls;
	char source[64];

	if (rq == NULL) {
		if (strcmp(method, "POST") != 0)
			return refuse(l, c, -1, 405, "not a POST");
		source_of(l, c, source, sizeof(source));
		pthread_mutex_lock(&l->lock);
		bool ok = rate_ok(l, source);
		pthread_mutex_unlock(&l->lock);
		if (!ok)
			return refuse(l, c, -1, 429, "too many requests");
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     "Content-Length");
		if (cl != NULL && strtoull(cl, NULL, 10) > HOOK_MAX_BODY)
			return refuse(l, c, shop_of(l, c, url), 413,
				      "body too large");
		rq = calloc(1, sizeof(*rq));
		if (rq == NULL)
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*data_size > 0) {
		if (!rq->too_big && rq->len + *data_size <= HOOK_MAX_BODY) {
			char *b = realloc(rq->body, rq->len + *data_size + 1);
			if (b == NULL)
				return MHD_NO;
			memcpy(b + rq->len, data, *data_size);
			rq->body = b;
			rq->len += *data_size;
			rq->body[rq->len] = '\0';
		} else {
			rq->too_big = true;
		}
		*data_size = 0;
		return MHD_YES;
	}
	if (rq->body == NULL)
		rq->body = calloc(1, 1);
	return take_request(l, c, url, rq);
}

static void on_done(void *ctx, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	if (rq != NULL) {
		free(rq->body);
		free(rq);
	}
	*con_cls = NULL;
}

static char *read_file(const char *path, struct shoper_error *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (f == NULL) {
		shoper_error_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && len < 1 << 20) {
		char *b = realloc(buf, len + n + 1);
		if (b == NULL)
			abort();
		buf = b;
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	}
	fclose(f);
	if (buf == NULL)
		shoper_error_set(err, "%s: empty", path);
	return buf;
}

/* A unix socket bound by us (MHD takes a listening fd): mode 0660, so a
   proxy in the socket directory's group can connect. */
static int unix_socket(const char *path, struct shoper_error *err)
{
	union {
		struct sockaddr sa;
		struct sockaddr_un un;
	} addr;
	int fd;

	memset(&addr, 0, sizeof(addr));
	addr.un.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr.un.sun_path)) {
		shoper_error_set(err, "webhook_listen: %s: path too long",
				 path);
		return -1;
	}
	memcpy(addr.un.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	(void)unlink(path); /* one left by a daemon that died */
	if (fd < 0 || bind(fd, &addr.sa, sizeof(addr.un)) < 0 ||
	    chmod(path, 0660) < 0 || listen(fd, 64) < 0) {
		shoper_error_set(err, "webhook_listen: unix:%s: %s", path,
				 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int start_mhd(struct hook_listener *l, struct shoper_error *err)
{
	const char *listen_at = l->cfg->webhook_listen;
	struct sockaddr_in sin;
	char host[64];
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	struct MHD_OptionItem opts[8];
	unsigned int n = 0;

	memset(&sin, 0, sizeof(sin));
	if (strncmp(listen_at, "unix:", 5) == 0) {
		if ((l->unix_fd = unix_socket(listen_at + 5, err)) < 0)
			return -1;
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET,
						    l->unix_fd, NULL};
	} else {
		const char *colon = strrchr(listen_at, ':');
		snprintf(host, sizeof(host), "%.*s", (int)(colon - listen_at),
			 listen_at);
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)atoi(colon + 1));
		(void)inet_pton(AF_INET, host, &sin.sin_addr);
		opts[n++] =
			(struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sin};
	}
	if (l->tls_cert != NULL) {
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT,
						    0, l->tls_cert};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0,
						    l->tls_key};
	}
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 30,
					    NULL};
	opts[n++] =
		(struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 256, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	l->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, l,
				  MHD_OPTION_NOTIFY_COMPLETED, on_done, l,
				  MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (l->mhd == NULL) {
		shoper_error_set(err,
				 "webhook_listen = %s: cannot listen (address "
				 "in use, or the TLS files unusable?)",
				 listen_at);
		return -1;
	}
	return 0;
}

struct hook_listener *hook_listen_start(const struct shoper_sync_config *cfg,
					struct shoper_error *err)
{
	err->msg[0] = '\0';
	if (cfg->webhook_listen == NULL)
		return NULL;
	struct hook_listener *l = calloc(1, sizeof(*l));
	if (l == NULL)
		abort();
	l->cfg = cfg;
	l->unix_fd = -1;
	l->shops = calloc(cfg->n_shops + 1, sizeof(*l->shops));
	pthread_mutex_init(&l->lock, NULL);
	pthread_mutex_init(&l->hand_lock, NULL);
	if (cfg->webhook_tls_cert != NULL &&
	    ((l->tls_cert = read_file(cfg->webhook_tls_cert, err)) == NULL ||
	     (l->tls_key = read_file(cfg->webhook_tls_key, err)) == NULL)) {
		hook_listen_stop(&l);
		return NULL;
	}
	if (l->shops == NULL || start_mhd(l, err) < 0) {
		hook_listen_stop(&l);
		return NULL;
	}
	return l;
}

void hook_listen_stop(struct hook_listener **_l)
{
	struct hook_listener *l = *_l;

	if (l == NULL)
		return;
	*_l = NULL;
	if (l->mhd != NULL)
		MHD_stop_daemon(l->mhd);
	if (l->unix_fd >= 0) {
		close(l->unix_fd);
		(void)unlink(l->cfg->webhook_listen + 5);
	}
	for (unsigned int i = 0; l->shops != NULL && i < l->cfg->n_shops; i++)
		free(l->shops[i].queued.v);
	free(l->shops);
	if (l->tls_key != NULL)
		explicit_bzero(l->tls_key, strlen(l->tls_key));
	free(l->tls_key);
	free(l->tls_cert);
	pthread_mutex_destroy(&l->lock);
	pthread_mutex_destroy(&l->hand_lock);
	free(l);
}

double hook_listen_pending(struct hook_listener *l)
{
	double oldest = 0;

	if (l == NULL)
		return -1;
	pthread_mutex_lock(&l->lock);
	for (unsigned int i = 0; i < l->cfg->n_shops; i++) {
		double t = l->shops[i].first_queued;
		if (t != 0 && (oldest == 0 || t < oldest))
			oldest = t;
	}
	pthread_mutex_unlock(&l->lock);
	return oldest == 0 ? -1 : now_mono() - oldest;
}

void hook_listen_take(struct hook_listener *l, const char *shop,
		      struct engine_ids *ids)
{
	pthread_mutex_lock(&l->lock);
	for (unsigned int i = 0; i < l->cfg->n_shops; i++) {
		struct hook_shop *s = &l->shops[i];
		if (strcmp(l->cfg->shops[i].name, shop) != 0)
			continue;
		for (unsigned int j = 0; j < s->queued.n; j++) {
			if (ids->n == ids->alloc) {
				ids->alloc = ids->alloc * 2 + 16;
				ids->v = realloc(ids->v,
						 ids->alloc * sizeof(*ids->v));
				if (ids->v == NULL)
					abort();
			}
			ids->v[ids->n++] = s->queued.v[j];
		}
		s->queued.n = 0;
		s->first_queued = 0;
	}
	pthread_mutex_unlock(&l->lock);
}

void hook_listen_set_hand(struct hook_listener *l, hook_hand_fn *fn, void *ctx)
{
	pthread_mutex_lock(&l->hand_lock);
	l->hand = fn;
	l->hand_ctx = ctx;
	pthread_mutex_unlock(&l->hand_lock);
}

void hook_listen_queue(struct hook_listener *l, unsigned int shop,
		       const struct engine_ids *ids)
{
	pthread_mutex_lock(&l->lock);
	for (unsigned int i = 0; i < ids->n && shop < l->cfg->n_shops; i++)
		queue_order(&l->shops[shop], ids->v[i]);
	pthread_mutex_unlock(&l->lock);
}

void hook_listen_flush_stats(struct hook_listener *l, struct sync_state *st)
{
	struct shoper_error err;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	for (unsigned int i = 0; i < l->cfg->n_shops; i++) {
		struct hook_shop *s = &l->shops[i];
		for (int o = 0; o < 3; o++) {
			for (; s->n[o] > 0; s->n[o]--) {
				if (sync_state_hook_count(
					    st, l->cfg->shops[i].name, o,
					    s->last_ok, &err) < 0) {
					fprintf(stderr, "webhook stats: %s\n",
						err.msg);
					s->n[o] = 0;
					break;
				}
			}
		}
	}
	pthread_mutex_unlock(&l->lock);
}
