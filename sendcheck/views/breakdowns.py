"""The JSON `breakdowns` as rows a person reads (table, markdown, workbook, HTML): per group, the
20-week figure, the open backlog and the cases overdue and due soon, with the whole last, so a
reader sees the groups add up."""

from __future__ import annotations

HEADERS = ["group", "new plans (excl. exceptions)", "within 20 weeks", "% within",
           "open assessments", "open past 20 weeks", "cases overdue", "cases due soon"]
NONE_ISSUED = "none issued"


def pc_text(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.1f}%"
    return NONE_ISSUED if value is None else str(value)  # "<5": withheld by --suppress-below


def _count(value: object) -> object:
    return "-" if value is None else value


def breakdown_rows(b: dict) -> list[list[object]]:
    """One row per group, then the whole (TOTAL)."""
    return [[g["group"], _count(g["plans_issued_den_ex"]), _count(g["plans_issued_20_weeks_ex"]),
             pc_text(g["pc_plans_issued_20_weeks_ex"]), _count(g["open_assessments"]),
             _count(g["open_past_20_weeks"]), g["cases_overdue"], g["cases_due_soon"]]
            for g in [*b["groups"], b["total"]]]


def title(b: dict) -> str:
    return f"By {b['title'].lower()} ({b['column']})"


def breakdown_lines(b: dict) -> list[str]:
    """The note under a breakdown: its definition, or why it is not available."""
    if not b["available"]:
        return [f"{title(b)}: {b['reason']}"]
    small = (f"; counts under {b['suppress_below']} shown as <{b['suppress_below']}"
             if b["suppress_below"] else "")
    return [f"  {b['definition']}{small}"]


def render_breakdowns(view, data: list[dict]) -> None:
    """The table view's sections (views/table.View)."""
    for b in data:
        view.text()
        if not b["available"]:
            view.text(breakdown_lines(b)[0])
            continue
        view.table(title(b), HEADERS, breakdown_rows(b),
                   optional=("open past 20 weeks", "cases due soon"))
        for line in breakdown_lines(b):
            view.text(line)


def markdown_breakdowns(data: list[dict], cell) -> list[str]:
    """`## Breakdowns`: a table per dimension. `cell` escapes text for a Markdown table."""
    out = ["", "## Breakdowns"]
    for b in data:
        out += ["", f"### {cell(title(b))}", ""]
        if not b["available"]:
            out.append(cell(b["reason"]) + ".")
            continue
        out.append("| " + " | ".join(HEADERS) + " |")
        out.append("|" + "---|" * len(HEADERS))
        out += ["| " + " | ".join(cell(v) for v in r) + " |" for r in breakdown_rows(b)]
        out += ["", f"_{cell(breakdown_lines(b)[0].strip())}._"]
    return out


def workbook_breakdowns(grid, data: list[dict]) -> None:
    """The Breakdowns sheet's tables on `grid` (views/xlsx.Grid), percentages as Excel cells."""
    from sendcheck.views.xlsx import pct

    for b in data:
        grid.add(title(b), bold=True, span=True)
        if not b["available"]:
            grid.add(b["reason"], span=True)
            grid.gap()
            continue
        grid.add(*HEADERS, header=True)
        whole = [*b["groups"], b["total"]]
        for i, (r, g) in enumerate(zip(breakdown_rows(b), whole)):
            value = g["pc_plans_issued_20_weeks_ex"]
            grid.add(*r[:3], pct(value) if isinstance(value, (int, float)) else r[3], *r[4:],
                     bold=i == len(whole) - 1)
        grid.add(breakdown_lines(b)[0].strip(), span=True)
        grid.gap()


TREND_HEADERS = ["month", "new plans (excl. exceptions)", "within 20 weeks", "% within"]


def trend_rows(rows: list[dict]) -> list[list[object]]:
    """A group's months (already suppressed): the 20-week figure, excluding exceptions."""
    return [[r["month"] + (" (to date)" if r["partial"] else ""), _count(r["plans_issued_den_ex"]),
             _count(r["plans_issued_20_weeks_ex"]), pc_text(r["pc_plans_issued_20_weeks_ex"])]
            for r in rows]


def render_trend_by(view, data: list[dict]) -> None:
    """`trend --by` on the table view: a small table of months per group, the whole last."""
    for b in data:
        view.text()
        if not b["available"]:
            view.text(f"By {b['title'].lower()}: {b['reason']}")
            continue
        for group, rows in b["groups"].items():
            view.table(f"By {b['title'].lower()} ({b['column']}): {group}", TREND_HEADERS,
                       trend_rows(rows))


def trend_by_rows(data: list[dict]) -> list[dict]:
    """`trend --by --format csv`: one row per dimension, group and month."""
    return [{"by": b["by"], "group": group, **r} for b in data if b["available"]
            for group, rows in b["groups"].items() for r in rows]
