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
    return f"{pc(entry['value'])}{counts}"


def pc(value: float) -> str:
    """A published percentage with its one decimal place (DfE writes 32.0 as "32")."""
    return f"{value:.1f}%"


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
    return (f"median {pc(n['median'])}, range {pc(n['min'])} to {pc(n['max'])} "
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
    return (f"{a['name']} ({a['old_la_code']}, {a['region_name']}{by}); DfE's figures for "
            f"calendar year {b['year']}")


def source_line(b: dict) -> str:
    return f"Source: {b['release']['attribution']} {b['release']['url']}"


def benchmark_lines(b: dict) -> list[str]:
    """The comparison as plain lines, one block per figure, each line well inside 80 columns."""
    rows = benchmark_rows(b)
    out = ["Beside the rest of England: " + heading(b)]
    for col, title in enumerate(rows[0][1:], start=1):
        out.append(f"  {title}:")
        out += [f"    {r[0]}: {r[col]}" for r in rows[1:]]
    out.append(f"  {PHASE_NOTE}")
    out.append(source_line(b))
    return out


PHASE_NOTE = ("phase transfers: DfE's final_YY per 100 due_YY (derived by sendcheck; DfE "
              "publishes no percentage); ours: amended plan by the reg 18 deadline")


def reconciliation_lines(b: dict) -> list[str]:
    """The reconciliation with DfE: both figures, the difference, and any finding."""
    r = b.get("reconciliation")
    if not r:
        return []
    name, year = b["authority"]["name"], r["year"]
    e, p = r.get("export"), r.get("published")
    head = f"Reconciliation with DfE, {year} ({name}), by DfE's definition: "
    if e is None:
        return [head + (r["note"] or NOT_AVAILABLE)]
    field, den = "pc_plans_issued_within_20_weeks", "plans_issued_den"

    def side(v: dict | None, symbols: dict) -> str:
        if v is None:
            return NOT_AVAILABLE
        if v[field] is None:
            return f"{NOT_AVAILABLE} ({symbols.get(field, 'x')})"
        return (f"{pc(v[field])} ({_n(v['plans_issued_within_20_weeks'])} of {_n(v[den])} new "
                f"plans)")

    d = (r.get("difference") or {}).get(den)
    diff = (f"; difference {d:+,} plans" if isinstance(d, int) else "")
    out = [head + f"export {side(e, {})}; DfE {side(p, r.get('published_symbols', {}))}{diff}"]
    if r.get("note"):
        out.append(f"  {r['note']}")
    out += [f"  finding: {f['text']}" for f in r["findings"]]
    if not r["findings"] and r.get("complete") and p is not None and not r.get("note"):
        out.append(f"  the export and DfE agree within {r['threshold_plans']} plans")
    return out


def first_screen_lines(b: dict) -> list[str]:
    """A few lines under the 20-week figure: the authority's published figure, region, England,
    the neighbours' median, range and our rank, phase transfers, and the reconciliation."""
    if b.get("authority") is None:
        return [f"  {b['note']}"]
    t = b["twenty_weeks"]
    ex, inc, pt = t[TWENTY_EX], t[TWENTY_ALL], b["phase_transfers"]
    a, year = b["authority"], b["year"]
    n = ex["neighbours"]
    out = [
        f"Beside the rest of England ({a['name']}, {a['old_la_code']}; DfE {year}, excluding "
        f"exceptions):",
        f"  {a['name']} published {share(ex['published'])} (including exceptions "
        f"{share(inc['published'])}); {a['region_name']} {share(ex['region'])}; "
        f"England {share(ex['england'])}",
        f"  10 statistical neighbours: {spread(n)}; rank among the 11: "
        f"{rank_text(n, ex['ours_now'] is not None)}",
        f"  phase transfers finalised per 100 due (DfE's counts): {a['name']} "
        f"{share(pt['published'])}; {a['region_name']} {share(pt['region'])}; England "
        f"{share(pt['england'])}; neighbours {spread(pt['neighbours'])}"
        + (f"; ours now by the deadline {share(pt['ours_now'])}" if pt["ours_now"] else ""),
    ]
    return out + reconciliation_lines(b)


def markdown_section(b: dict, cell) -> list[str]:
    """`## Beside the rest of England`: the comparison as a table, the reconciliation, the
    source with the licence's attribution. `cell` escapes text for a Markdown table."""
    if b.get("authority") is None:  # one bullet under "At a glance"
        return []  # the board paper stays short; the first screen says how to set one
    rows = benchmark_rows(b)
    out = ["", f"## Beside the rest of England: {cell(heading(b))}", ""]
    out.append("| " + " | ".join(cell(h) or "Figure" for h in rows[0]) + " |")
    out.append("|" + "---|" * len(rows[0]))
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows[1:]]
    out += [""] + [f"- {cell(line.strip())}" for line in reconciliation_lines(b)]
    out += ["", f"_{cell(PHASE_NOTE)}. {cell(source_line(b))}._"]
    return out


