#!/usr/bin/env python3
"""Drives Roundcube in headless Chromium (Selenium) for test-roundcube.sh.

  rc_browser.py --url URL --shots DIR --profile DIR STEP ARGS...

Steps (USER logs in with password "secret"; MAILBOX in UTF-8; UID a
message's IMAP UID):
  card USER MAILBOX UID KEY=VALUE...   the card is there; checks KEY:
        title, href (order link), status, paid, customer, tracking,
        tracking_href, shipping, orders, age, outcome (substring),
        options (the "Set status" choices, "|"-separated, in order);
        shot=NAME saves a screenshot
  nocard USER MAILBOX UID              no card above the message
  set USER MAILBOX UID STATUS          "Set status" STATUS on the card
  badge USER MAILBOX SUBJECT done|failed [SECONDS]
        the list row with SUBJECT gets the outcome badge (reloads until
        it does, 120 s by default)
Prints PASS/FAIL lines, one per check even when the card is missing (card:
one for the card and one per KEY other than shot); exit status 2 on a
browser error. Every wait is for a condition (the page's element, Roundcube's
client ready), with a limit generous enough for a loaded machine.
"""
import argparse
import os
import sys
import time
import traceback
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from dovecot_client import mutf7_encode  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    StaleElementReferenceException, TimeoutException)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

# The limit of every wait: a loaded machine (php -S serves one request at a
# time) takes several times the usual second or two; no wait ends early.
WAIT_S = 120
READY_JS = ("return document.readyState === 'complete' && !!window.rcmail"
            " && !!rcmail.loaded && !rcmail.busy")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--window-size=1440,900", "--lang=pl-PL"]


def report(ok, what):
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    return ok


def browser(profile):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for f in FLAGS + ["--user-data-dir=" + profile]:
        o.add_argument(f)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                            options=o)


class RC:
    def __init__(self, d, url, shots):
        self.d, self.url, self.shots = d, url, shots
        self.wait = WebDriverWait(d, WAIT_S)

    def ready(self, element_id):
        """Waits for the element and for Roundcube's client to be set up:
        its commands (move) and list events exist only after its init."""
        self.wait.until(lambda d: d.find_elements(By.ID, element_id)
                        and d.execute_script(READY_JS))

    def login(self, user):
        self.d.get(self.url)
        self.ready("rcmloginuser")
        self.d.find_element(By.ID, "rcmloginuser").send_keys(user)
        self.d.find_element(By.ID, "rcmloginpwd").send_keys("secret")
        self.d.find_element(By.ID, "rcmloginsubmit").click()
        self.ready("messagelist")

    def go(self, **q):
        self.d.get(self.url + "?" + urllib.parse.urlencode(q))

    def show(self, mailbox, uid):
        self.go(_task="mail", _action="show", _mbox=mutf7_encode(mailbox),
                _uid=uid)
        self.ready("messagebody")

    def shot(self, name):
        os.makedirs(self.shots, exist_ok=True)
        self.d.save_screenshot(os.path.join(self.shots, name + ".png"))


def card_values(d):
    c = d.find_element(By.ID, "shoper-card")
    v = {}
    t = c.find_element(By.CSS_SELECTOR, ".shoper-title")
    v["title"] = t.text
    v["href"] = t.get_attribute("href") or ""
    st = c.find_elements(By.CSS_SELECTOR, ".shoper-status")
    v["status"] = st[0].text if st else ""
    paid = c.find_elements(By.CSS_SELECTOR, ".shoper-paid, .shoper-unpaid")
    v["paid"] = paid[0].text if paid else ""
    for row in c.find_elements(By.CSS_SELECTOR, "table.shoper-data tr"):
        th = row.find_element(By.TAG_NAME, "th").text.strip().lower()
        v["row:" + th] = row.find_element(By.TAG_NAME, "td").text
    links = c.find_elements(By.CSS_SELECTOR, "tr.shoper-tracking a")
    v["tracking_href"] = links[0].get_attribute("href") if links else ""
    v["age"] = c.find_element(By.CSS_SELECTOR, ".shoper-age").text
    out = c.find_elements(By.CSS_SELECTOR, ".shoper-outcome")
    v["outcome"] = out[0].text if out else ""
    sel = c.find_elements(By.ID, "shoper-status-select")
    v["options"] = "|".join(o.text for o in Select(sel[0]).options[1:]) \
        if sel else ""
    return v


