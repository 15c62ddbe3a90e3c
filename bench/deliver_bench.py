#!/usr/bin/python3
"""Delivery benchmark driver (python3 stdlib only). See deliver-bench.sh.

  deliver_bench.py data-version   version of gen-data's output
  deliver_bench.py gen-data ORDERS ADDRS SHOPS SQLITE TSV > orders.jsonl
        deterministic orders as JSON lines (for make-test-index) and the same
        orders in an SQLite file and a TSV file (unsorted) for the
        extprograms lookup programs
  deliver_bench.py run MESSAGES ROUNDS CLIENTS ADDRS NAME=MASTERPID:DIR ...
        delivers the same message stream to every setup over concurrent LMTP
        connections (DIR/run/lmtp), ROUNDS times, setups interleaved (order
        rotated every round); CPU = utime+stime(+reaped children) of the
        instance's master and all its descendants; prints a markdown table
"""
import os
import shutil
import sqlite3
import statistics
import sys
import threading
import time

# bump when gen_data's output changes (deliver-bench.sh regenerates the data)
DATA_VERSION = 1
DOMAINS = ["gmail.com", "wp.pl", "onet.pl", "o2.pl", "interia.pl",
           "example.com"]
# (status_id, name, type); type names as in X-Shoper-Order-Status-Type
STATUSES = [("1", "Złożone", 1), ("2", "Przyjęte do realizacji", 2),
            ("3", "Oczekuje na płatność", 2), ("4", "Wysłane", 3),
            ("5", "Zrealizowane", 3), ("6", "Anulowane", 4),
            ("7", "Zwrot", 4), ("8", "Nowe", 1)]
NAMES = ["Jan Kowalski", "Anna Nowak", "Piotr Wiśniewski", "Ewa Wójcik",
         "Tomasz Kamiński", "Maria Lewandowska"]
TYPES = {1: "new", 2: "in-progress", 3: "closed", 4: "not-completed"}
FOLDERS = ["Orders.New", "Orders.In-progress", "Orders.Closed",
           "Orders.Not-completed"]


def email_of(a):
    return "Klient.%d.Nazwisko@%s" % (a, DOMAINS[a % 6])


