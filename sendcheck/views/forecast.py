"""The year's 20-week forecast in words: the first screen's lines and the HTML report's card."""

from __future__ import annotations

from sendcheck.figures.forecast import Forecast, forecast_json


def _pc(v: object) -> str:
    return f"{v}%" if isinstance(v, float) else "-" if v is None else str(v)


def summary_lines(f: Forecast, below: int | None = None) -> list[str]:
    """Two plain lines for the first screen (excluding exceptions, DfE's headline, where the
    export records exceptions)."""
    if not f.available:
        return [f"Where {f.year} will land: {f.reason}"]
    v = forecast_json(f, below)[f.headline]
    which = "excl." if f.headline == "excluding" else "incl."
    return [
        (f"Where {f.year} will land (20 weeks, {which} exceptions): likely "
         f"{_pc(v['pc_likely'])} (best {_pc(v['pc_best'])}, worst {_pc(v['pc_worst'])}); "
         f"{_pc(v['pc_so_far'])} so far ({v['within_so_far']} of {v['den_so_far']})"),
        f"  {v['open_due_by_year_end']} open cases due by 31 Dec decide it ({v['open_in_time']} "
        f"still in time, {v['open_past_due']} already late); "
        + target_text(getattr(f, f.headline), v, f.target.source),
    ]


def sentence(f: Forecast, below: int | None = None) -> str:
    """The forecast in one sentence: the likely landing beside best and worst, and how many of
    the cases still in time must be on time to reach the target."""
    if not f.available:
        return f"Where {f.year} will land: {f.reason}."
    v = forecast_json(f, below)[f.headline]
    raw = getattr(f, f.headline)
    which = "leaving out exception cases" if f.headline == "excluding" else "exceptions counted"
    likely = (f"is likely to land near {_pc(v['pc_likely'])}" if v["pc_likely"] is not None
              else "cannot be forecast from past plans")
    pace = (f", if the {v['open_in_time']:,} open cases still in time are issued on time as "
            f"often as the council's own cases at the same stage were in the last 12 months"
            if v["pc_likely"] is not None and isinstance(v["open_in_time"], int) else "")
    return (f"The {f.year} 20-week figure ({which}) {likely} (best {_pc(v['pc_best'])}, worst "
            f"{_pc(v['pc_worst'])}, {_pc(v['pc_so_far'])} so far){pace}; "
            + target_text(raw, v, f.target.source) + ".")


def target_text(raw: dict, shown: dict, source: str) -> str:
    """What reaching the target takes, in words (`raw` decides, `shown` is printed)."""
    goal = f"{raw['target']}% ({source})"
    k = shown["must_be_on_time"]
    if raw["best_den"] == 0:
        return f"nothing to measure against {goal}"
    if raw["must_be_on_time"] is None:
        return f"{goal} is out of reach even if every case still in time is on time"
    if raw["must_be_on_time"] == 0:
        return f"{goal} is reached whatever happens"
    return f"{k} of the {shown['open_in_time']} still in time must be on time to reach {goal}"


FIGURES = (("pc_so_far", "% within 20 weeks so far"),
           ("pc_likely", "likely % by 31 December (own recent pace)"),
           ("within_so_far", "plans within 20 weeks so far"),
           ("den_so_far", "plans issued so far"), ("pc_best", "best % by 31 December"),
           ("pc_worst", "worst % by 31 December"),
           ("open_due_by_year_end", "open cases due by 31 December (decide the year)"),
           ("open_in_time", "of which still in time"), ("open_past_due", "of which already late"),
           ("open_due_next_year", "open cases due after 31 December (next year's)"),
           ("target", "target %"), ("must_be_on_time", "still in time that must be on time"))


def forecast_tables(f: dict) -> tuple[list[str], list[list], list[str], list[list]]:
    """The forecast as two labelled tables (figures by variant; best and worst by month end),
    from the JSON's `measures.forecast_20w`, for the workbook."""
    variants = [k for k in ("excluding", "including") if f.get(k)]
    head = ["Figure", *[f"{k.capitalize()} exceptions" for k in variants]]
    rows = [[label, *[("out of reach" if key == "must_be_on_time" and f[k][key] is None
                       else f[k][key]) for k in variants]] for key, label in FIGURES]
    sfx = {"excluding": "_ex", "including": ""}
    month_head = ["Month end", *[f"{w} % {k}" for k in variants for w in ("Best", "Worst")]]
    months = [[m["end"], *[m[f"pc_{w}{sfx[k]}"] for k in variants for w in ("best", "worst")]]
              for m in f["months"]]
    return head, rows, month_head, months
