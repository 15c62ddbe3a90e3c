"""Filters, sorting and paging of collection GETs, as the Shoper webapi
does them: JSON `filters={...}` and bracket `filters[f]=v` /
`filters[f][op]=v`, case-insensitive operators, dotted paths, numeric
strings compared by value, dates compared as naive strings."""

import json
import re

NUM_RE = re.compile(r"^-?\d+(\.\d+)?$")
BRACKET_RE = re.compile(r"^filters\[([^\]]+)\](?:\[([^\]]*)\])?(\[\])?$")
OPS = {"=", "!=", "<>", ">", ">=", "<", "<=", "like", "not like", "in",
       "not in", "eq", "neq", "gt", "gte", "lt", "lte", "not_in"}
ALIAS = {"eq": "=", "neq": "!=", "<>": "!=", "gt": ">", "gte": ">=",
         "lt": "<", "lte": "<=", "not_in": "not in"}


class FilterError(Exception):
    """Answered as 404 invalid_request (unknown field) or 400."""

    def __init__(self, code, desc):
        Exception.__init__(self, desc)
        self.code, self.desc = code, desc


def _scalar(v):
    if v is True:
        return "1"
    if v is False:
        return "0"
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return v
    return json.dumps(v)


def _cmp(a, b):
    """-1/0/1 comparing two scalars; numeric strings by value."""
    if a is None or b is None:
        if a is None and b is None:
            return 0
        return -1 if a is None else 1
    if NUM_RE.match(a) and NUM_RE.match(b):
        fa, fb = float(a), float(b)
    else:
        fa, fb = a, b
    return (fa > fb) - (fa < fb)


def _like(pattern):
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("^" + "".join(out) + "$", re.I | re.S)


def get_path(obj, path):
    for part in path.split("."):
        if isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


class Cond:
    """One condition, with the comparison decided once: numeric when the
    filter value is a number (by value), else as strings (dates too)."""

    def __init__(self, field, op, value):
        self.field, self.op = field, op
        self.dotted = "." in field
        self.num = None
        if op in ("in", "not in"):
            if isinstance(value, str):
                v = value.strip()
                value = json.loads(v) if v.startswith("[") else v.split(",")
            if not isinstance(value, list):
                value = [value]
            self.value = [_scalar(x) for x in value]
        elif op in ("like", "not like"):
            self.value = _like(_scalar(value) or "")
        else:
            self.value = _scalar(value)
            if self.value is not None and NUM_RE.match(self.value):
                self.num = float(self.value)

    def _rel(self, v):
        """v compared with the value: -1/0/1, or None when v is null."""
        if v is None:
            return None
        if self.num is not None:
            try:
                f = float(v)
                return (f > self.num) - (f < self.num)
            except ValueError:
                pass
        s = self.value
        return (v > s) - (v < s)

    def match(self, obj):
        if self.dotted:
            v = _scalar(get_path(obj, self.field))
        else:
            v = obj.get(self.field)
            if v.__class__ is not str:
                v = _scalar(v)
        op = self.op
        if op == "in":
            return any(_cmp(v, x) == 0 for x in self.value)
        if op == "not in":
            return all(_cmp(v, x) != 0 for x in self.value)
        if op == "like":
            return v is not None and bool(self.value.match(v))
        if op == "not like":
            return v is None or not self.value.match(v)
        if self.value is None:
            eq = v is None
            return eq if op == "=" else not eq if op == "!=" else False
        r = self._rel(v)
        if op == "=":
            return r == 0
        if op == "!=":
            return r != 0
        if r is None:
            return False
        if op == ">":
            return r > 0
        if op == ">=":
            return r >= 0
        if op == "<":
            return r < 0
        return r <= 0


