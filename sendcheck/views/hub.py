"""The hub's report (`sendcheck hub`): the authorities side by side, in every format, from one
set of display rows so that every format shows the same figures."""

from __future__ import annotations

import json

from sendcheck import __version__
from sendcheck.figures import small_counts
from sendcheck.hub.compare import CASES, MEASURES, HubView
from sendcheck.views.files import display_name

# (key in a row, heading, kind): count, pct, rate, text
COLUMNS = (
    ("authority", "Authority", "text"),
    ("as_of", "Latest run", "text"),
    ("plans_in_force", "Plans in force", "count"),
    ("cases_overdue", "Cases overdue", "count"),
    ("overdue_per_1000_plans", "Overdue per 1,000 plans", "rate"),
    ("cases_due_soon", "Cases due soon", "count"),
    ("due_soon_per_1000_plans", "Due soon per 1,000 plans", "rate"),
    ("twenty_weeks_pc", "20 weeks now %", "pct"),
    ("published_pc", "DfE published %", "pct"),
    ("reviews_pc", "Reviews in 12 months %", "pct"),
    ("phase_transfers_pc", "Phase transfers by deadline %", "pct"),
    ("tribunal_orders_pc", "Tribunal orders on time %", "pct"),
)
RATIOS = {f"{key}_pc": (f"{key}_num", f"{key}_den") for key, *_ in MEASURES}
RATIOS |= {"overdue_per_1000_plans": ("cases_overdue", "plans_in_force"),
           "due_soon_per_1000_plans": ("cases_due_soon", "plans_in_force")}
DEFINITIONS = [
    "Each authority's latest run on or before the as-of date; a run older than the as-of date "
    "is marked stale.",
    "Cases overdue and due soon: episodes with at least one finding overdue (or, with none "
    "overdue, due soon) on the run's as-of date, each counted once; per 1,000 plans in force.",
    *(f"{title[0].upper()}{title[1:]}: over the run's measure period (default the 12 months to "
      f"its as-of date)." for *_, title in MEASURES),
    "DfE published %: DfE's figure for the authority in its latest release (calendar year), "
    "new plans within 20 weeks excluding exceptions.",
    "Totals add the authorities' counts and work each percentage out again; a measure an "
    "authority cannot give is left out of the total, which says over how many it is.",
]


def _published(row: dict) -> dict:
    pub = row.get("published") or {}
    return {"published_pc": pub.get("pc"), "published_year": pub.get("year")}


def _suppressed(row: dict, below: int | None) -> dict:
    counts = {k: v for k, v in row.items() if k in CASES or k in {
        p for parts in RATIOS.values() for p in parts}}
    shown = small_counts.values({**counts, **{k: row.get(k) for k in RATIOS}}, below, RATIOS)
    return {**row, **shown}


def rows(view: HubView) -> list[dict]:
    """The display rows: every authority, then the total, with small counts suppressed."""
    out = []
    for r in [*view.authorities, view.total]:
        row = _suppressed({**r, **_published(r)}, view.suppress_below)
        out.append(row)
    return out