def date_of(i):
    # distinct for distinct i (37 is coprime with 10**6): no ties in "newest"
    m = (i * 37) % 1000000
    d, m = divmod(m, 1440)
    return "20%02d-%02d-%02d %02d:%02d:00" % (
        24 + d // 336, 1 + (d // 28) % 12, 1 + d % 28, m // 60, m % 60)


def gen_data(orders, addrs, shops, sqlite_path, tsv_path):
    out = sys.stdout
    tsv = open(tsv_path, "w", encoding="utf-8")
    if os.path.exists(sqlite_path):
        os.unlink(sqlite_path)
    db = sqlite3.connect(sqlite_path)
    db.execute("CREATE TABLE orders (email TEXT, shop TEXT, order_id TEXT, "
               "date TEXT, status_name TEXT, status_type INTEGER)")
    rows = []
    for i in range(orders):
        a = i % addrs
        shop = "sklep%d" % (1 + (i // addrs) % shops)
        oid = str(10000 + i)
        st = STATUSES[(i * 7 + i // 3) % len(STATUSES)]
        date = date_of(i)
        email = email_of(a)
        out.write(
            '{"shop":"%s","order_id":"%s","date":"%s","status_id":"%s",'
            '"status_name":"%s","status_type":%d,"total":"%d.%02d",'
            '"currency":"PLN","paid":%s,"tracking":"00812%09d",'
            '"customer":"%s","email":"%s",'
            '"url":"https://%s.example.pl/admin/orders/view/id/%s",'
            '"synced":"2026-11-29 10:15:00"}\n'
            % (shop, oid, date, st[0], st[1], st[2], 10 + i % 990, i % 100,
               "true" if i % 3 else "false", i, NAMES[a % len(NAMES)],
               email, shop, oid))
        rows.append((email.lower(), shop, oid, date, st[1], st[2]))
        tsv.write("%s\t%s\t%s\t%s\t%s\t%s\n" % (
            email.lower(), date, shop, oid, st[1], TYPES[st[2]]))
        if len(rows) >= 50000:
            db.executemany("INSERT INTO orders VALUES (?,?,?,?,?,?)", rows)
            rows = []
    db.executemany("INSERT INTO orders VALUES (?,?,?,?,?,?)", rows)
    db.execute("CREATE INDEX orders_email ON orders (email, date)")
    db.commit()
    db.close()
    tsv.close()
    out.flush()


def message(i, addrs):
    """Message i of the stream: (envelope sender, recipient index, bytes).
    Even i: a customer with orders; odd i: a sender not in the index."""
    k = (i * 7919) % addrs
    sender = email_of(k) if i % 2 == 0 else "nobody.%d@example.net" % k
    lines = ["From: Klient <%s>" % sender,
             "To: Sklep <support@bench.example>",
             "Subject: Pytanie o dostawę",
             "Message-ID: <bench-%d@bench.example>" % i,
             "Date: Sat, 29 Nov 2026 10:00:00 +0100",
             "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=utf-8",
             "Content-Transfer-Encoding: 8bit", ""]
    para = ("Dzień dobry, piszę w sprawie mojej przesyłki numer %d. "
            "Czy mogą Państwo sprawdzić, kiedy zostanie wysłana? "
            "Z góry dziękuję za odpowiedź i pozdrawiam serdecznie." % i)
    for _ in range(24):  # ~3.5 KB
        lines.append(para[:76])
        lines.append(para[76:])
    lines.append(".leading dot line (dot-stuffed)")
    body = "\r\n".join(lines) + "\r\n"
    body = body.replace("\r\n.", "\r\n..")
    return sender, body.encode("utf-8")


class Lmtp:
    def __init__(self, path):
        import socket
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.sock.settimeout(120)
        self.buf = b""
        self.reply()
        self.cmd(b"LHLO bench.example")

    def reply(self):
        while True:
            while b"\r\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise EOFError("LMTP connection closed")
                self.buf += data
            line, self.buf = self.buf.split(b"\r\n", 1)
            if line[3:4] != b"-":
                return int(line[:3]), line

    def cmd(self, text):
        self.sock.sendall(text + b"\r\n")
        return self.reply()

    def deliver(self, sender, rcpt, data):
        for c, want in ((b"MAIL FROM:<%s>" % sender.encode(), 250),
                        (b"RCPT TO:<%s>" % rcpt.encode(), 250),
                        (b"DATA", 354)):
            code, line = self.cmd(c)
            if code != want:
                raise RuntimeError("%s -> %s" % (c, line))
        self.sock.sendall(data + b".\r\n")
        code, line = self.reply()
        if code != 250:
            raise RuntimeError("delivery: %s" % line)

    def close(self):
        try:
            self.cmd(b"QUIT")
        except (OSError, EOFError):
            pass  # the round's result is checked in the mailboxes
        self.sock.close()


def clk():
    return os.sysconf("SC_CLK_TCK")


def instance_cpu(master):
    """CPU seconds of master and all its live descendants, with the
    children they reaped (lmtp reaps the extprograms lookups)."""
    stats = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                s = f.read()
        except OSError:
            continue
        fields = s[s.rindex(")") + 2:].split()
        # fields[1]=ppid, [11..14]=utime stime cutime cstime
        stats[int(p)] = (int(fields[1]),
                         sum(int(x) for x in fields[11:15]))
    total, todo = 0, [master]
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total / clk()


def count_dir(d):
    n = 0
    for sub in ("new", "cur"):
        try:
            n += len(os.listdir(os.path.join(d, sub)))
        except FileNotFoundError:
            pass
    return n


def reset_mail(d):
    mail = os.path.join(d, "mail")
    for u in os.listdir(mail):
        shutil.rmtree(os.path.join(mail, u))


def mail_counts(d, clients):
    total, filed = 0, [0] * len(FOLDERS)
    for u in range(clients):
        md = os.path.join(d, "mail", "u%d" % u, "Maildir")
        total += count_dir(md)
        for k, f in enumerate(FOLDERS):
            n = count_dir(os.path.join(md, "." + f))
            filed[k] += n
            total += n
    return total, tuple(filed)


def one_round(setup, msgs, clients):
    name, master, d = setup
    reset_mail(d)
    sock = os.path.join(d, "run", "lmtp")
    conns = [Lmtp(sock) for _ in range(clients)]
    errors = []

    def work(c):
        try:
            for i in range(c, len(msgs), clients):
                conns[c].deliver(msgs[i][0], "u%d@bench.example" % c,
                                 msgs[i][1])
        except Exception as e:  # reported after the round
            errors.append("%s client %d: %s" % (name, c, e))

    threads = [threading.Thread(target=work, args=(c,))
               for c in range(clients)]
    cpu0 = instance_cpu(master)
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    cpu = instance_cpu(master) - cpu0
    for c in conns:
        c.close()
    if errors:
        raise SystemExit("\n".join(errors))
    stored, filed = mail_counts(d, clients)
    if stored != len(msgs):
        raise SystemExit("%s: %d of %d messages stored"
                         % (name, stored, len(msgs)))
    return len(msgs) / wall, cpu * 1000.0 / len(msgs), filed


def run(n, rounds, clients, addrs, specs):
    setups = []
    for s in specs:
        name, rest = s.split("=", 1)
        pid, d, count = rest.split(":", 2)
        setups.append((name, int(pid), d, min(n, int(count))))
    msgs = [message(i, addrs) for i in range(n)]
    # warm-up: start processes, compile Sieve scripts; the same messages
    # for every setup, so their filing can be compared
    warm = msgs[:max(clients * 20, 200)]
    agree = {}
    for s in setups:
        agree[s[0]] = one_round(s[:3], warm, clients)[2]
    res = {s[0]: [] for s in setups}
    for r in range(rounds):
        k = r % len(setups)  # rotate: a b c, b c a, c a b, ...
        for s in setups[k:] + setups[:k]:
            rate, cpu, filed = one_round(s[:3], msgs[:s[3]], clients)
            res[s[0]].append((rate, cpu, filed, s[3]))
            print("# round %d %s: %.1f msg/s, %.3f CPU ms/msg, filed %s"
                  % (r + 1, s[0], rate, cpu, filed), file=sys.stderr,
                  flush=True)
    report(res, rounds, clients, agree, len(warm))


def report(res, rounds, clients, agree, n_warm):
    med = {}
    for name, rows in res.items():
        med[name] = (statistics.median(r[0] for r in rows),
                     statistics.median(r[1] for r in rows))
    labels = {"a": "(a) Sieve, no plugin",
              "b": "(b) Sieve + plugin, 1M-order index",
              "n": "(n) control: (b) with no shop in scope",
              "h": "(h) control: (b) with a script that never files",
              "c": "(c) Sieve + extprograms lookup (%s)"
              % os.environ.get("BENCH_LOOKUP", "sh")}
    print("%s messages x %d rounds, %d LMTP clients; medians (rounds)"
          % ("/".join("%s %d" % (k, res[k][0][3]) for k in sorted(res)),
             rounds, clients))
    print()
    print("| metric | value | target |\n|---|---|---|")
    for name in sorted(res):
        rows = res[name]
        print("| %s: msg/s | **%.1f** (%s) | |" % (
            labels.get(name, name), med[name][0],
            " ".join("%.1f" % r[0] for r in rows)))
        print("| %s: CPU ms/msg | **%.3f** (%s) | |" % (
            labels.get(name, name), med[name][1],
            " ".join("%.3f" % r[1] for r in rows)))
        print("| %s: filed by status | %d of %d | %s |" % (
            labels.get(name, name), sum(rows[-1][2]), rows[-1][3],
            "half" if name in "bc" else "0"))
    if not all(k in med for k in "abc"):
        return
    a, b, c = med["a"], med["b"], med["c"]
    same = agree["b"] == agree["c"] and all(
        r[2] == res[k][0][2] for k in "bc" for r in res[k])
    print("| (b) and (c) file the first %d messages alike | %s | yes |"
          % (n_warm, "yes" if same else "**NO**"))
    print("| throughput (b)/(a) | **%.3f** | >= 0.98 |" % (b[0] / a[0]))
    wall_b = 1000.0 / b[0] - 1000.0 / a[0]
    wall_c = 1000.0 / c[0] - 1000.0 / a[0]
    cpu_b, cpu_c = b[1] - a[1], c[1] - a[1]
    print("| extra wall ms/msg (b) / (c) | %.3f / %.3f | |" % (wall_b, wall_c))
    print("| extra CPU ms/msg (b) / (c) | %.3f / %.3f | |" % (cpu_b, cpu_c))
    for what, xb, xc in (("CPU", cpu_b, cpu_c), ("wall", wall_b, wall_c)):
        if xb > 0:
            v = "**%.0f x**" % (xc / xb)
        else:
            v = "**inf** ((b) within noise of (a))"
        print("| extra-cost (c)/(b), %s | %s | >= 10 x |" % (what, v))


def main(argv):
    if argv == ["data-version"]:
        print(DATA_VERSION)
        return 0
    if len(argv) == 6 and argv[0] == "gen-data":
        gen_data(int(argv[1]), int(argv[2]), int(argv[3]), argv[4], argv[5])
        return 0
    if len(argv) >= 6 and argv[0] == "run":
        run(int(argv[1]), int(argv[2]), int(argv[3]), int(argv[4]),
            argv[5:])
        return 0
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
