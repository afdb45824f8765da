"""Our 20-week figure and phase transfers beside DfE's published ones (the JSON `benchmark`): the
authority's own published figure, its region's, England's, and its ten statistical neighbours'
median, range and our rank among the eleven.

Every published figure is DfE's as shipped (figures/published.py); an `x` stays unavailable
(value None with its symbol), never 0, and is left out of the median, range and rank, which say
how many figures they are over. Rank 1 is the highest share on time.
"""

from __future__ import annotations

import statistics

from sendcheck.audit import Audit
from sendcheck.figures import published as pub

TWENTY_EX, TWENTY_ALL = "pc_plans_issued_20_weeks_ex", "pc_plans_issued_within_20_weeks"
# A percentage field -> the counts it is made of (DfE's names).
COUNTS = {TWENTY_EX: ("plans_issued_20_weeks_ex", "plans_issued_den_ex"),
          TWENTY_ALL: ("plans_issued_within_20_weeks", "plans_issued_den")}
LABELS = {TWENTY_EX: "new plans within 20 weeks, excluding exceptions",
          TWENTY_ALL: "new plans within 20 weeks, including exceptions"}
PHASE = "pc_finalised"
PHASE_OURS = "pc_phase_transfers_by_deadline"
PHASE_DEFINITION = (
    "published: final plans issued after a phase-transfer review (final_YY), per 100 reviews "
    "due (due_YY), over the years DfE's file gives; derived by sendcheck from DfE's counts, as "
    "DfE publishes no percentage. Ours: phase transfers due in the period with the amended plan "
    "by the deadline (reg 18), a different cut of the same duty")
NO_ROW = "DfE published none"  # no row for the authority (Leicester's 2025 timeliness)


def _entry(name: str, value: float | None, num: int | None, den: int | None,
           symbol: str | None) -> dict:
    return {"name": name, "value": value, "num": num, "den": den,
            "available": value is not None, "symbol": None if value is not None else symbol}


def _timeliness_entry(name: str, t: pub.Timeliness | None, field: str) -> dict:
    if t is None:
        return _entry(name, None, None, None, NO_ROW)
    num, den = COUNTS[field]
    return _entry(name, t.values[field], t.values[num], t.values[den], t.symbols.get(field, "x"))


def _phase_entry(name: str, p: pub.PhaseTransfers | None) -> dict:
    if p is None:
        return _entry(name, None, None, None, NO_ROW)
    due, final = list(p.due.values()), list(p.final.values())
    whole = None not in due and None not in final
    out = _entry(name, p.pc_finalised, sum(final) if whole else None,
                 sum(due) if whole else None, "x" if p.symbols else "none due")
    out["counts"] = {"number_plans": p.number_plans,
                     **{f"due_{y}": v for y, v in p.due.items()},
                     **{f"final_{y}": v for y, v in p.final.items()}}
    return out


def rank(value: float | None, others: list[float]) -> dict | None:
    """Where `value` stands among itself and `others` (1 = highest), and out of how many."""
    if not isinstance(value, (int, float)):
        return None
    return {"rank": 1 + sum(o > value for o in others), "of": 1 + len(others)}


def _spread(ours_now: dict | None, own: dict, entries: list[dict]) -> dict:
    values = [e["value"] for e in entries if e["value"] is not None]
    return {
        "items": entries,
        "available": len(values),
        "not_available": [e["name"] for e in entries if e["value"] is None],
        "median": round(statistics.median(values), 1) if values else None,
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "rank_published": rank(own["value"], values),
        "rank_now": rank((ours_now or {}).get("value"), values),
    }


def _ours(item: dict | None, field: str, counts: tuple[str, str] | None) -> dict | None:
    """Our figure now from the JSON `measures` item (already suppressed where asked): value,
    counts and period; None when the measure was not computed."""
    if not item:
        return None
    values = item.get("values") or {}
    value = values.get(field)
    p = item["period"]
    out = {"value": value if isinstance(value, (int, float)) else None,
           "num": values.get(counts[0]) if counts else None,
           "den": values.get(counts[1]) if counts else None,
           "period": f"{p['start']} to {p['end']} ({p['label']})",
           "available": isinstance(value, (int, float))}
    if not out["available"]:
        out["reason"] = (item.get("reason") or (f"withheld ({value})" if value else
                                                "none in the period"))
    return out