def _text(value: object, kind: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "count":
        return f"{value:,}"
    if kind in ("pct", "rate"):
        return f"{value:.1f}"
    return str(value)


def _cells(row: dict) -> list[str]:
    cells = []
    for key, _, kind in COLUMNS:
        text = _text(row.get(key), kind)
        if key == "as_of" and row.get("stale"):
            text += " (stale)"
        if key == "authority":
            text = display_name(str(row.get(key)))
        cells.append(text)
    return cells


def _header_lines(view: HubView) -> list[str]:
    lines = [f"sendcheck hub: {len(view.authorities):,} authorities, {view.episodes:,} episodes, "
             f"as of {view.as_of.isoformat()} ({view.as_of_source})"]
    if view.stale:
        lines.append(f"stale (no run on {view.as_of.isoformat()}): {', '.join(view.stale)}")
    if view.suppress_below:
        lines.append(f"counts under {view.suppress_below} shown as <{view.suppress_below}")
    return lines


# ---------------------------------------------------------------- formats


def to_json(view: HubView) -> str:
    shown = rows(view)
    data = {
        "sendcheck_version": __version__, "as_of": view.as_of.isoformat(),
        "as_of_source": view.as_of_source, "episodes": view.episodes,
        "suppress_below": view.suppress_below, "stale": view.stale,
        "authorities": [{k: v for k, v in r.items() if k != "published"} for r in shown[:-1]],
        "total": {k: v for k, v in shown[-1].items() if k != "published"},
        "months": [small_counts.values(m, view.suppress_below, {"pc": ("num", "den")})
                   for m in view.months],
        "definitions": DEFINITIONS,
    }
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def to_text(view: HubView, rich: bool = False) -> str | None:
    """Plain text (None when drawn with rich straight to the terminal)."""
    heads = [h for _, h, _ in COLUMNS]
    body = [_cells(r) for r in rows(view)]
    if rich:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        console = Console()
        for line in _header_lines(view):
            console.print(escape(line), highlight=False)
        t = Table(show_lines=False)
        for i, h in enumerate(heads):
            t.add_column(h, justify="left" if i < 2 else "right", overflow="fold")
        for i, cells in enumerate(body):
            t.add_row(*[escape(c) for c in cells], style="bold" if i == len(body) - 1 else None)
        console.print(t)
        return None
    widths = [max(len(h), *(len(c[i]) for c in body)) for i, h in enumerate(heads)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = _header_lines(view) + ["", line(heads), line(["-" * w for w in widths])]
    out += [line(c) for c in body]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(view: HubView) -> str:
    heads = [h for _, h, _ in COLUMNS]
    out = [f"# SEND timescales across {len(view.authorities):,} authorities, as of "
           f"{view.as_of.isoformat()}", ""]
    out += [f"{_md(x)}  " for x in _header_lines(view)[1:]]
    out += ["", "| " + " | ".join(heads) + " |",
            "|" + "|".join("---" if i < 2 else "---:" for i in range(len(heads))) + "|"]
    out += ["| " + " | ".join(_md(c) for c in _cells(r)) + " |" for r in rows(view)]
    out += ["", "## Definitions", ""] + [f"- {_md(d)}" for d in DEFINITIONS]
    return "\n".join(out) + "\n"


def to_html(view: HubView) -> str:
    from sendcheck.views.html import CSP, CSS, Safe, el, join, table

    heads = [h for _, h, _ in COLUMNS]
    body = [_cells(r) for r in rows(view)]
    numeric = [i for i, (_, _, kind) in enumerate(COLUMNS) if kind != "text"]
    title = f"SEND timescales across {len(view.authorities):,} authorities"
    page = join([
        el("header", el("h1", f"{title}: as of {view.as_of.isoformat()}"),
           join(el("p", x) for x in _header_lines(view))),
        el("main", el("section", el("h2", "Authorities side by side", id="authorities"),
                      table(heads, body, caption="Each authority's latest run, and the total",
                            id="t-hub", numeric=numeric, row_headers=True),
                      aria_labelledby="authorities"),
           el("section", el("h2", "Definitions", id="definitions"),
              el("ul", join(el("li", d) for d in DEFINITIONS)), aria_labelledby="definitions")),
        el("footer", f"sendcheck {__version__}. Pseudonymised datasets: no names, ids, UPNs or "
                     f"dates of birth."),
    ])
    head = join([el("meta", charset="utf-8"),
                 el("meta", http_equiv="Content-Security-Policy", content=CSP),
                 el("meta", name="viewport", content="width=device-width, initial-scale=1"),
                 el("title", title), el("style", Safe(CSS))])
    return "<!DOCTYPE html>\n" + el("html", el("head", head), el("body", page),
                                    lang="en-GB") + "\n"


def to_xlsx(view: HubView) -> bytes:
    from sendcheck.views.xlsx import Grid, Writer

    w = Writer(view.as_of)
    grid = Grid()
    for x in _header_lines(view):
        grid.add(x, span=True)
    grid.gap()
    first = grid.add(*[h for _, h, _ in COLUMNS], header=True)
    shown_rows = rows(view)
    last = first
    for n, r in enumerate(shown_rows, 1):
        values = []
        for key, _, kind in COLUMNS:
            v = r.get(key)
            if key == "as_of" and r.get("stale"):
                v = f"{v} (stale)"
            values.append("n/a" if v is None else v)
        last = grid.add(*values, bold=n == len(shown_rows))
    grid.gap()
    for d in DEFINITIONS:
        grid.add(d, span=True)
    w.grid_sheet("Authorities", grid, filter_rows=(first, last), title_rows=f"{first}:{first}",
                 freeze=f"B{first + 1}")
    months = Grid()
    months.add("Authority", "Month", "Within 20 weeks (ex)", "New plans (ex)", "%", header=True)
    for m in view.months:
        shown = small_counts.values(m, view.suppress_below, {"pc": ("num", "den")})
        months.add(shown["authority"], shown["month"], *("n/a" if shown[k] is None else shown[k]
                                                         for k in ("num", "den", "pc")))
    w.grid_sheet("By month", months, filter_rows=(1, len(months.lines)))
    return w.save()
