"""The HTML report (`audit --format html`): one self-contained page a manager opens from a shared
drive or an e-mail. Inline CSS, inline SVG charts and a little inline script; nothing fetched
(a Content-Security-Policy forbids it), every value HTML-escaped.

The page renders the JSON report's own dict (views.report.to_json_dict), so every figure a
person reads is the JSON's. Markup is built only through `el` and `Safe`: text reaches the page
escaped (html.escape, quote=True) unless it is markup this module made.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from sendcheck import __version__
from sendcheck.audit import Audit
from sendcheck.figures.caseload import UNALLOCATED
from sendcheck.history.notes import counts_line
from sendcheck.views.benchmark import PHASE_NOTE, benchmark_rows, chart_rows, pc
from sendcheck.views.benchmark import heading as bench_heading
from sendcheck.views.benchmark import reconciliation_lines
from sendcheck.views.breakdowns import HEADERS as BREAKDOWN_HEADERS
from sendcheck.views.breakdowns import breakdown_lines, breakdown_rows
from sendcheck.views.breakdowns import title as breakdown_title
from sendcheck.views.findings import GUIDANCE, coverage_lines, duty, listed
from sendcheck.views.summary import NOT_AVAILABLE

FORECAST_KEY = "forecast_20w"
TWENTY = "final_plan_20w"
TWENTY_FIELD = "pc_plans_issued_20_weeks_ex"


class Safe(str):
    """Markup made here (already escaped)."""


def esc(value: object) -> Safe:
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


VOID = ("meta", "input", "br")
SVG_EMPTY = ("rect", "line", "circle", "polyline", "path", "polygon")


def el(tag: str, /, *children: object, **attrs: object) -> Safe:
    """<name attrs>children</name>; attribute names take `_` for `-` and a trailing `_` for
    Python keywords (class_); True is a bare attribute, None or False leaves it out."""
    parts = [tag]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        key = key.rstrip("_").replace("_", "-")
        parts.append(key if value is True else f'{key}="{esc(value)}"')
    body = "".join(esc(c) for c in children)
    if tag in VOID:
        return Safe(f"<{' '.join(parts)}>")
    if tag in SVG_EMPTY:
        return Safe(f"<{' '.join(parts)}/>")
    return Safe(f"<{' '.join(parts)}>{body}</{tag}>")


def join(items: Iterable[object]) -> Safe:
    return Safe("".join(esc(i) for i in items))


def _pc(v: object) -> str:
    return f"{v}%" if isinstance(v, (int, float)) and not isinstance(v, bool) else (
        "-" if v is None else str(v))


def _num(v: object) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def table(headers: list[str], rows: list[list[object]], *, caption: str | None = None,
          id: str | None = None, sortable: bool = False, numeric: Iterable[int] = (),
          row_headers: bool = False, body_html: Safe | None = None) -> Safe:
    """A real table: a caption, th scope=col headers, and th scope=row for the first cell when
    `row_headers`. Numeric columns carry data-sort so the script sorts them as numbers.
    `body_html`: the rows already made (by `rows_html`), in place of `rows`."""
    nums = set(numeric)
    head = el("thead", el("tr", join(el("th", h, scope="col", class_="num" if i in nums else None)
                                     for i, h in enumerate(headers))))
    body = []
    for r in rows:
        cells = []
        for i, v in enumerate(r):
            if i == 0 and row_headers:
                cells.append(el("th", v, scope="row"))
            elif i in nums:
                cells.append(el("td", v, class_="num",
                                data_sort=v if _num(v) is not None else None))
            else:
                cells.append(el("td", v))
        body.append(el("tr", join(cells)))
    tbody = el("tbody", body_html if body_html is not None else join(body))
    return el("table", el("caption", caption) if caption else "", head, tbody,
              id=id, class_="sortable" if sortable else None)


# ---------------------------------------------------------------- SVG charts

OVERDUE, DUE_SOON, BAR, BAND, ENGLAND, ABOVE = (
    "#a4262c", "#9a6700", "#3b6ea5", "#7a9cc6", "#222222", "#a4262c")
PATTERNS = el("defs", el(
    "pattern", el("rect", width=6, height=6, fill="#ffffff"),
    el("path", d="M0,6 L6,0", stroke=DUE_SOON, stroke_width=2),
    id="hatch", width=6, height=6, patternUnits="userSpaceOnUse"), el(
    "pattern", el("rect", width=8, height=8, fill="#e8eef6"),
    el("path", d="M0,8 L8,0", stroke=BAND, stroke_width=1),
    id="band", width=8, height=8, patternUnits="userSpaceOnUse"))


CHART_FONT_PX, LABEL_MIN_PX = 12, 10  # the charts' text size (CSS .chart), and the least shown


def svg(width: int, height: int, label: str, desc: str, *body: object, id: str) -> Safe:
    """An inline chart with its text alternative: role=img, aria-labelledby the title and
    desc (the figures themselves are in the table that follows each chart)."""
    # Never narrower than keeps its 12 px labels at 10 px or more: on a phone the chart scrolls
    # sideways in its box rather than shrink its words to 5 px.
    chart = el("svg", el("title", label, id=f"{id}-title"), el("desc", desc, id=f"{id}-desc"),
               PATTERNS, *body, xmlns="http://www.w3.org/2000/svg", role="img",
               viewBox=f"0 0 {width} {height}", width=width, height=height,
               aria_labelledby=f"{id}-title {id}-desc", class_="chart", id=id,
               style=f"min-width:{-(-width * LABEL_MIN_PX // CHART_FONT_PX)}px")
    return el("div", chart, class_="scroll")


def text(x: float, y: float, content: object, **attrs: object) -> Safe:
    return el("text", content, x=round(x, 1), y=round(y, 1), **attrs)


def rules_chart(rows: list[tuple[str, int, int]]) -> Safe:
    """Overdue (solid) and due soon (hatched) findings per rule, each bar labelled with its
    count: the pattern and the label, not the colour alone, tell them apart."""
    left, width = 70, 660
    row_h = 34 if len(rows) <= 16 else 28  # a long rule list stays on fewer screens
    top = 34
    height = top + row_h * max(len(rows), 1) + 10
    peak = max([max(o, d) for _, o, d in rows] + [1])
    scale = (width - left - 60) / peak
    body = [
        el("rect", x=left, y=8, width=14, height=12, fill=OVERDUE),
        text(left + 20, 18, "overdue (solid)"),
        el("rect", x=left + 150, y=8, width=14, height=12, fill="url(#hatch)", stroke=DUE_SOON),
        text(left + 170, 18, "due soon (hatched)"),
    ]
    for i, (rule, over, soon) in enumerate(rows):
        y = top + i * row_h
        body.append(text(left - 8, y + 17, rule, text_anchor="end", class_="label"))
        for j, (n, fill) in enumerate(((over, OVERDUE), (soon, "url(#hatch)"))):
            yy = y + 2 + j * 14
            w = max(n * scale, 1 if n else 0)
            body.append(el("rect", x=left, y=yy, width=round(w, 1), height=12, fill=fill,
                           stroke=DUE_SOON if j else None))
            body.append(text(left + w + 4, yy + 10, n, class_="value"))
    desc = "; ".join(f"{r}: {o} overdue, {d} due soon" for r, o, d in rows) or "no findings"
    return svg(width, height, "Overdue and due soon, by rule", desc, *body, id="chart-rules")


@dataclass(frozen=True)
class Variant:
    """Which 20-week figure the charts and cards read: excluding exceptions (DfE's headline)
    where the export records exceptions, else including; with its field names."""

    key: str  # the forecast's variant
    suffix: str  # of the forecast's month and year-to-date fields
    words: str
    den: str  # the trend's denominator and percentage
    pc: str

    @classmethod
    def of(cls, forecast: dict | None) -> Variant:
        if forecast is None or forecast.get("excluding") or not forecast.get("available"):
            return cls("excluding", "_ex", "excluding exceptions", "plans_issued_den_ex",
                       TWENTY_FIELD)
        return cls("including", "", "including exceptions", "plans_issued_den",
                   "pc_plans_issued_within_20_weeks")


def _y(v: float, top: int, h: int) -> float:
    return top + h - h * max(0.0, min(v, 100.0)) / 100


def monthly_chart(months: list[dict], forecast: dict | None, england: tuple[str, float] | None,
                  year: int) -> Safe:
    """The 20-week figure (excluding exceptions) for each month of the year so far (bars), the
    year to date (solid line), the forecast range to 31 December (hatched band between the best
    and the worst, dashed edges) and England's latest figure (dotted line)."""
    left, top, w, h = 50, 40, 600, 220
    slot = w / 12
    var = Variant.of(forecast)
    body = [text(left, 16, "bars: month's own figure; solid line: year to date; hatched band: "
                 "best to worst by month end; dotted: England", class_="label")]
    right: list[tuple[float, str]] = []  # labels right of the plot, kept apart
    for tick in (0, 25, 50, 75, 100):
        y = _y(tick, top, h)
        body.append(el("line", x1=left, x2=left + w, y1=y, y2=y, stroke="#dddddd"))
        body.append(text(left - 6, y + 4, f"{tick}%", text_anchor="end", class_="label"))
    by_month = {m["month"]: m for m in months}
    labels = "JFMAMJJASOND"
    for i in range(12):
        key = f"{year}-{i + 1:02d}"
        x = left + i * slot
        body.append(text(x + slot / 2, top + h + 16, labels[i], text_anchor="middle",
                         class_="label"))
        v = _num(by_month.get(key, {}).get(var.pc))
        if v is not None:
            y = _y(v, top, h)
            body.append(el("rect", x=round(x + slot * 0.2, 1), y=round(y, 1),
                           width=round(slot * 0.6, 1), height=round(top + h - y, 1), fill=BAR,
                           opacity=0.45))
    if forecast and forecast.get("available"):
        # Year-to-date and forecast figures are cumulative to a day: drawn at that day.
        def at(day: str) -> float:
            d = dt.date.fromisoformat(day)
            return left + slot * (d.month - 1 + d.day / calendar.monthrange(d.year, d.month)[1])

        pts = [(at(m["end"]), _y(v, top, h)) for m in forecast["year_to_date"]
               if (v := _num(m["pc" + var.suffix])) is not None]
        if pts:
            body.append(el("polyline", points=" ".join(f"{x:.1f},{y:.1f}" for x, y in pts),
                           fill="none", stroke=ENGLAND, stroke_width=2.5))
            body += [el("circle", cx=round(x, 1), cy=round(y, 1), r=3, fill=ENGLAND)
                     for x, y in pts]
        fut = [(at(m["end"]), b, wv) for m in forecast["months"]
               if (b := _num(m["pc_best" + var.suffix])) is not None
               and (wv := _num(m["pc_worst" + var.suffix])) is not None]
        if fut:
            best = [(x, _y(b, top, h)) for x, b, _ in fut]
            worst = [(x, _y(wv, top, h)) for x, _, wv in fut]
            ring = best + worst[::-1]
            body.append(el("polygon", points=" ".join(f"{x:.1f},{y:.1f}" for x, y in ring),
                           fill="url(#band)", stroke="none"))
            for line, name, value in ((best, "best", fut[-1][1]), (worst, "worst", fut[-1][2])):
                body.append(el("polyline", points=" ".join(f"{x:.1f},{y:.1f}" for x, y in line),
                               fill="none", stroke=BAR, stroke_width=1.5,
                               stroke_dasharray="5 3"))
                right.append((line[-1][1], f"{name} {_pc(value)}"))
    if england:
        name, value = england
        y = _y(value, top, h)
        body.append(el("line", x1=left, x2=left + w, y1=y, y2=y, stroke=ENGLAND,
                       stroke_dasharray="2 3", stroke_width=1.5))
        right.append((y, f"{name} {value}%"))
    body += [text(left + w + 6, y + 4, label, class_="value") for y, label in spread(right, 14)]
    desc = _monthly_desc(months, forecast, england, year)
    return svg(left + w + 160, top + h + 30, f"20-week figure by month, {year}, with the forecast "
               f"to 31 December", desc, *body, id="chart-monthly")


def spread(labels: list[tuple[float, str]], gap: float) -> list[tuple[float, str]]:
    """Labels at their y positions, pushed down where two would overlap."""
    out: list[tuple[float, str]] = []
    for y, label in sorted(labels):
        if out and y - out[-1][0] < gap:
            y = out[-1][0] + gap
        out.append((y, label))
    return out


def _monthly_desc(months: list[dict], forecast: dict | None, england: tuple[str, float] | None,
                  year: int) -> str:
    var = Variant.of(forecast)
    shown = [f"{m['month']}: {_pc(m.get(var.pc))}" for m in months]
    out = f"Monthly figure {var.words}, {year}: " + (", ".join(shown) or "none")
    if forecast and forecast.get("available") and forecast["months"]:
        last = forecast["months"][-1]
        out += (f". By 31 December: best {_pc(last['pc_best' + var.suffix])}, worst "
                f"{_pc(last['pc_worst' + var.suffix])}")
    if england:
        out += f". {england[0]}: {england[1]}%"
    return out


def benchmark_chart(title: str, rows: list[tuple[str, object]], benchmark: int, id: str) -> Safe:
    """One bar per caseworker against a benchmark line; a bar above it is darker and labelled
    "above" (words, not colour alone)."""
    left, width, row_h, top = 150, 620, 22, 30
    values = [_num(v) for _, v in rows]
    peak = max([v for v in values if v is not None] + [benchmark * 1.15, 1])
    scale = (width - left - 90) / peak
    height = top + row_h * max(len(rows), 1) + 10
    body = []
    bx = left + benchmark * scale
    for i, ((name, v), n) in enumerate(zip(rows, values)):
        y = top + i * row_h
        body.append(text(left - 8, y + 14, name, text_anchor="end", class_="label"))
        if n is None:
            body.append(text(left + 4, y + 14, v, class_="value"))
            continue
        above = n > benchmark
        body.append(el("rect", x=left, y=y + 3, width=round(max(n * scale, 1 if n else 0), 1),
                       height=14, fill=ABOVE if above else BAR))
        body.append(text(left + n * scale + 4, y + 14,
                         f"{v} (over {benchmark})" if above else v, class_="value"))
    body.append(el("line", x1=round(bx, 1), x2=round(bx, 1), y1=top - 6, y2=height - 4,
                   stroke=ENGLAND, stroke_dasharray="4 3", stroke_width=1.5))
    body.append(text(bx, top - 10, f"benchmark {benchmark}", text_anchor="middle",
                     class_="value"))
    over = [name for (name, _), n in zip(rows, values) if n is not None and n > benchmark]
    desc = (f"benchmark {benchmark}; above it: {', '.join(over) if over else 'nobody'}; "
            + "; ".join(f"{name} {v}" for name, v in rows))
    return svg(width, height, title, desc, *body, id=id)


def history_chart(runs: list[dict]) -> Safe:
    """Overdue (solid) and due soon (dashed) on each run in the history, oldest first."""
    left, top, w, h = 50, 30, 600, 180
    peak = max([_num(r.get(k)) or 0 for r in runs for k in ("overdue", "due_soon")] + [1])
    step = w / max(len(runs) - 1, 1)
    body = []
    for tick in (0, 0.5, 1):
        y = top + h - h * tick
        body.append(el("line", x1=left, x2=left + w, y1=y, y2=y, stroke="#dddddd"))
        body.append(text(left - 6, y + 4, round(peak * tick), text_anchor="end", class_="label"))
    for key, dash, fill in (("overdue", None, OVERDUE), ("due_soon", "6 4", DUE_SOON)):
        pts = [(left + i * step, top + h - h * (_num(r.get(key)) or 0) / peak)
               for i, r in enumerate(runs)]
        body.append(el("polyline", points=" ".join(f"{x:.1f},{y:.1f}" for x, y in pts),
                       fill="none", stroke=fill, stroke_width=2, stroke_dasharray=dash))
        body.append(text(pts[-1][0] + 6, pts[-1][1] + 4,
                         f"{key.replace('_', ' ')} {runs[-1].get(key)}", class_="value"))
    if runs:
        body.append(text(left, top + h + 16, runs[0]["as_of"], class_="label"))
        body.append(text(left + w, top + h + 16, runs[-1]["as_of"], text_anchor="end",
                         class_="label"))
    desc = "; ".join(f"{r['as_of']}: {r.get('overdue')} overdue, {r.get('due_soon')} due soon"
                     for r in runs)
    return svg(left + w + 110, top + h + 26, "Overdue and due soon over the run history", desc,
               *body, id="chart-history")


# ---------------------------------------------------------------- page

CSS = """
:root{--ink:#1b1b1b;--muted:#555;--line:#c8c8c8;--accent:#3b6ea5;--bad:#a4262c}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);
margin:0 auto;max-width:1180px;padding:20px 28px 40px}
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.25em;margin:1.6em 0 .5em;
border-bottom:2px solid var(--accent);padding-bottom:.15em}h3{font-size:1.05em;margin:1.2em 0 .4em}
.meta{color:var(--muted);margin:.2em 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));gap:12px;margin:0}
.card{border:1px solid var(--line);border-left:5px solid var(--accent);padding:10px 14px;margin:0}
.card.bad{border-left-color:var(--bad)}.card dt{font-weight:600;color:var(--muted)}
.card dd{margin:0}.big{font-size:1.9em;font-weight:700;line-height:1.15}
.small{font-size:.88em;color:var(--muted)}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.9em}
caption{text-align:left;font-weight:600;padding:.2em 0}
th,td{border:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top}
td{white-space:nowrap}td:last-child{white-space:normal}.pair td{white-space:normal}
thead th{background:#eef2f7}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tbody th{font-weight:600}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;
color:inherit;text-align:inherit}th button::after{content:" \\2195";color:var(--muted)}
th[aria-sort=ascending] button::after{content:" \\2191"}
th[aria-sort=descending] button::after{content:" \\2193"}
.filter{margin:.4em 0}.filter input{font:inherit;padding:3px 6px;width:22em}
.chart{max-width:100%;height:auto;font-size:12px}.chart .label{fill:#333}
.chart .value{fill:#111;font-weight:600}
figure{margin:0 0 1.2em}.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);
gap:24px;align-items:start}.pair.even{grid-template-columns:1fr 1fr}
@media (max-width:900px){.pair,.pair.even{grid-template-columns:1fr}}
figcaption{font-weight:600;margin-bottom:.3em}
.scroll{overflow-x:auto}
.lines{margin:.3em 0;padding-left:1.2em}
footer{margin-top:2em;color:var(--muted);font-size:.85em}
@media print{
body{max-width:none;padding:0;font-size:10.5pt}
.filter,th button::after{display:none}th button{cursor:auto}
h2{break-before:auto;break-after:avoid}figure,.card,tr{break-inside:avoid}
thead{display:table-header-group}.scroll{overflow:visible}
a{color:inherit;text-decoration:none}
@page{size:A4 landscape;margin:12mm}
}
"""

SCRIPT = """
(function(){
'use strict';
function key(cell){var s=cell.getAttribute('data-sort');var t=s!==null?s:cell.textContent.trim();
var n=Number(t);return t!==''&&isFinite(n)?{n:n}:{t:t.toLowerCase()};}
function cmp(a,b){if('n' in a&&'n' in b)return a.n-b.n;if('n' in a)return -1;if('n' in b)return 1;
return a.t<b.t?-1:a.t>b.t?1:0;}
document.querySelectorAll('table.sortable').forEach(function(tbl){
var heads=tbl.tHead.rows[0].cells;
Array.prototype.forEach.call(heads,function(th,i){
var b=document.createElement('button');b.type='button';b.textContent=th.textContent;
th.textContent='';th.appendChild(b);
b.addEventListener('click',function(){
var dir=th.getAttribute('aria-sort')==='ascending'?'descending':'ascending';
Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',dir);
var body=tbl.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(r1,r2){var c=cmp(key(r1.cells[i]),key(r2.cells[i]));
return dir==='ascending'?c:-c;});
rows.forEach(function(r){body.appendChild(r);});});});});
document.querySelectorAll('[data-filter]').forEach(function(box){
var tbl=document.getElementById(box.getAttribute('data-filter'));
var input=box.querySelector('input');var out=box.querySelector('output');
function apply(){var q=input.value.trim().toLowerCase();var shown=0;
Array.prototype.forEach.call(tbl.tBodies[0].rows,function(r){
var hit=!q||r.textContent.toLowerCase().indexOf(q)>=0;r.hidden=!hit;if(hit)shown++;});
out.textContent=shown+' of '+tbl.tBodies[0].rows.length+' rows shown';}
input.addEventListener('input',apply);box.hidden=false;
var m=location.hash.match(new RegExp('[#&]'+tbl.id+'=([^&]*)'));
if(m){try{input.value=decodeURIComponent(m[1]);}catch(e){input.value=m[1];}}apply();});
document.documentElement.setAttribute('data-script','ran');
})();
"""

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'")


def _card(title: str, big: object, *lines: object, bad: bool = False, id: str | None = None,
          value: object = None) -> Safe:
    return el("div", el("dt", title), el("dd", el("span", big, class_="big", id=id,
                                                  data_value=value)),
              *[el("dd", line) for line in lines if line], class_="card bad" if bad else "card")


def _england(data: dict) -> tuple[str, float] | None:
    f = data.get("measures", {}).get(FORECAST_KEY)
    if f and f.get("target", {}).get("source", "").startswith("England"):
        return f["target"]["source"], f["target"][Variant.of(f).key]
    from sendcheck.figures.forecast import ENGLAND_PC_EX, ENGLAND_YEAR

    return f"England {ENGLAND_YEAR}", ENGLAND_PC_EX


def _summary(audit: Audit, data: dict, found: pl.DataFrame) -> Safe:
    # Cases as judge/cases.py counts them (the JSON's totals), never record ids with a finding:
    # a case overdue on one rule and due soon on another is overdue only.
    t = data["totals"]
    over, over_cases, soon, soon_cases = (t["overdue"], t["cases_overdue"], t["due_soon"],
                                          t["cases_due_soon"])
    cards = [
        _card("Overdue now", over_cases, f"cases ({over} findings: not done, past the limit)",
              bad=over > 0, id="overdue-cases", value=over_cases),
        _card(f"Due in the next {audit.options.due_within} days", soon_cases,
              f"cases ({soon} findings)", id="due-soon-cases", value=soon_cases),
    ]
    skipped, _ = coverage_lines(audit)
    if skipped:  # before any count of cases: "0 cases overdue" never stands alone
        cards.insert(0, _card("Rules skipped, not checked", len(audit.coverage.skipped), skipped,
                              bad=True, id="rules-skipped", value=len(audit.coverage.skipped)))
    c = data.get("changes")
    if c and c["compared_with"]:
        n = c["counts"]
        cards.append(_card(f"Since the run as of {c['compared_with']}", n["new_overdue"],
                           f"new overdue findings; {n['resolved']} resolved, "
                           f"{n['still_overdue']} still overdue, {n['new_due_soon']} new due soon",
                           bad=n["new_overdue"] > 0, id="new-overdue", value=n["new_overdue"]))
    m = data.get("measures", {}).get("items", {}).get(TWENTY)
    if m:
        if m["available"]:
            v = m["values"]
            eng = _england(data)
            cards.append(_card(
                "New plans issued within 20 weeks", _pc(v[TWENTY_FIELD]),
                f"{v['plans_issued_20_weeks_ex']} of {v['plans_issued_den_ex']} plans issued "
                f"{m['period']['start']} to {m['period']['end']}, excluding exceptions "
                f"(DfE field {TWENTY_FIELD}); including exceptions "
                f"{_pc(v['pc_plans_issued_within_20_weeks'])}",
                f"{eng[0]}: {eng[1]}% (plans issued in that calendar year, DfE's published "
                f"figure; this council's period is {m['period']['start']} to "
                f"{m['period']['end']})" if eng else None, id="twenty-week",
                value=v[TWENTY_FIELD]))
        else:
            cards.append(_card("New plans issued within 20 weeks", "-", m["reason"]))
    dq = data["data_quality"]
    n_dq = sum(q["findings"] for q in dq)
    worst = sorted((q for q in dq if q["findings"]), key=lambda q: -q["findings"])[:3]
    invalid = found.filter(pl.col("status") == "invalid").height - n_dq
    cards.append(_card("Data-quality findings", n_dq,
                       "most: " + ", ".join(f"{q['check']} {q['name']} ({q['findings']})"
                                            for q in worst) if worst else "none",
                       f"{invalid} rule findings invalid (dates unreadable or contradictory)"
                       if invalid else None, bad=n_dq > 0, id="dq-count", value=n_dq))
    f = data.get("measures", {}).get(FORECAST_KEY)
    if f:
        cards.append(_forecast_card(f))
    return el("dl", join(cards), class_="cards")


def _forecast_card(f: dict) -> Safe:
    if not f["available"]:
        return _card(f"Where {f['year']} will land", "-", f["reason"])
    from sendcheck.views.forecast import target_text

    var = Variant.of(f)
    v = f[var.key]
    raw = {k: v[k] for k in ("target", "best_den", "must_be_on_time")}
    likely = v.get("pc_likely")
    return _card(f"Where {f['year']} will land (20 weeks, {var.words})",
                 f"likely {_pc(likely)}" if likely is not None else
                 f"{_pc(v['pc_worst'])} to {_pc(v['pc_best'])}",
                 f"best {_pc(v['pc_best'])}, worst {_pc(v['pc_worst'])}, if the "
                 f"{v['open_in_time']} cases still in time are issued on time as often as the "
                 f"council's own cases at the same stage were in the last 12 months"
                 if likely is not None else None,
                 f"{_pc(v['pc_so_far'])} so far ({v['within_so_far']} of {v['den_so_far']}); "
                 f"{v['open_due_by_year_end']} open cases due by 31 December decide it "
                 f"({v['open_in_time']} still in time, {v['open_past_due']} already late)",
                 target_text(raw, v, f["target"]["source"]), id="forecast-range")


def _inputs(audit: Audit, data: dict) -> Safe:
    items = [el("li", f"{t['path']}" + (f", sheet {t['sheet']}" if t["sheet"] else "")
                + f": {t['rows']:,} rows, sha256 {str(t['sha256'])[:12]}…") for t in data["inputs"]]
    acc = data["rows"]
    cfg = audit.config.path or "none"
    absent = coverage_lines(audit)[1]
    return join([
        el("p", f"As of {data['as_of']}", class_="meta", id="as-of"),
        el("ul", join(items), class_="lines meta", aria_label="inputs"),
        el("p", f"Rows: {acc['read']:,} read, {acc['evaluated']:,} evaluated, {acc['rejected']:,} "
           f"rejected (blank). Configuration: {cfg}.", class_="meta"),
        el("p", absent, class_="meta", id="not-in-export") if absent else Safe(""),
    ])


def _charts(audit: Audit, data: dict, history: list[dict] | None) -> Safe:
    out = [el("h2", "Charts", id="charts")]
    summ = data["summary"]
    names = {r["code"]: r["name"] for r in data["rules"]}
    rules = [(code, c["overdue"], c["due_soon"]) for code, c in summ.items()
             if c["overdue"] or c["due_soon"]]
    out.append(el("figure", el("figcaption", "Findings overdue and due soon, by rule"), el(
        "div", el("div", rules_chart(rules)),
        table(["rule", "name", "overdue", "due soon"],
              [[r, names.get(r), o, d] for r, o, d in rules],
              caption="Findings by rule", numeric=(2, 3), row_headers=True), class_="pair")))
    f = data.get("measures", {}).get(FORECAST_KEY)
    year = f["year"] if f else audit.options.as_of.year
    months = _months(audit, data.get("measures", {}).get("suppress_below"))
    eng = _england(data)
    rows = []
    by_ytd = {m["month"]: m for m in (f or {}).get("year_to_date", [])}
    by_fc = {m["month"]: m for m in (f or {}).get("months", [])}
    var = Variant.of(f)
    for m in months:
        y = by_ytd.get(m["month"], {})
        rows.append([m["month"], m[var.den], _pc(m[var.pc]), _pc(y.get("pc" + var.suffix)),
                     "", ""])
    for key, fm in by_fc.items():
        match = [r for r in rows if r[0] == key]
        row = match[0] if match else [key, "", "", "", "", ""]
        row[4], row[5] = _pc(fm["pc_worst" + var.suffix]), _pc(fm["pc_best" + var.suffix])
        if not match:
            rows.append(row)
    out.append(el("figure", el("figcaption", f"20-week figure by month, {year} ({var.words}), "
                                             f"and where the year can land"),
                  el("div", monthly_chart(months, f, eng, year), class_="scroll"),
                  _band_note(f),
                  table(["month", "plans issued", "month's figure", "year to date",
                         "worst by month end", "best by month end"], rows,
                        caption="20-week figure by month", numeric=(1, 2, 3, 4, 5),
                        row_headers=True)))
    c = data.get("caseload", {})
    if c and not c.get("reason"):
        t = c["thresholds"]
        people = c["caseworkers"]
        panels = []
        for what, key, bench in (("plans in force", "plans_in_force", t["plans_per_caseworker"]),
                                 ("open assessments", "open_assessments",
                                  t["assessments_per_caseworker"])):
            pairs = [(p["caseworker"], p[key]) for p in people
                     if p["caseworker"] != UNALLOCATED]
            panels.append(el("figure", el("figcaption", f"Caseload: {what} per caseworker "
                                                        f"against the benchmark of {bench}"),
                             benchmark_chart(f"Caseload: {what} against the benchmark {bench}",
                                             pairs, bench, id=f"chart-{key.replace('_', '-')}")))
        out.append(el("div", join(panels), class_="pair even"))
        out.append(table(["caseworker", "plans in force", "open assessments", "overdue cases",
                          "due soon cases", "above benchmark"],
                         [[p["caseworker"], *[NOT_AVAILABLE if p[k] is None else p[k] for k in (
                             "plans_in_force", "open_assessments", "cases_overdue",
                             "cases_due_soon")],
                           ", ".join(w for w, k in (("plans", "over_plans"),
                                                    ("assessments", "over_assessments"))
                                     if p.get(k)) or "no"] for p in people],
                         caption=f"Caseload ({t['source']})", numeric=(1, 2, 3, 4),
                         row_headers=True))
    if history:
        out.append(el("figure", el("figcaption", "Run history: findings overdue and due soon"),
                      history_chart(history),
                      table(["as of", "overdue findings", "due soon findings"],
                            [[r["as_of"], r.get("overdue"), r.get("due_soon")] for r in history],
                            caption="Run history", numeric=(1, 2), row_headers=True)))
    return join(out)


def _band_note(f: dict | None) -> Safe:
    """Why the band can start below the year to date: the late cases count at once."""
    if not f or not f.get("available"):
        return Safe("")
    late = f[Variant.of(f).key]["open_past_due"]
    if not late:
        return Safe("")
    return el("p", f"The band starts below the year to date because it counts the {late} open "
                   f"cases already past their due date, which can only be issued late, from the "
                   f"as-of month.", class_="small")


def _months(audit: Audit, below: int | None) -> list[dict]:
    """Each month of the as-of date's year so far, from the trend (its own figures), small
    counts suppressed as `sendcheck trend` suppresses them."""
    from sendcheck.figures import small_counts
    from sendcheck.figures.trend import AVERAGES, RATIOS, compute_trend

    return [small_counts.values(r, below, RATIOS, AVERAGES)
            for r in compute_trend(audit, audit.options.as_of.month)]


FINDING_COLS = [("rule", "rule"), ("record", "record_id"), ("person", "person_id"),
                ("caseworker", "caseworker"), ("file", "source"), ("row", "row"),
                ("start", "start"), ("due", "due")]


# html.escape(quote=True), as polars replacements in the same order (& first).
ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


def esc_expr(expr: pl.Expr) -> pl.Expr:
    """Each value as escaped text (null as empty), for whole columns at once."""
    out = expr.cast(pl.String).fill_null("")
    for a, b in ESCAPES:
        out = out.str.replace_all(a, b, literal=True)
    return out


def rows_html(frame: pl.DataFrame, cells: list[tuple[pl.Expr, bool]]) -> Safe:
    """Table rows (<tr>...</tr>) for every row of `frame` in one polars query: each cell an
    expression and whether it is numeric (right-aligned, with data-sort). A Python loop over
    the rows took 20 s for 66,000 findings."""
    parts: list[pl.Expr] = [pl.lit("<tr>")]
    for expr, numeric in cells:
        text = esc_expr(expr)
        if numeric:
            parts.append(pl.when(expr.is_null()).then(pl.lit('<td class="num"></td>'))
                         .otherwise(pl.concat_str(pl.lit('<td class="num" data-sort="'), text,
                                                  pl.lit('">'), text, pl.lit("</td>"))))
        else:
            parts += [pl.lit("<td>"), text, pl.lit("</td>")]
    parts.append(pl.lit("</tr>"))
    if frame.height == 0:
        return Safe("")
    return Safe(frame.select(pl.concat_str(parts).str.join("")).item())


def _finding_table(found: pl.DataFrame, status: str, id: str, caption: str,
                   personal_cols: list[str]) -> Safe:
    rows = found.filter(pl.col("status") == status)
    if rows.height == 0:
        return el("p", f"{caption}: none.")
    c = pl.col
    if status == "overdue":
        rows = rows.sort(["days_over", "rule", "source", "row"],
                         descending=[True, False, False, False])
        days = ("days over", c("days_over"))
    else:
        rows = rows.sort(["due", "rule", "source", "row"])
        days = ("days left", -c("days_over"))
    rule = pl.when(c("kind").is_null()).then(c("rule")).otherwise(
        pl.concat_str(c("rule"), pl.lit("/"), c("kind")))
    cells = [(rule, False), *[(c(k), k == "row") for _, k in FINDING_COLS[1:]],
             *[(c(k), False) for k in personal_cols], (days[1], True), (c("message"), False)]
    headers = [h for h, _ in FINDING_COLS] + personal_cols + [days[0], "message"]
    if "note" in rows.columns:  # with a history: the latest note, escaped as every cell is
        note = pl.when(c("note_date").is_null()).then(None).otherwise(pl.concat_str(
            c("note_date"), pl.lit(" "), c("note_by").fill_null(""),
            pl.lit(": "), c("note").fill_null("")))
        cells.append((note, False))
        headers.append("latest note")
    n = len(FINDING_COLS) + len(personal_cols)
    box = el("div", el("label", "Filter rows: ", el("input", type="search", id=f"{id}-q",
                                                    autocomplete="off")),
             " ", el("output", for_=f"{id}-q"), class_="filter", data_filter=id, hidden=True)
    return join([box, el("div", table(headers, [], caption=f"{caption} ({rows.height})", id=id,
                                      sortable=True, numeric=(5, n),
                                      body_html=rows_html(rows, cells)), class_="scroll")])


def _overdue_tables(audit: Audit, found: pl.DataFrame, personal_cols: list[str]) -> Safe:
    """Statutory breaches first, most overdue first; the guidance rules' (warning severity) in a
    table of their own below, never above a legal deadline."""
    over = found.filter(pl.col("status") == "overdue").with_columns(duty(audit))
    guidance = over.filter(pl.col("duty") == GUIDANCE)
    out = [_finding_table(over.filter(pl.col("duty") != GUIDANCE), "overdue", "t-overdue",
                          "Overdue findings, statutory limits", personal_cols)]
    if guidance.height:
        out += [el("h3", "Overdue against guidance (warning severity: the Code of Practice, not "
                         "a statutory limit)", id="overdue-guidance"),
                _finding_table(guidance, "overdue", "t-overdue-guidance",
                               "Overdue findings, guidance", personal_cols)]
    return join(out)


CHANGE_LISTS = (("new_overdue", "New overdue"), ("new_due_soon", "New due soon"),
                ("new_invalid", "New invalid"), ("resolved", "Resolved (overdue last time)"),
                ("still_overdue", "Still overdue"))
CHANGE_COLS = (("rule", "rule"), ("kind", "kind"), ("record_id", "record"),
               ("caseworker", "caseworker"), ("due", "due"), ("days_over", "days over"))


def _notes_line(notes: dict | None) -> Safe:
    """The counts of cases overdue with a note and untouched (with a history)."""
    if not notes:
        return Safe("")
    return el("p", counts_line(notes) + (f"; only the findings with no note in the last "
                                         f"{notes['days']} days are listed (--untouched)"
                                         if notes["untouched_filter"] else ""),
              id="notes-counts", data_with_note=notes["with_note"],
              data_untouched=notes["untouched"])


def _changes(c: dict | None) -> Safe:
    """What changed since the previous run in --history (the JSON's `changes`)."""
    if not c:
        return Safe("")
    out = [el("h2", "What changed since the last run", id="changes")]
    if c["compared_with"] is None:
        return join(out + [el("p", f"First run in {c['history']}: nothing to compare with yet; "
                                   f"the next run will say what changed.")])
    n = c["counts"]
    out.append(el("p", f"Compared with the run as of {c['compared_with']} in {c['history']}: "
                       f"{n['new_overdue']} new overdue, {n['new_due_soon']} new due soon, "
                       f"{n['new_invalid']} new invalid, {n['resolved']} resolved, "
                       f"{n['still_overdue']} still overdue.", id="changes-counts"))
    if c.get("newly_skipped"):
        out.append(el("p", f"Ran in the previous run and could not run now: " + "; ".join(
            f"{code} (missing {', '.join(m)})" for code, m in c["newly_skipped"].items()),
            id="newly-skipped", class_="bad"))
    for key, title in CHANGE_LISTS:
        rows = c[key]
        if not rows:
            out.append(el("p", f"{title}: none."))
            continue
        extra = {"resolved": [("status_now", "status now"), ("done_now", "done")],
                 "still_overdue": [("overdue_since", "overdue since"),
                                   ("first_seen", "first seen")]}.get(key, [])
        cols = [*CHANGE_COLS, *extra]
        frame = pl.DataFrame(rows, infer_schema_length=None)
        cells = [(pl.col(k) if k in frame.columns else pl.lit(None), k == "days_over")
                 for k, _ in cols]
        out.append(el("div", table([h for _, h in cols], [], caption=f"{title} ({len(rows)})",
                                   id=f"t-{key.replace('_', '-')}", sortable=True,
                                   numeric=(5,), body_html=rows_html(frame, cells)),
                      class_="scroll"))
    out.append(el("p", c["definition"], class_="small"))
    return join(out)


def _quality(data: dict) -> Safe:
    rows = [[q["check"], q["name"], q["findings"] if not q["skipped"] else
             "skipped: missing " + ", ".join(q["skipped"]), q["action"]]
            for q in data["data_quality"]]
    return table(["check", "name", "findings", "what to do"], rows, caption="Data-quality checks",
                 numeric=(2,), row_headers=True)


def _forecast_section(f: dict | None) -> Safe:
    if not f:
        return Safe("")
    out = [el("h2", f"Where {f['year']} will land", id="forecast")]
    if not f["available"]:
        return join(out + [el("p", f["reason"])])
    rows = []
    for key, label in (("excluding", "excluding exceptions (DfE's headline)"),
                       ("including", "including exceptions")):
        v = f[key]
        if v is None:  # no exception columns: no excluding figure
            continue
        rows.append([label, f"{_pc(v['pc_so_far'])} ({v['within_so_far']} of {v['den_so_far']})",
                     _pc(v["pc_best"]), _pc(v["pc_worst"]), v["open_due_by_year_end"],
                     v["open_in_time"], v["open_past_due"], v["open_due_next_year"],
                     _pc(v["target"]),
                     "out of reach" if v["must_be_on_time"] is None else v["must_be_on_time"]])
    out.append(table(["figure", "so far", "best", "worst", "open cases due by 31 Dec",
                      "still in time", "already late", "due next year", "target",
                      "must be on time"], rows,
                     caption=f"{f['title']} (target: {f['target']['source']})",
                     numeric=(2, 3, 4, 5, 6, 7, 8, 9), row_headers=True))
    out.append(el("p", "Assumptions:", class_="small"))
    out.append(el("ul", join(el("li", a) for a in f["assumptions"]), class_="lines small"))
    return join(out)


def _measures(data: dict) -> Safe:
    m = data.get("measures")
    if not m:
        return Safe("")
    rows = []
    for item in m["items"].values():
        if not item["available"]:
            rows.append([item["title"], "", item["reason"], ""])
            continue
        for k, v in item["values"].items():
            rows.append([item["title"], k, v, (f"{item['period']['start']} to "
                                              f"{item['period']['end']}")])
    defs = [el("li", el("strong", item["title"]), ": ", item["definition"])
            for item in m["items"].values()]
    return join([el("h2", "All measures", id="measures"),
                 table(["measure", "DfE field", "value", "period"], rows,
                       caption=f"Measures, period {m['period']['label']}, cohort {m['cohort']}",
                       numeric=(2,)),
                 el("h3", "Definitions"), el("ul", join(defs), class_="lines small")])


# ---------------------------------------------------------------- beside the rest of England

OURS = OVERDUE


def neighbours_chart(b: dict) -> Safe:
    """One bar per authority (the ten neighbours, this authority's published figure, ours now),
    highest first; ours solid dark and labelled "ours"; England as a dashed line; an
    unavailable figure written as such, with no bar."""
    rows = chart_rows(b)
    england = b["twenty_weeks"]["pc_plans_issued_20_weeks_ex"]["england"]["value"]
    left, width, row_h, top = 290, 760, 22, 30
    scale = (width - left - 120) / 100
    height = top + row_h * len(rows) + 10
    body = []
    for i, r in enumerate(rows):
        y = top + i * row_h
        body.append(text(left - 8, y + 14, r["name"], text_anchor="end", class_="label"))
        if r["value"] is None:
            why = f" ({r['symbol']})" if r["symbol"] else ""
            body.append(text(left + 4, y + 14, NOT_AVAILABLE + why, class_="value",
                             data_name=r["name"], data_value="not available"))
            continue
        w = round(max(r["value"] * scale, 1), 1)
        body.append(el("rect", x=left, y=y + 3, width=w, height=14,
                       fill=OURS if r["ours"] else BAR, data_name=r["name"],
                       data_value=r["value"], data_ours="yes" if r["ours"] else "no"))
        body.append(text(left + w + 4, y + 14,
                         pc(r["value"]) + (" ours" if r["ours"] else ""), class_="value"))
    if england is not None:
        x = round(left + england * scale, 1)
        body.append(el("line", x1=x, x2=x, y1=top - 6, y2=height - 4, stroke=ENGLAND,
                       stroke_dasharray="4 3", stroke_width=1.5))
        body.append(text(x, top - 10, f"England {pc(england)}", text_anchor="middle",
                         class_="value"))
    desc = "; ".join(f"{r['name']} " + (pc(r["value"]) if r["value"] is not None
                                         else NOT_AVAILABLE) for r in rows)
    return svg(width, height, "New plans within 20 weeks, excluding exceptions: statistical "
               "neighbours, ours marked", desc, *body, id="chart-neighbours")


def _benchmark(b: dict | None) -> Safe:
    """The section, or a one-line note when the run names no authority."""
    if b is None:
        return Safe("")
    title = el("h2", "Beside the rest of England", id="benchmark")
    if b.get("authority") is None:
        return join([title, el("p", b["note"], class_="small")])
    rows = benchmark_rows(b)
    return join([
        title, el("p", bench_heading(b)),
        table([h or "figure" for h in rows[0]], rows[1:], caption="Our figures beside DfE's "
              "published ones", row_headers=True, id="t-benchmark"),
        el("ul", join(el("li", line.strip()) for line in reconciliation_lines(b)),
           class_="lines", id="reconciliation"),
        neighbours_chart(b),
        el("p", PHASE_NOTE + ". ", b["release"]["attribution"], " ",
           el("a", b["release"]["url"], href=b["release"]["url"]), class_="small"),
    ])


def _breakdowns(data: list[dict] | None) -> Safe:
    """--by: a table per dimension (groups, then the whole), each with its definition."""
    if not data:
        return Safe("")
    parts = [el("h2", "Breakdowns", id="breakdowns")]
    for b in data:
        if not b["available"]:
            parts.append(el("p", breakdown_title(b), ": ", b["reason"]))
            continue
        parts.append(table(BREAKDOWN_HEADERS, breakdown_rows(b), caption=breakdown_title(b),
                           id=f"t-by-{b['by']}", row_headers=True, numeric=range(1, 8)))
        parts.append(el("p", breakdown_lines(b)[0].strip(), class_="small"))
    return join(parts)


def section(content: Safe, heading: str) -> Safe:
    """A section labelled by its heading's id; nothing when it has no content."""
    return el("section", content, aria_labelledby=heading) if content else Safe("")


def to_html(audit: Audit, personal: bool = False, history: list[dict] | None = None) -> str:
    """The whole report as one HTML document. `history`: the run history's counts per run
    (as_of, overdue, due_soon), oldest first, when --history is given."""
    from sendcheck.columns import PERSONAL
    from sendcheck.views.json import to_json_dict

    data = to_json_dict(audit, personal=personal, findings_frame_only=True)
    found: pl.DataFrame = data["findings"]
    personal_cols = [c for c in PERSONAL if personal and c in found.columns]
    found = found.with_columns(pl.col("start", "due").cast(pl.String))
    title = f"sendcheck report as of {data['as_of']}"
    within = audit.options.due_within
    body = join([
        el("header", el("h1", f"SEND timescales: as of {data['as_of']}"),
           _inputs(audit, data)),
        el("main",
           el("section", el("h2", "Summary", id="summary"), _summary(audit, data, found),
              aria_labelledby="summary"),
           el("section", _charts(audit, data, history), aria_labelledby="charts"),
           section(_benchmark(data.get("benchmark")), "benchmark"),
           section(_breakdowns(data.get("breakdowns")), "breakdowns"),
           section(_changes(data.get("changes")), "changes"),
           el("section", el("h2", "Overdue: not done, past the limit", id="overdue"),
              _notes_line(data.get("notes")),
              _overdue_tables(audit, listed(audit, found), personal_cols),
              aria_labelledby="overdue"),
           el("section", el("h2", f"Due soon: due within {within} days", id="due-soon"),
              _finding_table(listed(audit, found), "due_soon", "t-due-soon", "Due-soon findings",
                             personal_cols), aria_labelledby="due-soon"),
           section(_forecast_section(data.get("measures", {}).get(FORECAST_KEY)), "forecast"),
           el("section", el("h2", "Data quality", id="data-quality"), _quality(data),
              aria_labelledby="data-quality"),
           section(_measures(data), "measures")),
        el("footer", f"sendcheck {__version__}. "
           + ("Includes personal data (--include-personal-data): handle as the council's policy "
              "requires." if personal else "No names, UPNs or dates of birth: ids only.")),
    ])
    head = join([el("meta", charset="utf-8"),
                 el("meta", http_equiv="Content-Security-Policy", content=CSP),
                 el("meta", name="viewport", content="width=device-width, initial-scale=1"),
                 el("title", title), el("style", Safe(CSS))])
    return ("<!DOCTYPE html>\n" + el("html", el("head", head), el("body", body,
                                                                  el("script", Safe(SCRIPT))),
                                     lang="en-GB") + "\n")