def compare(a: pub.Authority, items: dict | None, source: str | None) -> dict:
    """The JSON `benchmark` for authority `a`; `items` are the JSON `measures` items (our own
    figures now), None where only the published figures are wanted."""
    items = items or {}
    region, england = pub.region(a.region_code), pub.england()
    ns = pub.neighbours(a.old_la_code)
    year = max((y for y in pub.timeliness(a.old_la_code)), default=pub.latest_year())
    twenty = {}
    for field in (TWENTY_EX, TWENTY_ALL):
        own = _timeliness_entry(a.name, pub.timeliness(a.old_la_code).get(year), field)
        ours_now = _ours(items.get("final_plan_20w"), field, COUNTS[field])
        twenty[field] = {
            "label": LABELS[field], "ours_now": ours_now, "published": own,
            "region": _timeliness_entry(region.name, region.timeliness.get(year), field),
            "england": _timeliness_entry("England", england.timeliness.get(year), field),
            "neighbours": _spread(ours_now, own, [
                {"rank": n.rank, "old_la_code": n.authority.old_la_code,
                 **_timeliness_entry(n.authority.name,
                                     pub.timeliness(n.authority.old_la_code).get(year), field)}
                for n in ns]),
        }
    own_pt = _phase_entry(a.name, pub.phase_transfers(a.old_la_code))
    ours_pt = _ours(items.get("phase_transfers"), PHASE_OURS,
                    ("phase_transfers_by_deadline", "phase_transfers_due"))
    phase = {
        "label": "phase transfers: final plans per 100 reviews due", "definition":
        PHASE_DEFINITION, "ours_now": ours_pt, "published": own_pt,
        "region": _phase_entry(region.name, region.phase_transfers),
        "england": _phase_entry("England", england.phase_transfers),
        "neighbours": _spread(None, own_pt, [
            {"rank": n.rank, "old_la_code": n.authority.old_la_code,
             **_phase_entry(n.authority.name, pub.phase_transfers(n.authority.old_la_code))}
            for n in ns]),
    }
    about = pub.about()
    return {
        "authority": {"old_la_code": a.old_la_code, "new_la_code": a.new_la_code,
                      "name": a.name, "region_code": a.region_code,
                      "region_name": a.region_name, "source": source},
        "year": year,
        "release": {"title": about["title"], "publisher": about["publisher"],
                    "reporting_year": about["reporting_year"], "url": about["url"],
                    "licence": about["licence"], "attribution": pub.attribution()},
        "twenty_weeks": twenty,
        "phase_transfers": phase,
    }


CONFIG_SOURCE = "[authority] code in sendcheck.toml"
LEA_SOURCE = "the SEN2 return's header LEA"
NO_AUTHORITY = "neighbours: set [authority] code = \"941\" (yours) in sendcheck.toml"


def authority_of(audit: Audit) -> tuple[pub.Authority | None, str]:
    """The authority a run is about, and where that came from (or why there is none):
    [authority] code in sendcheck.toml, else a SEN2 return's header LEA."""
    if audit.config.authority:
        return pub.authority(audit.config.authority), CONFIG_SOURCE
    leas = {str(getattr(t, "header", {}).get("LEA", "")).strip() for t in audit.tables} - {""}
    if len(leas) == 1:
        lea = leas.pop()
        try:
            return pub.authority(lea), LEA_SOURCE
        except pub.UnknownAuthority:
            return None, (f"the SEN2 return's header LEA {lea} is not an English authority in "
                          f"DfE's lookup: put [authority] code in sendcheck.toml to compare "
                          f"with neighbours")
    return None, NO_AUTHORITY


def benchmark_for(audit: Audit, items: dict | None) -> dict:
    """The JSON `benchmark` for an audit: the comparison and the reconciliation with DfE, or
    `authority` null and the reason when the run names no authority."""
    from sendcheck.figures.measures import measure_rules
    from sendcheck.figures.reconcile import reconcile
    from sendcheck.read.sen2 import return_year

    a, source = authority_of(audit)
    if a is None:
        return {"authority": None, "note": source}
    out = compare(a, items, source)
    below = getattr(audit.headline, "suppress_below", None)
    rule = measure_rules(audit.options.rules_dir)["AS05"]
    out["reconciliation"] = reconcile(audit.episodes, rule, a, audit.options.as_of, below,
                                      return_year(audit.tables))
    return out
