"""The hub's report (`sendcheck hub`): the authorities side by side, in every format, from one
set of display rows so that every format shows the same figures."""

from __future__ import annotations

import json

from sendcheck import __version__
from sendcheck.figures import small_counts
from sendcheck.hub.compare import CASES, MEASURES, HubView
from sendcheck.views.files import display_name

# (key in a row, heading, kind): text, count, pct or rate
COLUMNS = (
    ("authority", "Code", "text"),
    ("name", "Authority", "text"),
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
TEXT = [kind == "text" for _, _, kind in COLUMNS]
RATIOS = {f"{key}_pc": (f"{key}_num", f"{key}_den") for key, *_ in MEASURES}
RATIOS |= {"overdue_per_1000_plans": ("cases_overdue", "plans_in_force"),
           "due_soon_per_1000_plans": ("cases_due_soon", "plans_in_force")}
MONTH_RATIO = {"pc": ("num", "den")}
MONTH_HEADS = ["Month", "Within 20 weeks", "New plans", "%"]
MONTH_TITLE = "New EHC plans within 20 weeks by month, all authorities, excluding exceptions"
DEFINITIONS = (
    "Each authority's latest run on or before the as-of date; a run older than the as-of date "
    "is marked stale.",
    "Cases overdue and due soon: episodes with at least one finding overdue (or, with none "
    "overdue, due soon) on the run's as-of date, each counted once; per 1,000 plans in force.",
    *(f"{title[0].upper()}{title[1:]}: over the run's measure period (default the 12 months to "
      f"its as-of date)." for *_, title in MEASURES),
    "DfE published %: DfE's figure for the authority in its latest release (a calendar year), "
    "new plans within 20 weeks excluding exceptions; n/a where DfE published none.",
    "Totals add the authorities' counts and work each percentage out again; a measure an "
    "authority cannot give is left out of the total.",
)


def definitions() -> list[str]:
    from sendcheck.figures.published import attribution

    return [*DEFINITIONS, f"Published figures: {attribution()}"]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def rows(view: HubView) -> list[dict]:
    """The display rows: every authority, then the total, with small counts suppressed (and
    the rates and percentages made from them withheld)."""
    parts = {p for pair in RATIOS.values() for p in pair}
    out = []
    for r in [*view.authorities, view.total]:
        pub = r.get("published") or {}
        row = {k: v for k, v in r.items() if k != "published"}
        row |= {"name": pub.get("name"), "published_pc": pub.get("pc"),
                "published_year": pub.get("year")}
        shown = small_counts.values({k: row.get(k) for k in (*CASES, *parts, *RATIOS)},
                                    view.suppress_below, RATIOS)
        out.append(row | shown)
    return out


def _text(value: object, kind: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if kind == "count":
        return f"{value:,}"
    if kind in ("pct", "rate"):
        return f"{value:.1f}"
    return str(value)


def _cells(row: dict) -> list[str]:
    cells = []
    for key, _, kind in COLUMNS:
        value = row.get(key)
        text = display_name(str(value)) if kind == "text" and value is not None else _text(
            value, kind)
        if key == "as_of" and row.get("stale"):
            text += " (stale)"
        cells.append(text)
    return cells


def month_rows(view: HubView) -> list[list[str]]:
    """The 20-week figure by month for all the authorities together."""
    out = []
    for m in view.months:
        if m["authority"] == "total":
            shown = small_counts.values(m, view.suppress_below, MONTH_RATIO)
            out.append([m["month"], _text(shown["num"], "count"), _text(shown["den"], "count"),
                        _text(shown["pc"], "pct")])
    return out


def header_lines(view: HubView) -> list[str]:
    lines = [f"sendcheck hub: {_plural(len(view.authorities), 'authority', 'authorities')}, "
             f"{_plural(view.episodes, 'episode', 'episodes')}, as of "
             f"{view.as_of.isoformat()} ({view.as_of_source})"]
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
        "authorities": shown[:-1], "total": shown[-1],
        "months": [small_counts.values(m, view.suppress_below, MONTH_RATIO)
                   for m in view.months],
        "definitions": definitions(),
    }
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _plain_table(heads: list[str], body: list[list[str]], text: list[bool]) -> list[str]:
    widths = [max(len(h), *(len(c[i]) for c in body)) for i, h in enumerate(heads)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if t else c.rjust(w)
                         for c, w, t in zip(cells, widths, text)).rstrip()

    return [line(heads), line(["-" * w for w in widths])] + [line(c) for c in body]


def to_text(view: HubView, rich: bool = False) -> str | None:
    """Plain text, or None when drawn with rich straight to the terminal."""
    heads = [h for _, h, _ in COLUMNS]
    body = [_cells(r) for r in rows(view)]
    months = month_rows(view)
    if rich:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        console = Console()
        for line in header_lines(view):
            console.print(escape(line), highlight=False)
        t = Table()
        for h, is_text in zip(heads, TEXT):
            t.add_column(h, justify="left" if is_text else "right", overflow="fold")
        for i, cells in enumerate(body):
            t.add_row(*[escape(c) for c in cells], style="bold" if i == len(body) - 1 else None)
        console.print(t)
        m = Table(title=MONTH_TITLE)
        for i, h in enumerate(MONTH_HEADS):
            m.add_column(h, justify="left" if i == 0 else "right")
        for cells in months:
            m.add_row(*cells)
        console.print(m)
        return None
    out = header_lines(view) + [""] + _plain_table(heads, body, TEXT)
    out += ["", MONTH_TITLE, ""] + _plain_table(MONTH_HEADS, months, [True, False, False, False])
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(heads: list[str], body: list[list[str]], text: list[bool]) -> list[str]:
    return (["| " + " | ".join(heads) + " |",
             "|" + "|".join("---" if t else "---:" for t in text) + "|"]
            + ["| " + " | ".join(_md(c) for c in cells) + " |" for cells in body])


def to_markdown(view: HubView) -> str:
    out = [f"# SEND timescales across "
           f"{_plural(len(view.authorities), 'authority', 'authorities')}, as of "
           f"{view.as_of.isoformat()}", ""]
    out += [f"{_md(x)}  " for x in header_lines(view)[1:]]
    out += [""] + _md_table([h for _, h, _ in COLUMNS], [_cells(r) for r in rows(view)], TEXT)
    out += ["", f"## {MONTH_TITLE}", ""]
    out += _md_table(MONTH_HEADS, month_rows(view), [True, False, False, False])
    out += ["", "## Definitions", ""] + [f"- {_md(d)}" for d in definitions()]
    return "\n".join(out) + "\n"


def to_html(view: HubView) -> str:
    from sendcheck.views.html import CSP, CSS, Safe, el, join, table

    numeric = [i for i, t in enumerate(TEXT) if not t]
    title = f"SEND timescales across {_plural(len(view.authorities), 'authority', 'authorities')}"
    page = join([
        el("header", el("h1", f"{title}: as of {view.as_of.isoformat()}"),
           join(el("p", x) for x in header_lines(view))),
        el("main",
           el("section", el("h2", "Authorities side by side", id="authorities"),
              table([h for _, h, _ in COLUMNS], [_cells(r) for r in rows(view)],
                    caption="Each authority's latest run, and the total", id="t-hub",
                    numeric=numeric, row_headers=True), aria_labelledby="authorities"),
           el("section", el("h2", MONTH_TITLE, id="months"),
              table(MONTH_HEADS, month_rows(view), id="t-months", numeric=[1, 2, 3]),
              aria_labelledby="months"),
           el("section", el("h2", "Definitions", id="definitions"),
              el("ul", join(el("li", d) for d in definitions())),
              aria_labelledby="definitions")),
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
    for x in header_lines(view):
        grid.add(x, span=True)
    grid.gap()
    first = grid.add(*[h for _, h, _ in COLUMNS], header=True)
    shown = rows(view)
    last = first
    for n, r in enumerate(shown, 1):
        values = []
        for key, _, _ in COLUMNS:
            v = r.get(key)
            if key == "as_of" and r.get("stale"):
                v = f"{v} (stale)"
            values.append("n/a" if v is None else v)
        last = grid.add(*values, bold=n == len(shown))
    grid.gap()
    for d in definitions():
        grid.add(d, span=True)
    w.grid_sheet("Authorities", grid, filter_rows=(first, last), title_rows=f"{first}:{first}",
                 freeze=f"C{first + 1}")
    months = Grid()
    months.add("Authority", "Month", "Within 20 weeks (ex)", "New plans (ex)", "%", header=True)
    for m in view.months:
        s = small_counts.values(m, view.suppress_below, MONTH_RATIO)
        months.add(s["authority"], s["month"],
                   *("n/a" if s[k] is None else s[k] for k in ("num", "den", "pc")))
    w.grid_sheet("By month", months, filter_rows=(1, len(months.lines)))
    return w.save()
