"""`sendcheck explain FILE ID`: one case's whole history, in date order.

ID is a record id, or a person id: a person with several episodes (requests) gets each of them.

Every event date recorded for the episode, and every rule's start, due date, status and days
over, from the same audit the other reports use (no rule logic here), so a coordinator
answering a parent or the Ombudsman sees what happened when, and what the law required.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sendcheck.audit import Audit
from sendcheck.columns import BY_NAME, PERSONAL
from sendcheck.errors import SendcheckError
from sendcheck.judge.cases import with_episode
from sendcheck.judge.engine import add_messages
from sendcheck.judge.suppress import open_results


def _day(d: dt.date | None) -> str:
    return d.strftime("%a %d/%m/%Y") if d else ""


# Event wording for the timeline; other columns read as their names (advice_ep_requested_date ->
# "advice ep requested"). The coded outcome recorded with a decision is shown beside it.
EVENTS = {
    "request_received_date": ("request for assessment received", None),
    "request_outcome_date": ("decision whether to assess notified", "request_outcome"),
    "assessment_outcome_date": ("decision after assessment notified", "assessment_outcome"),
    "draft_plan_date": ("draft plan sent", None),
    "final_plan_date": ("final plan issued", None),
    "review_decision_date": ("review decision notified", "review_outcome"),
}


def _event(column: str, episode: dict) -> str:
    label, outcome = EVENTS.get(column, (column.removesuffix("_date").replace("_", " "), None))
    value = episode.get(outcome) if outcome else None
    return f"{label} ({value})" if value and value != "?" else label


def episode_rows(audit: Audit, wanted: str) -> tuple[pl.DataFrame, str]:
    """The episodes with this record id, else those of this person id; and which it matched."""
    wanted = wanted.strip()
    found = audit.episodes.filter(pl.col("record_id") == wanted)
    if not found.is_empty():
        return found, "record"
    if "person_id" in audit.episodes.columns:
        found = audit.episodes.filter(pl.col("person_id") == wanted)
        if not found.is_empty():
            return found, "person"
    sample = audit.episodes.get_column("record_id").head(3).to_list()
    people = (" or person id" if "person_id" in audit.episodes.columns else "")
    raise SendcheckError(f"no record id{people} {wanted!r} in the input (record ids look like "
                         f"{', '.join(repr(s) for s in sample)})")


def explain_episode(audit: Audit, episode: dict, personal: bool = False
                    ) -> list[str | list[list[str]]]:
    """The lines of one episode's explanation; the rules table as one item, a list of rows
    (header first), so a terminal can fit it to its width."""
    idx = episode["_idx"]
    rules = audit.rules
    out = [(f"Record {episode['record_id']}: {episode['_source']} row {episode['_row']}, "
           f"as of {_day(audit.options.as_of)}")]
    for col, label in (("person_id", "person"), ("caseworker", "caseworker")):
        if col in episode:
            out.append(f"  {label}: {episode[col] or '(blank)'}")
    if personal:
        for col in PERSONAL:
            if col in episode and episode[col] is not None:
                value = _day(episode[col]) if isinstance(episode[col], dt.date) else episode[col]
                out.append(f"  {col.replace('_', ' ')}: {value}")

    # With --reviews a case's review cycles are findings on the review file's rows: each is
    # shown, with the file and row it came from.
    cycles = audit.reviews.cycles if audit.reviews is not None else None
    # The episode's own findings and its review cycles' (every status: the whole history).
    units = [idx] + ([] if audit.owners is None else
                     audit.owners.filter(pl.col("_ep") == idx).get_column("_idx").to_list())
    res = (with_episode(audit.judgement.findings(units=units), audit.owners)
           .filter(pl.col("_ep") == idx).drop("_ep"))
    res = add_messages(res, rules)
    where = {} if cycles is None else dict(
        cycles.filter(pl.col("_ep") == idx).select(
            "_idx", pl.format("{} row {}", pl.col("_source").str.split("/").list.last(),
                              pl.col("_row"))).iter_rows())
    open_keys = open_results(res, audit.suppressed).select("rule", "kind").rows()
    dated: list[tuple[dt.date, int, str]] = []
    unreadable: list[str] = []
    for col, spec in BY_NAME.items():
        if spec.kind != "date" or col not in episode or (col in PERSONAL and not personal):
            continue
        if episode.get(f"{col}__err"):
            unreadable.append(f"  {col}: {episode.get(f'{col}__raw')!r} is {episode[f'{col}__err']}")
        elif episode[col] is not None:
            dated.append((episode[col], 0, _event(col, episode)))
    for r in res.iter_rows(named=True):
        if r["due"] is None or r["status"] == "not_applicable":
            continue
        code = r["rule"] + (f"/{r['kind']}" if r["kind"] else "")
        limit = rules[r["rule"]].limit.label
        word = "earliest allowed date" if rules[r["rule"]].mode == "earliest" else "due"
        dated.append((r["due"], 1, f"{code} {word} ({limit} from {_day(r['start'])}): {r['status']}"))
    dated.sort(key=lambda t: (t[0], t[1], t[2]))
    out += ["", "Timeline:"]
    out += [f"  {_day(d)}  {text}" for d, _, text in dated] or ["  (no dates recorded)"]
    if unreadable:
        out += ["", "Unreadable dates:"] + unreadable

    out += ["", "Rules:"]
    rows = [["rule", "status", "start", "due", "done", "days", *(["where"] if where else []),
             "what"]]
    order = {code: i for i, code in enumerate(rules)}
    for r in sorted(res.iter_rows(named=True),
                    key=lambda r: (order[r["rule"]], r["kind"] or "", r["start"] or dt.date.min)):
        suppressed = (r["rule"], r["kind"]) not in open_keys and r["status"] not in (
            "met", "pending", "not_applicable")
        # A rule that does not apply has no due date for this case (one worked out from its
        # start would read as a deadline the case had).
        due = None if r["status"] == "not_applicable" else r["due"]
        rows.append([r["rule"] + (f"/{r['kind']}" if r["kind"] else ""),
                     r["status"] + (" (suppressed)" if suppressed else ""),
                     _day(r["start"]), _day(due), _day(r["done"]),
                     "" if r["days_over"] is None else str(r["days_over"]),
                     *([where.get(r["_idx"], "")] if where else []), r["message"]])
    for run in audit.runs:
        if run.skipped:
            rows.append([run.rule.code, "skipped", "", "", "", "", *([""] if where else []),
                         "missing " + ", ".join(run.skipped)])
    out.append(rows)
    dq = audit.quality.filter(pl.col("_idx") == idx)
    if dq.height:
        out += ["", "Data quality:"] + [f"  {c}: {m}" for c, m in dq.select("check", "message").rows()]
    return out


def _plain(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return ["  " + "  ".join(v.ljust(w) for v, w in zip(row, widths)) + "  " + row[-1]
            for row in rows]


def explain(audit: Audit, wanted: str, personal: bool = False, rich: bool = False,
            stream=None, width: int | None = None) -> str:
    """Every episode with record id `wanted`, else every episode of person id `wanted`, as
    text; on a terminal (`rich`, or plain fitted to `width`) with the rules table fitted to its
    width (views/fit.py: no date, code or id cut), returning "" when printed."""
    from sendcheck.views.table import View

    episodes, matched = episode_rows(audit, wanted)
    view = View(rich, stream, width)
    if episodes.height > 1 and matched == "record":
        view.text(f"record id {wanted!r} is on {episodes.height} rows (DQ04); each is shown")
        view.text()
    elif matched == "person":
        ids = ", ".join(episodes.get_column("record_id").to_list())
        view.text(f"person {wanted!r}: {episodes.height} "
                  f"episode{'s' if episodes.height != 1 else ''} (record {ids}); each is shown")
        view.text()
    for n, episode in enumerate(episodes.iter_rows(named=True)):
        if n:
            view.text()
        for item in explain_episode(audit, episode, personal):
            if isinstance(item, str):
                view.text(item)
            elif rich or width:
                view.table(None, item[0], item[1:], optional=("start", "done", "what"))
            else:
                view.lines += _plain(item)
    return "" if rich else view.getvalue()