ROWS = {"customer": ("klient", "customer"), "tracking": ("przesyłka", "tracking"),
        "shipping": ("wysyłka", "shipping"), "orders": ("zamówienia", "orders"),
        "total": ("kwota", "total")}
EXACT = ("title", "href", "status", "paid", "tracking_href", "options")


def step_card(rc, user, mailbox, uid, *checks):
    rc.login(user)
    rc.show(mailbox, uid)
    if not report(bool(rc.d.find_elements(By.ID, "shoper-card")),
                  "card shown above message %s in %s" % (uid, mailbox)):
        rc.shot("nocard-" + uid)
        for c in checks:
            if not c.startswith("shot="):
                report(False, "card %s: no card" % c.split("=", 1)[0])
        return
    v = card_values(rc.d)
    print("card: %r" % v)
    for c in checks:
        k, want = c.split("=", 1)
        if k == "shot":
            rc.shot(want)
            rc.d.find_element(By.ID, "shoper-card").screenshot(
                os.path.join(rc.shots, want + "-only.png"))
            continue
        if k in ROWS:
            got = next((v[r] for r in ("row:" + x for x in ROWS[k]) if r in v), "")
        else:
            got = v.get(k, "")
        good = got == want if k in EXACT else want in got
        report(good, "card %s: %r (want %s%r)" % (
            k, got, "" if k in EXACT else "containing ", want))


def step_nocard(rc, user, mailbox, uid):
    rc.login(user)
    rc.show(mailbox, uid)
    body = rc.d.find_element(By.ID, "messagebody").text
    report(not rc.d.find_elements(By.ID, "shoper-card") and "body of" in body,
           "message %s shown without a card" % uid)


def step_set(rc, user, mailbox, uid, status):
    rc.login(user)
    rc.show(mailbox, uid)
    Select(rc.d.find_element(By.ID, "shoper-status-select")) \
        .select_by_visible_text(status)
    rc.wait.until(lambda d: d.execute_script(
        "return !!rcmail.commands['move']"))
    rc.d.find_element(By.ID, "shoper-status-set").click()
    # Roundcube moves the message and leaves it: back to the list
    ok = True
    try:
        rc.wait.until(lambda d: not d.find_elements(By.ID, "shoper-card")
                      and d.find_elements(By.ID, "messagelist")
                      and d.execute_script(READY_JS))
    except TimeoutException:
        ok = False
        rc.shot("set-" + uid + "-stuck")
    report(ok, "\"Set status\" %s moved the message out of %s" % (status, mailbox))


def badge_text(d, subject, outcome):
    """The badge's text on the list row with SUBJECT, or None."""
    for r in d.find_elements(By.CSS_SELECTOR, "#messagelist tbody tr"):
        if subject in r.text:
            b = r.find_elements(By.CSS_SELECTOR,
                                "span.shoper-list-badge.shoper-" + outcome)
            return b[0].text if b else None
    return None


def step_badge(rc, user, mailbox, subject, outcome, seconds=str(WAIT_S)):
    rc.login(user)
    end = time.time() + float(seconds)
    while True:
        # the daemon sets the outcome keyword after the shop answers: the
        # list is reloaded until the row has it
        rc.go(_task="mail", _mbox=mutf7_encode(mailbox))
        text = None
        try:
            rc.ready("messagelist")
            # the rows come by XHR after the page: wait for the message's
            rc.wait.until(lambda d: any(
                subject in r.text for r in d.find_elements(
                    By.CSS_SELECTOR, "#messagelist tbody tr")))
            text = badge_text(rc.d, subject, outcome)
        except (TimeoutException, StaleElementReferenceException):
            pass
        if text is not None:
            rc.shot("list-" + outcome)
            return report(True, "list badge %r on %r in %s" %
                          (text, subject, mailbox))
        if time.time() > end:
            rc.shot("list-" + outcome + "-missing")
            return report(False, "list badge %s on %r in %s" %
                          (outcome, subject, mailbox))
        time.sleep(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("step")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    d = browser(a.profile + "." + str(os.getpid()))
    try:
        rc = RC(d, a.url, a.shots)
        globals()["step_" + a.step](rc, *a.args)
    except Exception:
        traceback.print_exc(file=sys.stdout)
        try:
            RC(d, a.url, a.shots).shot("error-" + a.step)
        except Exception:
            pass
        return 2
    finally:
        d.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
