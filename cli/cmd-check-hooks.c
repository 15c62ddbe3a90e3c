/* check's lines about webhooks, per shop: registered or not, when the
   last one arrived, how many were refused for their signature. Local
   only: `webhooks status` asks the shop. */
#include "cmd-check-install.h"
#include "cmd.h"
#include "state.h"
#include "webhook-file.h"

#include <string.h>
#include <time.h>

static void one_shop(const struct shoper_sync_config *cfg,
		     const struct shoper_shop_config *shop,
		     struct sync_state *st, check_report_fn *problem,
		     check_report_fn *ok)
{
	struct sync_webhook w;
	struct sync_hook_stats hs;
	struct shoper_error err;
	char when[32] = "never";

	int ret = sync_webhook_load(cfg, shop->name, &w, NULL, &err);
	explicit_bzero(w.secret, sizeof(w.secret));
	if (ret < 0) {
		problem("[shop %s] webhook: %s", shop->name, err.msg);
		return;
	}
	if (ret == 0) {
		ok("[shop %s] webhooks: not registered (changes show at the "
		   "next poll; shoper-sync webhooks install --shop %s --url "
		   "URL for real time)",
		   shop->name, shop->name);
		return;
	}
	memset(&hs, 0, sizeof(hs));
	if (st != NULL && sync_state_hook_stats(st, shop->name, &hs, &err) < 0)
		problem("[shop %s] webhook stats: %s", shop->name, err.msg);
	if (hs.last_ok > 0) {
		time_t t = (time_t)hs.last_ok;
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
			 localtime_r(&t, &tm));
	}
	if (cfg->webhook_listen == NULL)
		problem("[shop %s] webhook %s registered (%s) but no "
			"webhook_listen in [sync]: the daemon does not "
			"receive it",
			shop->name, w.id, w.url);
	ok("[shop %s] webhook %s registered: %s; last received %s; %lld "
	   "accepted, %lld failed the signature, %lld refused",
	   shop->name, w.id, w.url, when, hs.accepted, hs.bad_signature,
	   hs.refused);
}

void cmd_check_hooks(const struct shoper_sync_config *cfg,
		     check_report_fn *problem, check_report_fn *ok)
{
	struct sync_state *st = NULL;
	struct shoper_error err;

	if (sync_state_open(cfg->state_dir, true, &st, &err) < 0)
		st = NULL;
	for (unsigned int i = 0; i < cfg->n_shops; i++)
		one_shop(cfg, &cfg->shops[i], st, problem, ok);
	sync_state_close(&st);
}
