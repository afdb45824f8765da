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
        (f"Where {f.year} will land (20 weeks, {which} exceptions): {_pc(v['pc_so_far'])} so far "
        f"({v['within_so_far']} of {v['den_so_far']}); best {_pc(v['pc_best'])}, worst "
        f"{_pc(v['pc_worst'])}"),
        f"  {v['open_due_by_year_end']} open cases due by 31 Dec decide it ({v['open_in_time']} "
        f"still in time, {v['open_past_due']} already late); "
        + target_text(getattr(f, f.headline), v, f.target.source),
    ]


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