def chart_rows(b: dict, field: str = TWENTY_EX) -> list[dict]:
    """The eleven (and ours now) for a chart, highest first, unavailable last: name, value,
    whether it is ours, and the counts. A chart draws only the available ones (never an x as 0)."""
    t = b["twenty_weeks"][field]
    name = b["authority"]["name"]
    rows = [{"name": f"{n['name']} (DfE {b['year']})", "value": n["value"], "ours": False,
             "num": n["num"], "den": n["den"], "symbol": n["symbol"]}
            for n in t["neighbours"]["items"]]
    own = t["published"]
    rows.append({"name": f"{name} (DfE {b['year']})", "value": own["value"], "ours": True,
                 "num": own["num"], "den": own["den"], "symbol": own["symbol"]})
    now = t["ours_now"]
    if now is not None:
        rows.append({"name": f"{name}, ours now", "value": now["value"], "ours": True,
                     "num": now["num"], "den": now["den"], "symbol": now.get("reason")})
    return sorted(rows, key=lambda r: (r["value"] is None, -(r["value"] or 0), r["name"]))


def workbook_section(grid, b: dict) -> tuple[int, int] | None:
    """The Summary's "Beside the rest of England" tables on `grid` (views/xlsx.Grid): the
    comparison, the reconciliation, and the neighbours' figures the chart reads. Returns the
    chart's rows (header, last available), or None."""
    from sendcheck.views.xlsx import pct

    if b.get("authority") is None:  # the first screen says how to set one
        return None
    grid.add("Beside the rest of England: " + heading(b), bold=True, span=True)
    rows = benchmark_rows(b)
    grid.add(*(h or "Figure" for h in rows[0]), header=True)
    for r in rows[1:]:
        grid.add(*r)
    for line in reconciliation_lines(b):
        grid.add(line.strip(), span=True)
    grid.add(PHASE_NOTE + ".", span=True)
    grid.add(source_line(b), span=True)
    grid.gap()
    grid.add("Statistical neighbours: new plans within 20 weeks, excluding exceptions; ours "
             "marked", bold=True, span=True)
    first = grid.add("Authority", "Neighbours", "Ours", "Within 20 weeks", "Plans issued",
                     header=True)
    last = first
    for r in chart_rows(b):
        value = pct(r["value"]) if r["value"] is not None else (
            f"{NOT_AVAILABLE} ({r['symbol']})" if r["symbol"] else NOT_AVAILABLE)
        at = grid.add(r["name"], None if r["ours"] else value, value if r["ours"] else None,
                      r["num"], r["den"])
        last = at if r["value"] is not None else last
    return (first, last) if last > first else None


def neighbours_chart(ws, first: int, last: int):
    """A bar chart of the neighbours' 20-week figures with ours in its own colour (the Ours
    column), from the rows workbook_section wrote."""
    from sendcheck.views.xlsx import bar_chart

    chart = bar_chart(ws, "New plans within 20 weeks (excluding exceptions): statistical "
                      "neighbours", (2, 3), first, last, horizontal=True, height=9)
    chart.overlap = 100
    chart.x_axis.scaling.orientation = "maxMin"  # highest at the top, as the table lists them
    chart.y_axis.number_format = "0%"
    return chart