def _conds_for(field, spec, known):
    if field.split(".")[0] not in known:
        raise FilterError(404, "Unknown filter field: %s" % field)
    if isinstance(spec, dict):
        out = []
        for op, v in spec.items():
            o = str(op).strip().lower()
            o = re.sub(r"\s+", " ", o)
            o = ALIAS.get(o, o)
            if o not in OPS:
                raise FilterError(400, "Invalid filter operator: %s" % op)
            out.append(Cond(field, o, v))
        return out
    if isinstance(spec, list):
        return [Cond(field, "in", spec)]
    return [Cond(field, "=", spec)]


def parse_filters(params, known):
    """params: list of (key, value) query pairs or a dict from bulk
    params.  Returns a list of Cond and a canonical key for caching."""
    spec = {}
    items = params.items() if isinstance(params, dict) else params
    for k, v in items:
        if k == "filters":
            if isinstance(v, str):
                if v.strip() == "":
                    continue
                try:
                    v = json.loads(v)
                except ValueError:
                    raise FilterError(400, "Invalid filters")
            if isinstance(v, list) and not v:
                continue
            if not isinstance(v, dict):
                raise FilterError(400, "Invalid filters")
            for f, s in v.items():
                spec.setdefault(f, []).append(s)
            continue
        m = BRACKET_RE.match(k)
        if not m:
            continue
        f, op, arr = m.group(1), m.group(2), m.group(3)
        if op is None or op == "":
            spec.setdefault(f, []).append(v)
        else:
            if arr:
                spec.setdefault(f, []).append({op: [v]})
            else:
                spec.setdefault(f, []).append({op: v})
    conds = []
    for f, specs in spec.items():
        merged = {}
        plain = []
        for s in specs:
            if isinstance(s, dict):
                for op, v in s.items():
                    if isinstance(v, list) and op in merged and \
                            isinstance(merged[op], list):
                        merged[op] = merged[op] + v
                    else:
                        merged[op] = v
            else:
                plain.append(s)
        for s in plain:
            conds.extend(_conds_for(f, s, known))
        if merged:
            conds.extend(_conds_for(f, merged, known))
    key = json.dumps(spec, sort_keys=True, default=str)
    return conds, key


def parse_order(params, known):
    """Sort keys [(field, desc)], from order=field asc|desc (several via
    order[]= or commas); a bare field sorts descending (live quirk)."""
    vals = []
    items = params.items() if isinstance(params, dict) else params
    for k, v in items:
        if k in ("order", "order[]"):
            if isinstance(v, list):
                vals.extend(str(x) for x in v)
            else:
                vals.extend(str(v).split(","))
    out = []
    for v in vals:
        parts = v.split()
        if not parts:
            continue
        field = parts[0]
        if field.split(".")[0] not in known:
            raise FilterError(400, "Invalid order field: %s" % field)
        desc = True
        if len(parts) > 1:
            d = parts[1].lower()
            if d not in ("asc", "desc"):
                raise FilterError(400, "Invalid order direction: %s" % v)
            desc = d == "desc"
        out.append((field, desc))
    return out


def sort_key_fn(field):
    def key(o):
        v = _scalar(get_path(o, field))
        if v is None:
            return (0, 0, "")
        if NUM_RE.match(v):
            return (1, float(v), "")
        return (2, 0, v)
    return key


def apply_sort(objs, order, pk):
    objs = sorted(objs, key=lambda o: int(o[pk]))
    for field, desc in reversed(order):
        objs.sort(key=sort_key_fn(field), reverse=desc)
    return objs


def _int(v, default):
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return default


def paging(params):
    """(limit, page, offset) with Shoper's quirks: limit default 10, >50
    or <1 -> 10; page 1-based, 0 -> 1; offset wins when given."""
    p = {}
    items = params.items() if isinstance(params, dict) else params
    for k, v in items:
        p[k] = v
    limit = _int(p.get("limit"), 10)
    if limit < 1 or limit > 50:
        limit = 10
    page = max(1, _int(p.get("page"), 1))
    offset = None
    if "offset" in p:
        offset = max(0, _int(p.get("offset"), 0))
        page = offset // limit + 1
    else:
        offset = (page - 1) * limit
    return limit, page, offset
