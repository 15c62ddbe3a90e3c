"""HTTPS/1.1 server of the test shop: TLS 1.2+ handshake in the handler
thread, keep-alive with Content-Length, faults that act on the wire
(timeouts, garbage, truncated bodies, connection resets)."""

import email.utils
import gzip
import http.server
import socket
import ssl
import struct
import sys
import threading

import shop_api
import shop_control

REASONS = http.server.BaseHTTPRequestHandler.responses
GARBAGE = (b"<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 "
           b"bytes exhausted in <b>/var/www/shop/lib/Db.php</b> on line "
           b"<b>42</b><br />\n")
CASED = ("X-Shop-Api-", "X-Shop-Result-")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 120

    def setup(self):
        self.request.settimeout(15)
        self.request = self.server.ssl_ctx.wrap_socket(
            self.request, server_side=True)
        self.request.settimeout(self.timeout)
        http.server.BaseHTTPRequestHandler.setup(self)

    def log_message(self, fmt, *args):
        if self.server.shop.args.verbose:
            sys.stderr.write("shop: " + (fmt % args) + "\n")

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = []
            while True:
                line = self.rfile.readline(1024)
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n",
                                                            b""):
                        pass
                    break
                out.append(self.rfile.read(n))
                self.rfile.readline(8)
            return b"".join(out)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_any(self):
        shop = self.server.shop
        body = self.read_body()
        path, _, query = self.path.partition("?")
        if path.startswith("/__test/"):
            with shop.lock:
                r = shop_control.handle(shop, self.command, path, body)
            return self.answer(r, lower=False)
        if not path.startswith(shop_api.PREFIX):
            with shop.lock:
                r = shop_api.err(shop, 400, "invalid_request",
                                 "Invalid resource path")
            return self.answer(r, lower=False)
        with shop.lock:
            r = shop_api.handle(shop, self.command, path, query,
                                self.headers, body)
            shop.resp_serial += 1
            case = shop.cfg["header_case"]
            lower = case == "lower" or (case == "alternate" and
                                        shop.resp_serial % 2 == 0)
        if r.action == "timeout":
            shop.stop_event.wait(r.fault["seconds"])
            if not r.fault["answer"]:
                self.close_connection = True
                return
            with shop.lock:
                r = shop_api.handle(shop, self.command, path, query,
                                    self.headers, body)
        self.answer(r, lower)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_any

    def answer(self, r, lower):
        shop = self.server.shop
        act = r.action
        if act == "reset":
            self.close_connection = True
            try:
                self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                        struct.pack("ii", 1, 0))
                self.request.close()
            except OSError:
                pass
            return
        code = r.code
        if act == "garbage":
            code, body = 200, GARBAGE
        else:
            body = r.body.encode("utf-8", "surrogateescape")
        ctype = "application/json" if act != "garbage" else \
            "text/html; charset=UTF-8"
        hdrs = [("Date", email.utils.formatdate(usegmt=True)),
                ("Server", "nginx"), ("Content-Type", ctype)]
        for k, v in r.headers:
            if lower and k.startswith(CASED):
                k = k.lower()
            hdrs.append((k, v))
        ae = self.headers.get("Accept-Encoding") or ""
        if shop.cfg["gzip"] and "gzip" in ae and act is None and body:
            body = gzip.compress(body, 1)
            hdrs.append(("Content-Encoding", "gzip"))
        clen = len(body)
        if act == "truncated":
            if r.fault["mode"] == "cut":
                body = body[:max(1, len(body) // 2)]
                clen = len(body)
            else:
                body = body[:len(body) // 2]
            self.close_connection = True
        if self.close_connection:
            hdrs.append(("Connection", "close"))
        head = ["HTTP/1.1 %d %s" % (code, REASONS.get(code, ("",))[0])]
        head += ["%s: %s" % kv for kv in hdrs]
        head.append("Content-Length: %d" % clen)
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        try:
            if self.command == "HEAD":
                self.wfile.write(data)
            elif len(body) < 65536:
                self.wfile.write(data + body)
            else:
                self.wfile.write(data)
                self.wfile.write(body)
        except OSError:
            self.close_connection = True
        if act == "truncated":
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # handshake refusals and peers going away are routine in tests
        if self.shop.args.verbose:
            http.server.ThreadingHTTPServer.handle_error(
                self, request, client_address)


def make_server(shop, cert, key, host="127.0.0.1", port=0):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    srv = Server((host, port), Handler)
    srv.ssl_ctx = ctx
    srv.shop = shop
    return srv


def serve_in_thread(srv):
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    return t
