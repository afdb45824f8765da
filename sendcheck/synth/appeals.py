"""Synthetic Tribunal orders, concessions, mediations and post-16 moves for `sendcheck synth`.

Drawn whole-column with numpy from their own random stream (so adding them left every other
column of a seed's export as it was). Shares are of the order the national figures give: a
Tribunal appeal on about one appealable decision in fifty a year, half of them conceded before
the authority responds, mediation a little more often, about half of mediations ending in an
agreement. The action after an order, a concession or an agreement is mostly on time, a fifth
late, some still open. For an export of 500 rows or more, each rule's every status is made to
occur at least once (the bundled example shows them all), by setting a few cases' dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sendcheck.judge.durations import bank_holidays

NAT = np.datetime64("NaT", "D")
DAY = np.timedelta64(1, "D")
KINDS = ("Assess", "Make and maintain", "Contents", "Placement only", "Cessation upheld", "Other")
ASSESS, PLAN, AMEND, SCHOOL, CEASE, OTHER = range(6)
# Limits (days) of each action after an order, a concession or an agreement (reg 44(2)).
NOTICE, NO_PLAN, FINAL_AFTER, DRAFT, FINAL, AMENDED, NAMED, CEASED = (14, 70, 98, 35, 77, 35, 14, 0)
# Local wording of the exceptions these limits allow (reg 44(3), 42(5)), by source.
ABSENT_2W, PERSONAL, AGREED = "Absent 2 weeks", "Exceptional personal circumstances", \
    "Timescale agreed in writing"
REASONS = (ABSENT_2W, AGREED)  # appended to the export's own reason labels
REASON_LABELS = (ABSENT_2W, PERSONAL, AGREED)  # what Appeals.reason codes into
STATUSES = ("met", "late", "overdue", "due_soon", "pending", "excepted")


@dataclass
class Appeals:
    dates: dict[str, np.ndarray]
    kinds: dict[str, np.ndarray]  # codes into KINDS, -1 blank
    reason: np.ndarray  # the exception reason to record: codes into REASON_LABELS, -1 none
    touched: np.ndarray  # rows given an appeal exception (their 20-week flag is left blank)
    forced: np.ndarray  # rows whose dates were set to show a status (no faults put in them)


def _days(x) -> np.ndarray:
    return np.rint(np.nan_to_num(np.asarray(x, dtype=float))).astype("int64") * DAY


def _working(start: np.ndarray, n: int) -> np.ndarray:
    """start + n working days (England), whole-column; a start on a closed day rolls back."""
    ok = ~np.isnat(start)
    out = np.full(start.shape, NAT)
    hol = np.array(bank_holidays(), dtype="datetime64[D]")
    out[ok] = np.busday_offset(start[ok], n, roll="backward" if n >= 0 else "forward",
                               holidays=hol)
    return out


def _start_for(rng: np.random.Generator, status: str, limit: int, A: np.datetime64) -> np.datetime64:
    """A start date that gives `status` for a limit of `limit` days, judged on A (28-day window)."""
    r = rng.random()
    if status in ("met", "late"):
        return A - _days(limit + 45 + r * 300)
    if status in ("overdue", "excepted"):
        return A - _days(limit + 1 + r * 90)
    if status == "due_soon":
        return A - _days(limit - r * min(27, limit))
    return A - _days(r * (limit - 29))  # pending: due more than 28 days ahead


def add_months(dates: np.ndarray, k: int) -> np.ndarray:
    """dates + k calendar months, clamped at the month end (as polars' offset_by)."""
    m = dates.astype("datetime64[M]")
    d = (dates - m.astype("datetime64[D]")).astype(int)
    target = m + np.timedelta64(k, "M")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - DAY
    return np.where(np.isnat(dates), NAT, np.minimum(target.astype("datetime64[D]") + d * DAY, last))


def draw(rng: np.random.Generator, as_of: dt.date, refused: np.ndarray, not_issued: np.ndarray,
         plans: np.ndarray, young: np.ndarray, free: np.ndarray) -> Appeals:
    """`refused`, `not_issued`, `plans`: rows whose decision (a refusal to assess, a decision
    not to issue, a plan in force) is old enough to have been appealed in the last 400 days;
    `young`: plans of young people at a post-16 institution; `free`: rows with no exception."""
    n = refused.shape[0]
    A = np.datetime64(as_of, "D")
    big = n >= 500
    u = lambda: rng.random(n)  # noqa: E731 - a fresh uniform column
    # ---- which cases went to the Tribunal, were conceded, or were mediated
    appeal_kind = np.select([refused, not_issued, plans & (u() < 0.55), plans], [
        ASSESS, PLAN, AMEND, np.where(u() < 0.85, SCHOOL, CEASE)], -1)
    appealed = (appeal_kind >= 0) & (u() < 0.035)
    conceded = appealed & (u() < 0.5)
    ordered = appealed & ~conceded
    mediated = (appeal_kind >= 0) & ~appealed & (u() < 0.03)
    agreed = mediated & (u() < 0.55)
    # An agreement may settle something the family could not appeal (reg 42(3)).
    agree_kind = np.where(agreed, np.where(u() < 0.2, OTHER, appeal_kind), -1)
    agree_kind = np.where(agree_kind == CEASE, AMEND, agree_kind)  # only a Tribunal dismisses
    order_kind = np.where(ordered, appeal_kind, -1)
    concede_kind = np.where(conceded & (appeal_kind != CEASE), appeal_kind,
                            np.where(conceded, AMEND, -1))
    starts = {src: A - _days(u() * 400) for src in ("order", "concession", "agreement")}
    reason = np.full(n, -1)
    med_rows = move_rows = np.array([], dtype=int)

    # ---- every status of every rule: a few cases' dates set (exports of 500 rows or more)
    forced = {src: np.full(n, -1) for src in starts}  # index into STATUSES of the forced target
    target = {src: np.full(n, -1) for src in starts}  # which action the target is (its limit)
    if big:
        for src, kinds in (("order", order_kind), ("concession", concede_kind),
                           ("agreement", agree_kind)):
            for kind, limits in ((ASSESS, (NOTICE, FINAL_AFTER, NO_PLAN)), (PLAN, (DRAFT, FINAL)),
                                 (AMEND, (AMENDED,)), (SCHOOL, (NAMED,)), (CEASE, (CEASED,)),
                                 (OTHER, (14,))):
                if (src != "order" and kind == CEASE) or (src != "agreement" and kind == OTHER):
                    continue
                wanted = [(lim, s) for lim in limits for s in STATUSES
                          if not (s == "pending" and lim <= 28)
                          and not (lim == NO_PLAN and s in ("overdue", "due_soon", "pending"))]
                own = (appeal_kind >= 0 if kind == OTHER else
                       np.isin(appeal_kind, [AMEND, SCHOOL, CEASE]) if kind >= AMEND
                       else appeal_kind == kind)
                pool = np.flatnonzero(own & (kinds < 0) & free
                                      & (forced["order"] < 0) & (forced["concession"] < 0)
                                      & (forced["agreement"] < 0) & ~mediated & ~appealed)
                take = rng.choice(pool, size=min(len(pool), len(wanted)), replace=False)
                for row, (lim, status) in zip(take, wanted):
                    kinds[row] = kind
                    forced[src][row], target[src][row] = STATUSES.index(status), lim
                    starts[src][row] = _start_for(rng, status, lim, A)
                    if status == "excepted":
                        reason[row] = 2 if kind == OTHER else (0 if rng.random() < 0.8 else 1)
        agreed = agreed | (agree_kind >= 0)
        mediated = mediated | agreed

    dates: dict[str, np.ndarray] = {}
    has = {"order": order_kind >= 0, "concession": concede_kind >= 0, "agreement": agree_kind >= 0}
    for src in starts:
        starts[src] = np.where(has[src], starts[src], NAT)
    # One action column set, shared: a case has an order, a concession or an agreement.
    start = np.where(has["order"], starts["order"],
                     np.where(has["concession"], starts["concession"], starts["agreement"]))
    kind = np.select([has["order"], has["concession"], has["agreement"]],
                     [order_kind, concede_kind, agree_kind], -1)
    tgt = np.select([has["order"], has["concession"], has["agreement"]],
                    [target["order"], target["concession"], target["agreement"]], -1)
    want = np.select([has["order"], has["concession"], has["agreement"]],
                     [forced["order"], forced["concession"], forced["agreement"]], -1)

    def action(limit: int, rows: np.ndarray) -> np.ndarray:
        """When the action was done: mostly on time, a fifth late, some not yet; a forced case
        as its target status needs (an excepted decision not to issue is recorded, late)."""
        r = rng.random(n)
        on_time = start + _days(rng.uniform(0.35, 1.0, n) * limit)
        late = start + _days(limit + 1 + rng.exponential(15, n))
        done = np.where(r < 0.08, NAT, np.where(r < 0.28, late, on_time))
        st = np.where(tgt == limit, want, -1)
        excused_late = (st == STATUSES.index("excepted")) & (limit == NO_PLAN)
        done = np.select([st == 0, (st == 1) | excused_late, st >= 2], [on_time, late, NAT], done)
        return np.where(rows & (done <= A), done, NAT)  # not done yet where its day is to come

    assess, plan = kind == ASSESS, kind == PLAN
    # After an ordered assessment about one in seven decides not to issue (reg 44(2)(b)(i)).
    no_plan = assess & (((u() < 0.15) & (tgt < 0)) | (tgt == NO_PLAN))
    dates["ordered_assess_notice_date"] = action(NOTICE, assess)
    dates["ordered_no_plan_date"] = action(NO_PLAN, no_plan)
    dates["ordered_final_plan_date"] = np.where(
        assess & ~no_plan, action(FINAL_AFTER, assess), action(FINAL, plan))
    dates["ordered_draft_plan_date"] = action(DRAFT, plan)
    dates["ordered_amended_plan_date"] = np.where(kind == AMEND, action(AMENDED, kind == AMEND),
                                                  action(NAMED, kind == SCHOOL))
    dates["ordered_cease_date"] = action(CEASED, kind == CEASE)
    dates["agreed_action_date"] = action(14, kind == OTHER)
    # A case still to do has a fifth of its actions excused for the reasons the limits allow.
    late_or_open = start + _days(14) < A
    extra = (kind >= 0) & (want < 0) & free & late_or_open & (u() < 0.04)
    reason = np.where(extra & (reason < 0), np.where(u() < 0.8, 0, 1), reason)
    reason = np.where(extra & (kind == OTHER), 2, reason)

    # ---- mediation (ME01-ME03): told, noticed, held, certified
    med = np.where(agreed, starts["agreement"], np.where(mediated, A - _days(u() * 380), NAT))
    request = med - _days(np.where(u() < 0.75, rng.uniform(8, 30, n), 31 + rng.exponential(12, n)))
    notice = _working(med, -5) - _days(np.where(u() < 0.9, rng.uniform(0, 10, n), -rng.uniform(1, 4, n)))
    notice = np.where(notice < request, request, notice)
    cert = np.where(u() < 0.85, _working(med, 3) - _days(rng.integers(0, 3, n)),
                    _working(med, 3) + _days(1 + rng.exponential(4, n)))
    if big:  # ME01 pending, due soon, overdue; ME02 pending; ME03 due soon, overdue
        spare = np.flatnonzero((appeal_kind >= 0) & ~mediated & ~appealed & free
                               & (forced["order"] < 0) & (forced["concession"] < 0))
        rows = med_rows = rng.choice(spare, size=min(len(spare), 6), replace=False)
        plan_rows = [("request", 1), ("request", 10), ("request", 45), ("notice", 3),
                     ("held", 1), ("held", 30)]
        for row, (what, back) in zip(rows, plan_rows):
            mediated[row] = True
            if what == "request":  # told `back` days ago, mediation not yet held
                request[row], med[row], notice[row], cert[row] = A - back * DAY, NAT, NAT, NAT
            elif what == "notice":  # noticed, mediation after the as-of date
                request[row], notice[row], med[row], cert[row] = A - 20 * DAY, A - back * DAY, \
                    A + 10 * DAY, NAT
            else:  # held `back` days ago, no certificate yet
                request[row], med[row], cert[row] = A - (back + 25) * DAY, A - back * DAY, NAT
                notice[row] = _working(np.array([med[row]]), -6)[0]
    for name, col in (("mediation_request_date", request), ("mediation_notice_date", notice),
                      ("mediation_date", med), ("mediation_certificate_date", cert)):
        dates[name] = np.where(mediated & (col <= A), col, NAT)
    dates["mediation_agreement_date"] = np.where(agreed, starts["agreement"], NAT)
    dates["tribunal_order_date"] = starts["order"]
    dates["concession_date"] = starts["concession"]

    # ---- post-16 moves between institutions (PT03: at least 5 months before the move)
    moving = young & (u() < 0.04)
    move = A + _days(rng.uniform(-60, 320, n))
    due = add_months(move, -5)
    if big:  # met, late, overdue, due soon, pending (due days of the month under 29: no clamp)
        pool = np.flatnonzero(young & ~moving)
        forced_moves = ((-200, -5), (-30, 6), (-10, None), (10, None), (100, None))
        rows = move_rows = rng.choice(pool, size=min(len(pool), len(forced_moves)), replace=False)
        for row, (to_due, done) in zip(rows, forced_moves):
            d = A + to_due * DAY
            d = d - max(0, int((d - d.astype("datetime64[M]").astype("datetime64[D]")) / DAY) - 27) * DAY
            moving[row], due[row] = True, d
            move[row] = add_months(np.array([d]), 5)[0]
    review = np.where(u() < 0.7, due - _days(rng.uniform(0, 60, n)), due + _days(rng.uniform(1, 40, n)))
    if big:
        for row, (_, done) in zip(rows, forced_moves):
            review[row] = NAT if done is None else due[row] + done * DAY
    dates["post16_move_date"] = np.where(moving, move, NAT)
    dates["post16_move_plan_date"] = np.where(moving & (review <= A), review, NAT)

    codes = {"tribunal_order_kind": np.where(has["order"], order_kind, -1),
             "concession_kind": np.where(has["concession"], concede_kind, -1),
             "mediation_agreement_kind": np.where(has["agreement"], agree_kind, -1)}
    shown = (want >= 0) | np.isin(np.arange(n), np.concatenate([med_rows, move_rows]))
    if big:  # a kind left blank now and then (DQ41)
        for col in codes.values():
            left = np.flatnonzero((col >= 0) & ~shown)
            if len(left):
                col[rng.choice(left)] = -1
    return Appeals(dates, codes, reason, reason >= 0, shown)
