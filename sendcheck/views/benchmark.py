"""The JSON `benchmark` as rows and lines a person reads: our figure now beside DfE's published
figure for the authority, its region, England and its statistical neighbours, for the first
screen, the markdown, the workbook and `sendcheck figures show`. Unavailable stays "not
available" (DfE's x), never 0 or blank."""

from __future__ import annotations

from sendcheck.figures.benchmark import TWENTY_ALL, TWENTY_EX

NOT_AVAILABLE = "not available"


def share(entry: dict | None) -> str:
    """"7.9% (93 of 1,174)", or "not available (x)" / "(no row)" / "(withheld (<5))"."""
    if entry is None:
        return NOT_AVAILABLE + " (not computed)"
    if entry.get("value") is None:
        why = entry.get("symbol") or entry.get("reason")
        return NOT_AVAILABLE + (f" ({why})" if why else "")
    num, den = entry.get("num"), entry.get("den")
    counts = (f" ({_n(num)} of {_n(den)})" if num is not None and den is not None else "")
    return f"{entry['value']}%{counts}"


def _n(v: object) -> str:
    return f"{v:,}" if isinstance(v, int) else str(v)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def spread(n: dict) -> str:
    """"median 45.0%, range 20.1% to 80.2% (9 of 10; not available: Halton)"."""
    if n["median"] is None:
        return NOT_AVAILABLE
    total = len(n["items"])
    missing = f"; not available: {', '.join(n['not_available'])}" if n["not_available"] else ""
    return (f"median {n['median']}%, range {n['min']}% to {n['max']}% "
            f"({n['available']} of {total}{missing})")


def rank_text(n: dict, now: bool) -> str:
    parts = []
    for key, word in (("rank_published", "published"), ("rank_now", "now")):
        r = n.get(key)
        if key == "rank_now" and not now:
            continue
        parts.append(f"{word} {ordinal(r['rank'])} of {r['of']}" if r else
                     f"{word} {NOT_AVAILABLE}")
    return "; ".join(parts)


def benchmark_rows(b: dict) -> list[list[str]]:
    """Header and rows: what, excluding exceptions, including exceptions, phase transfers."""
    t = b["twenty_weeks"]
    ex, inc, pt = t[TWENTY_EX], t[TWENTY_ALL], b["phase_transfers"]
    name, year = b["authority"]["name"], b["year"]
    now = (ex["ours_now"] or {}).get("period", "")
    rows = [["", "20 weeks, excl. exceptions", "20 weeks, incl. exceptions",
             "phase transfers finalised"]]
    if ex["ours_now"] is not None or pt["ours_now"] is not None:
        rows.append([f"ours now ({now})" if now else "ours now", share(ex["ours_now"]),
                     share(inc["ours_now"]), share(pt["ours_now"])])
    rows += [
        [f"{name}, DfE {year}", share(ex["published"]), share(inc["published"]),
         share(pt["published"])],
        [b["authority"]["region_name"], share(ex["region"]), share(inc["region"]),
         share(pt["region"])],
        ["England", share(ex["england"]), share(inc["england"]), share(pt["england"])],
        ["statistical neighbours", spread(ex["neighbours"]), spread(inc["neighbours"]),
         spread(pt["neighbours"])],
        ["our rank among the 11", rank_text(ex["neighbours"], ex["ours_now"] is not None),
         rank_text(inc["neighbours"], inc["ours_now"] is not None),
         rank_text(pt["neighbours"], pt["ours_now"] is not None)],
    ]
    return rows


def heading(b: dict) -> str:
    a = b["authority"]
    by = f", from {a['source']}" if a.get("source") else ""
    return (f"Beside the rest of England: {a['name']} ({a['old_la_code']}, {a['region_name']}"
            f"{by}); DfE's figures for calendar year {b['year']}")


def source_line(b: dict) -> str:
    return f"Source: {b['release']['attribution']} {b['release']['url']}"


def benchmark_lines(b: dict) -> list[str]:
    """The comparison as plain lines, one block per figure, each line well inside 80 columns."""
    rows = benchmark_rows(b)
    out = [heading(b)]
    for col, title in enumerate(rows[0][1:], start=1):
        out.append(f"  {title}:")
        out += [f"    {r[0]}: {r[col]}" for r in rows[1:]]
    out.append(f"  {PHASE_NOTE}")
    out.append(source_line(b))
    return out


PHASE_NOTE = ("phase transfers: DfE's final_YY per 100 due_YY (derived by sendcheck; DfE "
              "publishes no percentage); ours: amended plan by the reg 18 deadline")
