"""The figures a person reads first, as sentences and rows shared by the terminal's first
screen and the Markdown summary: the 20-week figure with DfE's field name, England's beside it,
and the caseworkers' cases overdue and due soon."""

from __future__ import annotations

from sendcheck.audit import Audit
from sendcheck.figures.labels import label
from sendcheck.figures.national import latest_twenty_weeks

TWENTY = "final_plan_20w"
# A figure that needs a column the export lacks (JSON null): never shown as 0.
NOT_AVAILABLE = "not available"
HEADLINE_EX, HEADLINE_ALL = "pc_plans_issued_20_weeks_ex", "pc_plans_issued_within_20_weeks"


def headline_field(m: dict) -> str | None:
    """The figure a measure is read by: its percentage excluding exceptions where it has one
    (DfE's headline), else its percentage, else its first count; None when not available."""
    values = m.get("values") or {}
    if not values:
        return None
    pcs = [k for k in values if k.startswith("pc_")]
    return next((k for k in pcs if k.endswith("_ex")), pcs[0] if pcs else next(iter(values)))


def figure(m: dict, field: str) -> tuple[str, str]:
    """A measure's figure as text ("55.8%", or a count) and what it is out of ("384 of 688";
    for a count, its English label)."""
    v = m["values"].get(field)
    if not field.startswith("pc_"):
        return ("-" if v is None else f"{v:,}" if isinstance(v, int) else str(v)), label(field)
    num, den = (m.get("ratios") or {}).get(field, (None, None))
    of = (f"{_n(m['values'].get(num))} of {_n(m['values'].get(den))}"
          if num and m["values"].get(den) is not None else "")
    return ("-" if v is None else f"{v}%" if isinstance(v, (int, float)) else str(v)), of


def _n(v: object) -> str:
    return f"{v:,}" if isinstance(v, int) else "-" if v is None else str(v)


def _share(m: dict, field: str) -> str:
    value, of = figure(m, field)
    return f"{value} ({of})" if of else value


def twenty_weeks(measures: dict) -> dict | None:
    """The 20-week figure in plain English with DfE's field name, from the JSON `measures`."""
    m = (measures.get("items") or {}).get(TWENTY)
    values = (m or {}).get("values") or {}
    field = HEADLINE_EX if values.get(HEADLINE_EX) is not None else HEADLINE_ALL
    v = values.get(field)
    if not isinstance(v, (int, float)):  # none issued, or withheld by --suppress-below
        return None
    text = (f"{v}% of new plans issued within 20 weeks, "
            f"{'excluding' if field == HEADLINE_EX else 'including'} exceptions ({field})")
    other = HEADLINE_ALL if field == HEADLINE_EX else None
    p = m["period"]
    return {"text": text, "field": field, "value": v, "of": figure(m, field)[1],
            "including": _share(m, other) if other and m["values"].get(other) is not None else None,
            "period": f"{p['start']} to {p['end']} ({p['label']})",
            "definition": m["definition"], "label": label(field)}


def national_line() -> str:
    """England's headline figure for the latest published year, as one sentence."""
    y = latest_twenty_weeks()
    return (f"England {y['year']}: {y['pc_plans_issued_20_weeks_ex']}% excluding exceptions "
            f"({y['plans_issued_20_weeks_ex']:,} of {y['plans_issued_den_ex']:,}), "
            f"{y['pc_plans_issued_within_20_weeks']}% including (DfE, {y['release']}).")


def caseload_rows(load: dict, total: str | None = "total") -> list[list[object]]:
    """Caseworker, plans, open assessments, cases overdue, due soon, above benchmark; the
    total last (unless `total` is None). From the JSON `caseload`, so every view reads the
    same numbers."""
    out = []
    rows = load["caseworkers"] + ([{**load["total"], "caseworker": total}] if total else [])
    for r in rows:
        over = [w for w, k in (("plans", "over_plans"), ("assessments", "over_assessments"))
                if r.get(k)]
        real = "over_plans" in r and r["caseworker"] != "(unallocated)"
        out.append([r["caseworker"], *[NOT_AVAILABLE if r[k] is None else r[k] for k in (
                    "plans_in_force", "open_assessments", "cases_overdue", "cases_due_soon")],
                    ", ".join(over) or ("no" if real else "")])
    return out


def case_totals(audit: Audit) -> dict[str, int]:
    """Cases overdue and due soon (judge/cases.py's one definition), over the whole run."""
    from sendcheck.judge.cases import case_counts

    return case_counts(audit.cases)
