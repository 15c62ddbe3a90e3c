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
        it does)
Prints PASS/FAIL lines; exit status 2 on a browser error.
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
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

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
        self.wait = WebDriverWait(d, 20)

    def login(self, user):
        self.d.get(self.url)
        self.wait.until(lambda d: d.find_elements(By.ID, "rcmloginuser"))
        self.d.find_element(By.ID, "rcmloginuser").send_keys(user)
        self.d.find_element(By.ID, "rcmloginpwd").send_keys("secret")
        self.d.find_element(By.ID, "rcmloginsubmit").click()
        self.wait.until(lambda d: d.find_elements(By.ID, "messagelist"))

    def go(self, **q):
        self.d.get(self.url + "?" + urllib.parse.urlencode(q))

    def show(self, mailbox, uid):
        self.go(_task="mail", _action="show", _mbox=mutf7_encode(mailbox),
                _uid=uid)
        self.wait.until(lambda d: d.find_elements(By.ID, "messagebody"))

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
    rc.d.find_element(By.ID, "shoper-status-set").click()
    # Roundcube moves the message and leaves it: back to the list
    ok = True
    try:
        rc.wait.until(lambda d: not d.find_elements(By.ID, "shoper-card"))
    except Exception:
        ok = False
    report(ok, "\"Set status\" %s moved the message out of %s" % (status, mailbox))


def step_badge(rc, user, mailbox, subject, outcome, seconds="30"):
    rc.login(user)
    end = time.time() + float(seconds)
    css = "#messagelist tr span.shoper-list-badge.shoper-" + outcome
    while True:
        rc.go(_task="mail", _mbox=mutf7_encode(mailbox))
        try:
            rc.wait.until(lambda d: d.find_elements(
                By.CSS_SELECTOR, "#messagelist tbody tr"))
        except Exception:
            pass
        rows = [r for r in rc.d.find_elements(By.CSS_SELECTOR,
                                              "#messagelist tbody tr")
                if subject in r.text]
        if rows and rows[0].find_elements(By.CSS_SELECTOR, css[len("#messagelist tr "):]):
            badge = rows[0].find_element(By.CSS_SELECTOR, "span.shoper-list-badge")
            rc.shot("list-" + outcome)
            return report(True, "list badge %r on %r in %s" %
                          (badge.text, subject, mailbox))
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
