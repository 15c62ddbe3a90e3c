"""Helpers of the test shop's own tests (test_shop.py): a shop started as
a subprocess, an HTTPS client trusting the throwaway CA, TAP output."""

import base64
import http.client
import json
import os
import ssl
import subprocess
import sys
import time
import warnings

warnings.simplefilter("ignore", DeprecationWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
NOW = "2026-11-29 12:00:00"
N_ORDERS = 400
T = {"n": 0, "fail": 0}


def tap(ok, what):
    T["n"] += 1
    if not ok:
        T["fail"] += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", T["n"], what))
    sys.stdout.flush()
    return ok


def section(title):
    print("# --- %s" % title)


class Shop:
    def __init__(self, tmp, *extra):
        self.tmp = tmp
        pf = os.path.join(tmp, "port-%d" % len(os.listdir(tmp)))
        self.log = open(pf + ".log", "w")
        self.proc = subprocess.Popen([
            sys.executable, os.path.join(HERE, "shoper_shop.py"),
            "--cert", os.path.join(tmp, "server.pem"),
            "--key", os.path.join(tmp, "server.key"), "--port-file", pf,
            "--orders", str(N_ORDERS), "--customers", "60", "--seed", "7",
            "--hostile-pct", "12", "--now", NOW] + list(extra),
            stdout=self.log, stderr=self.log)
        for _ in range(300):
            if os.path.exists(pf):
                break
            if self.proc.poll() is not None:
                raise SystemExit("shop died")
            time.sleep(0.05)
        self.port = int(open(pf).read())
        self.ctx = ssl.create_default_context(
            cafile=os.path.join(tmp, "ca.pem"))
        self.conn = None
        self.token = None

    def connect(self, timeout=20):
        return http.client.HTTPSConnection("127.0.0.1", self.port,
                                           context=self.ctx, timeout=timeout)

    def raw(self, method, path, body=None, headers=None, token=True,
            conn=None):
        """(status, headers dict lower-case, raw headers, body bytes)."""
        h = dict(headers or {})
        if token is True and self.token:
            h["Authorization"] = "Bearer " + self.token
        elif isinstance(token, str):
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        c = conn or self.conn
        if c is None:
            c = self.conn = self.connect()
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            c.close()
            if conn is None:
                self.conn = None
            raise
        hd = {k.lower(): v for k, v in r.getheaders()}
        return r.status, hd, r.getheaders(), data

    def call(self, method, path, body=None, **kw):
        st, hd, _, data = self.raw(method, path, body, **kw)
        return st, hd, json.loads(data) if data else None

    def ctl(self, method, path, body=None):
        st, _, data = self.call(method, "/__test/" + path, body, token=False)
        return data

    def auth(self):
        st, _, j = self.call("POST", "/webapi/rest/auth", token=False,
                             headers={"Authorization": basic("api",
                                                             "secret")})
        self.token = j["access_token"]
        return j

    def stop(self):
        if self.conn:
            self.conn.close()
        self.proc.terminate()
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def basic(login, pw):
    return "Basic " + base64.b64encode(
        ("%s:%s" % (login, pw)).encode()).decode()


def q(d):
    return json.dumps(d, separators=(",", ":"))


def qs(**kw):
    import urllib.parse
    return urllib.parse.urlencode(kw)


def all_pages(shop, path, limit=50):
    out, page = [], 1
    while True:
        sep = "&" if "?" in path else "?"
        st, _, j = shop.call("GET", "%s%slimit=%d&page=%d" % (
            path, sep, limit, page))
        out.extend(j["list"])
        if page >= j["pages"]:
            return out, j
        page += 1


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


