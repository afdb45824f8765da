"""Synthetic case-management exports (`sendcheck synth`): realistic, deterministic for a seed, never real.

The generator draws whole columns at once with numpy (no loop over episodes), so a million
episodes take seconds. The shape follows national figures (timescales.md section 4, sen2.md):
about a quarter of requests refused, about half of new plans within 20 weeks, a few per cent
flagged as exceptions, annual reviews with a backlog, Year 6 and Year 11 phase-transfer
cohorts, plans transferred in from other authorities, re-assessments and ceased plans with SEN2
cease reasons. A small share of cells carry the faults real exports have (unreadable and
contradictory dates, duplicated rows, blank caseworkers, unknown codes), so every data-quality
path is exercised. Names are invented syllables, UPNs use the non-existent LA number 999 and
person ids start `SYN`: nothing can be mistaken for a real child.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from sendcheck.columns import CEASE_REASONS
from sendcheck.errors import SendcheckError
from sendcheck.synth import appeals

NAT = np.datetime64("NaT", "D")
DAY = np.timedelta64(1, "D")
DEFAULT_AS_OF = dt.date(2025, 3, 31)  # fixed, so a seed gives the same file on any day
EPISODES_PER_CASEWORKER = 250  # above the example's size; reported loads are 150-250 (sen2.md s4)

# Council-style headers, in export order; each maps to its canonical column through
# sendcheck.columns without any configuration (a test checks this).
HEADERS: dict[str, str] = {
    "record_id": "Case Ref",
    "person_id": "Child ID",
    "upn": "UPN",
    "forename": "Forename",
    "surname": "Surname",
    "birth_date": "Date of Birth",
    "nc_year": "NC Year",
    "caseworker": "EHC Co-ordinator",
    "request_received_date": "Date Request Received",
    "request_outcome": "Decision to Assess",
    "request_outcome_date": "Date of Decision to Assess",
    "advice_ep_requested_date": "EP Advice Requested",
    "advice_ep_received_date": "EP Advice Received",
    "advice_health_requested_date": "Health Advice Requested",
    "advice_health_received_date": "Health Advice Received",
    "advice_social_care_requested_date": "Social Care Advice Requested",
    "advice_social_care_received_date": "Social Care Advice Received",
    "advice_education_requested_date": "Education Advice Requested",
    "advice_education_received_date": "Education Advice Received",
    "assessment_outcome": "Decision to Issue",
    "assessment_outcome_date": "Decision to Issue Date",
    "exception_20w": "20 Week Exception",
    "exception_reason": "Exception Reason",
    "draft_plan_date": "Draft EHCP Issued",
    "final_plan_date": "Final EHCP Issued",
    "review_meeting_date": "Annual Review Date",
    "review_decision_date": "Annual Review Decision Date",
    "review_outcome": "Annual Review Outcome",
    "amendment_notice_date": "Draft Amended Plan Issued",
    "amended_plan_date": "Final Amended Plan Issued",
    "phase_transfer_due_date": "Phase Transfer Due Date",
    "phase_transfer_final_date": "Phase Transfer Final Plan Issued",
    "plan_cease_date": "Date Ceased",
    "cease_reason": "Cease Reason",
    "transfer_in_date": "Date Transferred In",
    "transfer_in_la": "Transferred From LA",
    "transfer_in_notice_date": "Transfer Letter Date",
    "reassessment_request_date": "Reassessment Request Date",
    "reassessment_decision_date": "Reassessment Decision Date",
    "reassessment_plan_date": "Reassessment Plan Issued",
    "post16_move_date": "Post-16 Move Date",
    "post16_move_plan_date": "Post-16 Move Plan Date",
    "tribunal_order_date": "Tribunal Order Date",
    "tribunal_order_kind": "Tribunal Order Type",
    "concession_date": "Date LA Conceded",
    "concession_kind": "Concession Type",
    "mediation_request_date": "Mediation Requested",
    "mediation_notice_date": "Mediation Notice Date",
    "mediation_date": "Date of Mediation",
    "mediation_certificate_date": "Mediation Certificate Issued",
    "mediation_agreement_date": "Mediation Agreement Date",
    "mediation_agreement_kind": "Mediation Agreement Type",
    "agreed_action_date": "Agreed Action Completed",
    "ordered_assess_notice_date": "Date Notified Will Assess",
    "ordered_no_plan_date": "Decision Not to Issue After Tribunal",
    "ordered_draft_plan_date": "Draft Plan After Tribunal",
    "ordered_final_plan_date": "Final Plan After Tribunal",
    "ordered_amended_plan_date": "Amended Plan After Tribunal",
    "ordered_cease_date": "Ceased After Tribunal",
    "primary_need": "Primary Need",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "setting": "Setting",
    "team": "Team",
}
# Columns councils export that sendcheck does not use (shown as "Headers not used").
EXTRA_HEADERS = ("Funding Band",)
FUNDING_BANDS = ("A", "B", "C", "D", "E")

ADVICE = {"ep": 0.92, "health": 0.88, "social_care": 0.72, "education": 0.95}  # share requested
KINDS = tuple(ADVICE)

# Invented, clearly synthetic names (privacy tests look for these in outputs).
_SYL_A = ("Bram", "Cald", "Dorn", "Elm", "Fen", "Gar", "Hol", "Ister", "Jut", "Kel", "Lorr", "Marn",
          "Nor", "Oak", "Pell", "Quill", "Rath", "Sorb", "Tarn", "Umber", "Vell", "Wend", "Yarr")
_SYL_B = ("wick", "ridge", "stow", "by", "ham", "ton", "field", "mere", "shaw", "holt", "combe",
          "worth", "ley", "dale", "thorpe")
FORENAMES = ("Arlo", "Bexley", "Cosmo", "Dara", "Eska", "Florin", "Gwyn", "Hollis", "Ines", "Juno",
             "Kit", "Lumi", "Marlo", "Nell", "Orrin", "Perri", "Quin", "Rumi", "Sorrel", "Tamsin",
             "Ulla", "Vesper", "Wren", "Yael", "Zoë", "Chloé", "Renée", "Anaïs")
CW_FORENAME_INITIALS = "ABCDEFGHJKLMNPRSTW"
CW_SURNAMES = ("Ashdown", "Brightwell", "Carrow", "Dunmore", "Eastleigh", "Fairclough", "Greaves",
               "Hartfield", "Ingleby", "Jessop", "Kirkland", "Lowther", "Mayhew", "Northcott",
               "Oldroyd", "Penhale", "Quarrie", "Rosser", "Stanier", "Thwaite", "Upcott",
               "Varley", "Whitlow", "Yelland")
OTHER_LAS = ("Northvale County Council", "Eastmoor Borough Council", "Westbury City Council",
             "Southfen District", "Highcliff Council", "Lowmarsh Borough")
# The characteristics follow DfE's national figures, "Education, health and care plans",
# reporting year 2026 (explore-education-statistics; Open Government Licence v3.0), England, as
# counts of plans (weights, not rounded shares). Read from the release's CSVs as stored in
# MastodonC/witan.send.benchmarking (resources/education-health-and-care-plans_2026/data/).
# Primary need: EHC plans at January 2025 by primary type of need (the "by primary type of need"
# data set, 2024/25 national "All EHC plans" row; DS is x there, so not drawn); "" is DfE's
# number_need_unknown, written as a blank cell.
NEED_SHARES = {"ASD": 201183, "SEMH": 132218, "SLCN": 135835, "MLD": 67861, "SPLD": 15030,
               "SLD": 25025, "PD": 24897, "HI": 8765, "VI": 5280, "PMLD": 8577, "MSI": 1692,
               "OTH": 7512, "": 4870}
# caseload.csv, 2025/26 (January 2026) national rows: Sex; Ethnicity (DfE's labels);
# setting groups from the "All EHC plans" row (mainstream_total, special_total, ap_pru_total,
# fe_total, ed_elsewhere, nm_early_years; placement_unknown as a blank cell).
SEX_SHARES = {"Male": 501965, "Female": 216873}
ETHNICITY_SHARES = {
    "White - White British": 466024, "White - Irish": 1686,
    "White - Traveller of Irish heritage": 926, "White - Gypsy/Roma": 2580,
    "White - Any other White background": 30826, "Mixed - White and Black Caribbean": 14310,
    "Mixed - White and Black African": 6356, "Mixed - White and Asian": 8357,
    "Mixed - Any other Mixed background": 18298, "Asian - Indian": 12243,
    "Asian - Pakistani": 24206, "Asian - Bangladeshi": 10533, "Asian - Chinese": 1990,
    "Asian - Any other Asian background": 11679, "Black - Black Caribbean": 8405,
    "Black - Black African": 27731, "Black - Any other Black background": 7557,
    "Any other ethnic group": 12055, "Unclassified": 53076}
SETTING_SHARES = {"Mainstream school": 326804, "Special school": 211442,
                  "Alternative provision or pupil referral unit": 5530,
                  "Further education": 100815, "Educated elsewhere": 62386,
                  "Non-maintained early years": 4936, "": 6925}
# caseload.csv, 2025/26 national rows "Age when plan started" (the 42 "unknown" left out), as
# the age at which the episodes' requests are drawn, in four groups.
AGE_SHARES = {2: 5217, 3: 47984, 4: 123430, 5: 63299, 6: 53662, 7: 56004, 8: 51917, 9: 54162,
              10: 73876, 11: 56853, 12: 26993, 13: 30070, 14: 29453, 15: 21852, 16: 14277,
              17: 5073, 18: 2448, 19: 1179, 20: 1047}


def _age_bands(groups: tuple[tuple[int, int], ...]) -> tuple[tuple[float, int, int], ...]:
    """(share of those not in an earlier group, lowest age, age bound) per group of ages: the
    chances np.select's conditions draw in turn. "2 and under" starts at 1, "20 and over" ends
    at 22."""
    total, left, out = sum(AGE_SHARES.values()), 1.0, []
    for lo, hi in groups:
        share = sum(w for a, w in AGE_SHARES.items() if lo <= a < hi) / total
        out.append((share / left if left else 0.0, max(lo, 1), min(hi, 22)))
        left -= share
    return tuple(out)


AGE_BANDS = _age_bands(((0, 5), (5, 11), (11, 16), (16, 23)))
TEAMS = ("North", "South", "East", "West", "Post-16", "Early Years")

# Local wording for exception reasons, and their share among exception cases.
EXCEPTION_WORDS = {
    "School closure": 0.34, "Exceptional personal circumstances": 0.28, "Absent from area": 0.14,
    "Early years provider closure": 0.08, "Missed appointment": 0.09, "COVID-19": 0.07,
}
# SEN2 CeaseReason (sen2.md section 2) and rough shares among plans ceased before age 25.
CEASE_SHARES = {"2": 0.24, "3": 0.05, "4": 0.08, "5": 0.22, "6": 0.12, "7": 0.03, "8": 0.01,
                "9": 0.25}
OUTCOMES = ("Agreed", "Refused", "Withdrawn")
YES_NO = ("Yes", "No")
ISSUE_OUTCOMES = (*YES_NO, "Withdrawn")  # decision to issue: yes, no, or the request withdrawn
REASONS = (*EXCEPTION_WORDS, *appeals.REASONS)
REVIEW_OUTCOMES = ("Maintain", "Amend", "Cease")
CEASE_CODES = CEASE_REASONS  # SEN2 CeaseReason 1-9
NC_YEARS = ("N1", "N2", "R", *(str(i) for i in range(1, 15)))
UNREADABLE = ("TBC", "31/02/2024", "n/a", "?", "see notes", "30/02/2023")
COVID_FROM, COVID_TO = np.datetime64("2020-05-01"), np.datetime64("2020-09-25")


@dataclass
class Synthetic:
    """A generated export: typed columns plus, per date column, text that replaces the date.

    `dates` hold real dates (null where blank); `text` holds what a cell shows instead (an
    unreadable value, or a date typed as text in Excel) and is null elsewhere.
    """

    frame: pl.DataFrame  # canonical column names; date columns are pl.Date
    text: pl.DataFrame  # same height; one String column per date column
    as_of: dt.date
    seed: int
    kind: str = "export"  # or "reviews" (a review-history list): headers, title and sheet name
    # The export's per-episode review columns before faults were put in, in episode order, with
    # the episode order of the rows: what `review_history()` draws the earlier meetings from.
    plans: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def date_columns(self) -> list[str]:
        return self.text.columns


def _days(x: np.ndarray) -> np.ndarray:
    """Whole days from floats (NaN, where the date it shifts is blank, becomes 0)."""
    return np.rint(np.nan_to_num(x)).astype("int64") * DAY


# Coded columns are drawn as integer codes into a tuple of labels (-1 = blank) and turned into
# text only when the frame is built: numpy object arrays of strings are far too slow at 1M rows.


def _pick(rng: np.random.Generator, shares: dict[str, float], n: int,
          labels: tuple[str, ...] | None = None) -> np.ndarray:
    """Codes drawn with the given shares, as positions in `labels` (default: the shares' keys)."""
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    at = np.array([(labels or keys).index(k) for k in keys])
    return at[rng.choice(len(keys), size=n, p=p / p.sum())]


def _blank_pick(rng: np.random.Generator, shares: dict[str, float], n: int) -> tuple:
    """(labels, codes) drawn with the shares, where the key "" is a blank cell (code -1)."""
    labels = tuple(k for k in shares if k)
    codes = _pick(rng, shares, n, (*labels, ""))
    return labels, np.where(codes == len(labels), -1, codes)


def characteristics(rng: np.random.Generator, n: int, person: np.ndarray) -> dict[str, tuple]:
    """Primary need, sex, ethnicity, setting and a funding band, by DfE's national shares, from
    a stream of their own; a child's sex and ethnicity are the same on each of their episodes."""
    sex, ethnicity = _blank_pick(rng, SEX_SHARES, n), _blank_pick(rng, ETHNICITY_SHARES, n)
    return {
        "primary_need": _blank_pick(rng, NEED_SHARES, n),
        "sex": (sex[0], sex[1][person]), "ethnicity": (ethnicity[0], ethnicity[1][person]),
        "setting": _blank_pick(rng, SETTING_SHARES, n),
        "Funding Band": (FUNDING_BANDS, rng.integers(0, len(FUNDING_BANDS), n)),
    }


def _text(labels: tuple[str, ...] | list[str], codes: np.ndarray, name: str = "") -> pl.Series:
    """Labels for codes; -1 is a blank cell."""
    codes = np.asarray(codes)
    table = pl.Series(name, [*labels, None], dtype=pl.String)  # the last entry is the blank
    return table.gather(np.where(codes < 0, len(labels), codes))


def _upto(dates: np.ndarray, limit: np.datetime64) -> np.ndarray:
    """Dates after `limit` have not happened yet: blank them."""
    return np.where(dates <= limit, dates, NAT)


def _some(rng: np.random.Generator, mask: np.ndarray, share: float, at_least: int) -> np.ndarray:
    """A random subset of the rows in `mask`: `share` of them, but at least `at_least`."""
    where = np.flatnonzero(mask)
    k = min(len(where), max(at_least, int(round(share * len(where)))))
    out = np.zeros(mask.shape, dtype=bool)
    out[rng.choice(where, size=k, replace=False)] = True
    return out


def _add_years(dates: np.ndarray, years: int) -> np.ndarray:
    """Anniversaries, 29 February clamped to 28 February."""
    y = dates.astype("datetime64[Y]")
    m = dates.astype("datetime64[M]")
    d = (dates - m.astype("datetime64[D]")).astype(int)
    target = (m + np.timedelta64(12 * years, "M"))
    last = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - DAY)
    out = np.minimum(target.astype("datetime64[D]") + d * DAY, last)
    return np.where(np.isnat(y), NAT, out)


def generate(episodes: int, seed: int = 0, as_of: dt.date = DEFAULT_AS_OF) -> Synthetic:
    """Draw `episodes` rows. The same (episodes, seed, as_of) always gives the same data."""
    if episodes < 1:
        raise SendcheckError("--episodes must be at least 1")
    n = episodes
    rng = np.random.default_rng(seed)
    A = np.datetime64(as_of, "D")
    u = lambda: rng.random(n)  # noqa: E731 - a fresh uniform column, used everywhere below

    # ---- who and when: a request (or a plan transferred in), the child's age at that date
    transfer_in = u() < 0.03
    # Requests over six years, more recent ones more common (requests grew ~10% a year).
    span = 6.0
    years_back = -np.log(1 - u() * (1 - np.exp(-span / 2.5))) * 2.5
    request = A - _days(years_back * 365.25)
    transfer = A - _days(u() * 730)
    anchor = np.where(transfer_in, transfer, request)
    # Age at the request in DfE's national age groups when plans started (AGE_BANDS), uniform
    # within each group.
    (p1, lo1, hi1), (p2, lo2, hi2), (p3, lo3, hi3), (_, lo4, hi4) = AGE_BANDS
    age = np.select([u() < p1, u() < p2, u() < p3], [
        rng.uniform(lo1, hi1, n), rng.uniform(lo2, hi2, n), rng.uniform(lo3, hi3, n)],
        rng.uniform(lo4, hi4, n))
    birth = anchor - _days(age * 365.25)
    request = np.where(transfer_in, NAT, request)

    outcome = _pick(rng, dict(zip(OUTCOMES, (0.75, 0.22, 0.03))), n)  # 0 assess, 1 refused
    outcome[transfer_in] = -1

    # A child refused once often comes back: the later request is the same person.
    person = np.arange(n)
    refused = np.flatnonzero(outcome == 1)
    if len(refused):
        src = refused[rng.integers(0, len(refused), n)]
        gap = (request - request[src]) / DAY
        again = (u() < 0.06) & ~transfer_in & (gap > 180) & ((request - birth[src]) / DAY > 2 * 365)
        person = np.where(again, src, person)
        birth = birth[person]

    # ---- exceptions: a few per cent of assessments, and they make the case late
    assess = outcome == 0
    exception = assess & (u() < 0.045)
    reason = np.where(exception, _pick(rng, EXCEPTION_WORDS, n), -1)
    covid_due = ((request + 140 * DAY) >= COVID_FROM) & ((request + 140 * DAY) <= COVID_TO)
    reason = np.where((reason == REASONS.index("COVID-19")) & ~covid_due,
                      REASONS.index("Exceptional personal circumstances"), reason)
    slow = np.where(exception, rng.uniform(15, 70, n), 0.0)

    # ---- decision whether to assess (AS01: 6 weeks = 42 days)
    delay = np.clip(rng.normal(34, 8, n), 5, None) + np.where(u() < 0.16, rng.exponential(18, n), 0)
    decision = request + _days(delay + slow * (u() < 0.5))
    decided = decision <= A
    outcome = np.where(decided | transfer_in, outcome, -1)
    decision = np.where(decided, decision, NAT)
    assess = outcome == 0

    # ---- advice (AS02: 6 weeks from the adviser's receipt of the request)
    advice: dict[str, np.ndarray] = {}
    last_advice = decision.copy()
    for kind, share in ADVICE.items():
        asked = assess & (u() < share)
        req = np.where(asked, decision + _days(rng.uniform(0, 6, n)), NAT)
        took = np.where(u() < 0.68, rng.uniform(12, 42, n), 42 + rng.exponential(24, n)) + slow
        got = req + _days(took)
        last_advice = np.where(got > last_advice, got, last_advice)
        advice[f"advice_{kind}_requested_date"] = _upto(req, A)
        advice[f"advice_{kind}_received_date"] = _upto(np.where(req <= A, got, NAT), A)

    # ---- after assessment: a plan (AS04, AS05) or a decision not to issue (AS03)
    issue = assess & (u() < 0.9)
    not_issue = assess & ~issue
    ontime = u() < 0.6
    total = np.where(ontime, 140 - np.minimum(rng.exponential(16, n), 45),
                     141 + np.minimum(rng.exponential(65, n), 600)) + slow
    total = np.maximum(total, (last_advice - request) / DAY + 12)
    final = request + _days(total)
    gap = np.select([u() < 0.03, u() < 0.85], [rng.uniform(5, 15, n), 15 + rng.exponential(8, n)],
                    rng.uniform(25, 60, n))
    draft = final - _days(gap)
    draft = np.where(draft < decision + 7 * DAY, decision + 7 * DAY, draft)
    final = np.where(final < draft, draft + 15 * DAY, final)
    no_plan = request + _days(np.clip(rng.normal(104, 14, n), 55, None) + slow)
    # A panel's "no" is often recorded before the letter goes: outcome known, date not yet
    # (and now and then the letter's date is never recorded at all).
    told = np.where(not_issue, no_plan, np.where(issue, draft, NAT))
    known = (told <= A) | (not_issue & (u() < 0.8) & ((A - request) / DAY > 56))
    told = np.where(not_issue & (u() < 0.04), NAT, told)
    assessment_outcome = np.where(known & not_issue, 1, np.where(known & issue, 0, -1))  # YES_NO
    assessment_date = _upto(told, A)
    draft = np.where(issue, _upto(draft, A), NAT)
    final = np.where(issue, _upto(final, A), NAT)

    # ---- plans transferred in (TR01, TR02): made by the old LA, treated as made on that date
    final = np.where(transfer_in, transfer - _days(rng.uniform(60, 4 * 365, n)), final)
    transfer_date = np.where(transfer_in, transfer, NAT)
    took = np.where(u() < 0.7, rng.uniform(7, 42, n), 42 + rng.exponential(25, n))
    notice = np.where(transfer_in & (u() < 0.93), transfer + _days(took), NAT)
    notice = _upto(notice, A)
    from_la = np.where(transfer_in, rng.integers(0, len(OTHER_LAS), n), -1)

    # ---- ceasing: a steady hazard, and every plan ends at the young person's 25th birthday
    plan = ~np.isnat(final)
    years_held = (A - final) / DAY / 365.25
    ceases = plan & (u() < 1 - np.exp(-0.07 * np.nan_to_num(years_held)))
    cease = np.where(ceases, final + _days(u() * (A - final) / DAY), NAT)
    age25 = _add_years(birth, 25)
    aged_out = plan & (age25 <= A) & (np.isnat(cease) | (age25 < cease))
    cease = np.where(aged_out, age25, cease)
    age_at_cease = (cease - birth) / DAY / 365.25
    cease_reason = np.where(~np.isnat(cease), _pick(rng, CEASE_SHARES, n, CEASE_CODES), -1)
    # Higher education and employment (3, 4) only for young people; needs met (2) otherwise.
    cease_reason = np.where(np.isin(cease_reason, [2, 3]) & (age_at_cease < 17), 1, cease_reason)
    cease_reason = np.where(aged_out, 0, cease_reason)

    # ---- annual reviews (RV01-RV05): the latest cycle, with a backlog of missed ones
    until = np.where(np.isnat(cease), A, cease)
    cycles = np.floor((until - final) / DAY / 365.25)
    cycles = np.where(u() < 0.2, cycles - 1, cycles)  # a review that should have happened has not
    on_time = u() < 0.7
    offset = np.where(on_time, -rng.uniform(0, 45, n), rng.uniform(1, 150, n))
    meeting = final + _days(cycles * 365.25 + offset)
    meeting = np.where(meeting > until, meeting - 365 * DAY, meeting)
    meeting = np.where(plan & (cycles >= 1) & (meeting > final), meeting, NAT)
    # Under-5s are reviewed every 3-6 months (Code of Practice 9.178), or should be.
    under5 = plan & (_add_years(birth, 5) > A) & ((A - final) / DAY > 90)
    meeting = np.where(under5, np.maximum(A - _days(rng.uniform(20, 260, n)), final + 60 * DAY),
                       meeting)
    # After a transfer in, the new LA's first review (the old LA's reviews are not in its system).
    ti_review = transfer + _days(np.where(u() < 0.6, rng.uniform(30, 90, n),
                                          90 + rng.exponential(90, n)))
    meeting = np.where(transfer_in, _upto(ti_review, A), meeting)
    meeting = np.where(meeting > until, NAT, meeting)
    took = np.where(u() < 0.72, rng.uniform(4, 28, n), 28 + rng.exponential(25, n))
    review_decision = _upto(meeting + _days(took), A)
    decided_review = ~np.isnat(review_decision)
    review_outcome = np.where(decided_review, _pick(rng, dict(zip(REVIEW_OUTCOMES,
                                                                  (0.5, 0.45, 0.05))), n), -1)
    amend = review_outcome == 1
    amendment_notice = np.where(amend, _upto(review_decision + _days(rng.uniform(0, 4, n)), A), NAT)
    took = np.where(u() < 0.6, rng.uniform(20, 56, n), 56 + rng.exponential(40, n))
    amended = _upto(amendment_notice + _days(took), A)
    review_cease = (review_outcome == 2) & np.isnat(cease)
    ceased_after_review = _upto(review_decision + _days(rng.uniform(14, 60, n)), A)
    cease = np.where(review_cease, ceased_after_review, cease)
    cease_reason = np.where(review_cease & ~np.isnat(cease),
                            _pick(rng, {"2": 0.5, "5": 0.2, "6": 0.15, "9": 0.15}, n, CEASE_CODES),
                            cease_reason)

    # ---- national curriculum year from the date of birth (born Sep Y-1..Aug Y: Reception Sep Y+4)
    by = birth.astype("datetime64[Y]").astype(int) + 1970
    bm = birth.astype("datetime64[M]").astype(int) % 12 + 1
    cohort = by + (bm >= 9)
    academic = as_of.year if as_of.month >= 9 else as_of.year - 1
    ncy = academic - cohort - 4
    nc_year = np.where((ncy < -2) | (ncy > 14), -1, ncy + 2)  # codes into NC_YEARS

    # ---- phase transfer (PT01 Year 6, PT02 Year 11), for the transfer next September
    in_force = plan & (final <= A) & (np.isnat(cease) | (cease > A))
    transfer_year = as_of.year if as_of < dt.date(as_of.year, 9, 1) else as_of.year + 1
    settled = final < np.datetime64(dt.date(transfer_year - 1, 9, 1))
    y6, y11 = in_force & settled & (ncy == 6), in_force & settled & (ncy == 11)
    # The regulation's own dates: before 15 February / before 31 March (last day 14 Feb / 30 Mar).
    before = np.where(y6, np.datetime64(dt.date(transfer_year, 2, 15), "D"),
                      np.where(y11, np.datetime64(dt.date(transfer_year, 3, 31), "D"), NAT))
    pt_due = np.where(u() < 0.7, before, NAT)
    roll = u()
    pt_final = np.select(
        [roll < 0.55, roll < 0.6, roll < 0.78],
        [before - _days(rng.uniform(1, 100, n)), before,
         before + _days(u() * np.maximum((A - before) / DAY, 0))], NAT)
    pt_final = np.where(y6 | y11, _upto(pt_final, A), NAT)

    # ---- re-assessments (RA01 15 days, RA02 14 weeks), more of them recent
    reassess = in_force & ((A - final) / DAY > 240) & (u() < 0.03)
    ra_request = np.maximum(A - _days(rng.exponential(240, n)), final + 180 * DAY)
    ra_request = np.where(reassess, ra_request, NAT)
    ra_exception = reassess & (u() < 0.1) & ~exception
    reason = np.where(ra_exception, _pick(rng, {"School closure": 0.5,
                                                "Exceptional personal circumstances": 0.5}, n,
                                          REASONS), reason)
    exception = exception | ra_exception
    took = np.where(u() < 0.7, rng.uniform(2, 15, n), 15 + rng.exponential(10, n))
    ra_decision = _upto(ra_request + _days(took), A)
    took = np.where(u() < 0.6, rng.uniform(45, 98, n), 98 + rng.exponential(45, n))
    ra_plan = _upto(ra_decision + _days(took + np.where(ra_exception, 40, 0)), A)

    # ---- the 20-week exception flag as councils record it
    flag = np.where(assess | ra_exception, 1, -1)  # YES_NO
    flag = np.where(exception, 0, flag)
    no_reason = exception & (u() < 0.08)  # flagged, reason never recorded (DQ06)
    reason = np.where(no_reason, -1, reason)
    disagree = assess & ~exception & (u() < 0.003)  # a reason, but the flag says No (DQ11)
    reason = np.where(disagree, _pick(rng, EXCEPTION_WORDS, n), reason)

    # ---- Tribunal orders, concessions, mediation, post-16 moves (their own random stream, so
    # the columns above are what they were before these were added)
    arng = np.random.default_rng([seed, 2])
    old_enough = A - 420 * DAY
    decided_early = ~np.isnat(decision) & (decision < old_enough)
    age_now = (A - birth) / DAY / 365.25
    app = appeals.draw(
        arng, as_of, refused=(outcome == 1) & decided_early,
        not_issued=not_issue & (assessment_outcome == 1) & ~np.isnat(assessment_date)
        & (assessment_date < old_enough),
        plans=in_force & (final < old_enough), young=in_force & (age_now >= 16) & (age_now < 25),
        free=~exception & (reason < 0))
    to_export = np.array([REASONS.index(label) for label in appeals.REASON_LABELS])
    reason = np.where(app.reason >= 0, to_export[np.maximum(app.reason, 0)], reason)
    flag = np.where(app.touched, -1, flag)  # the 20-week flag would override the reason
    # A few final amended plans issued inside the family's 15 days (RV06 early).
    hasty = ~np.isnat(amendment_notice) & (arng.random(n) < 0.03)
    amended = np.where(hasty, _upto(amendment_notice + _days(arng.uniform(4, 14, n)), A), amended)

    # ---- caseworkers: uneven loads; more of them for bigger exports
    k = max(14, n // EPISODES_PER_CASEWORKER)
    names = [_caseworker_name(i) for i in range(k)]
    weights = rng.gamma(2.0, 1.0, k)
    caseworker = rng.choice(k, size=n, p=weights / weights.sum())

    # ---- duties that ended undone (contract section 3: `missed`): requests withdrawn during the
    # assessment after the 20 weeks with advice still out, and plans that ceased (the family
    # moved away) with a re-assessment, a transfer letter or review, or a post-16 transfer plan
    # overdue. A stream of its own, so every other cell is as the seed always made it.
    er = np.random.default_rng([seed, 2])
    few = max(2, n // 700)

    def pick(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        where = np.flatnonzero(mask)
        out[er.choice(where, size=min(few, where.size), replace=False)] = True
        return out

    def after(start: np.ndarray, days: float) -> np.ndarray:
        """A day from start + days to the as-of date."""
        room = np.maximum((A - start) / DAY - days, 0)
        return start + _days(days + er.uniform(0, 1, n) * room)

    waiting = assess & np.isnat(final) & ~transfer_in & ((A - request) / DAY > 160)
    withdrawn = pick(waiting)
    assessment_outcome = np.where(withdrawn, ISSUE_OUTCOMES.index("Withdrawn"), assessment_outcome)
    assessment_date = np.where(withdrawn, after(request, 141), assessment_date)
    draft = np.where(withdrawn, NAT, draft)
    for kind in ADVICE:  # advice asked for and never received before the withdrawal
        got = f"advice_{kind}_received_date"
        advice[got] = np.where(withdrawn, NAT, advice[got])
    moved = np.zeros(n, dtype=bool)

    def ceases_after(mask: np.ndarray, start: np.ndarray, days: int) -> np.ndarray:
        """A few of `mask` whose plan ceases at least `days` after `start` (the duty undone)."""
        nonlocal cease, moved
        chosen = pick(mask & ~moved & (start + days * DAY <= A))
        moved = moved | chosen
        cease = np.where(chosen, np.maximum(after(start, days), final), cease)
        return chosen

    # RA01 (15 days): no decision; RA02 (14 weeks = 98 days): decided, no plan.
    gone = ceases_after(reassess, ra_request, 16)
    ra_decision, ra_plan = np.where(gone, NAT, ra_decision), np.where(gone, NAT, ra_plan)
    gone = ceases_after(reassess & ~np.isnat(ra_decision), ra_decision, 99)
    ra_plan = np.where(gone, NAT, ra_plan)
    # TR01 (6 weeks = 42 days): no letter; TR02: no review by the later of 3 and 12 months.
    gone = ceases_after(transfer_in, transfer_date, 43)
    notice = np.where(gone, NAT, notice)
    gone = ceases_after(transfer_in, np.maximum(transfer_date + 93 * DAY, final + 366 * DAY), 1)
    meeting, review_decision = np.where(gone, NAT, meeting), np.where(gone, NAT, review_decision)
    # PT02 (last day 30 March): no amended plan, the young person moved away on the as-of date.
    gone = ceases_after(y11 & np.isnat(pt_final), np.full(n, A - DAY), 1)
    cease_reason = np.where(moved, CEASE_CODES.index("5"), cease_reason)

    # ---- identity (synthetic): ids, invented names, UPN-shaped strings with LA number 999
    pr = np.random.default_rng([seed, 1])  # names depend on the person, not the episode order
    numbers = {"record_id": np.arange(n) + 1, "person_id": person + 100001,
               "upn": pr.permutation(n)[person] + 1}
    coded = {
        "forename": (FORENAMES, pr.integers(0, len(FORENAMES), n)[person]),
        "_surname_a": (_SYL_A, pr.integers(0, len(_SYL_A), n)[person]),
        "_surname_b": (_SYL_B, pr.integers(0, len(_SYL_B), n)[person]),
        "nc_year": (NC_YEARS, nc_year),
        "caseworker": (tuple(names), caseworker), "request_outcome": (OUTCOMES, outcome),
        "assessment_outcome": (ISSUE_OUTCOMES, assessment_outcome), "exception_20w": (YES_NO, flag),
        "exception_reason": (REASONS, reason), "review_outcome": (REVIEW_OUTCOMES, review_outcome),
        "cease_reason": (CEASE_CODES, cease_reason), "transfer_in_la": (OTHER_LAS, from_la),
        "team": (TEAMS, rng.integers(0, len(TEAMS), n)),
        **characteristics(np.random.default_rng([seed, 4]), n, person),
    }
    dates = {
        "birth_date": birth, "request_received_date": request, "request_outcome_date": decision,
        **advice, "assessment_outcome_date": assessment_date, "draft_plan_date": draft,
        "final_plan_date": final, "review_meeting_date": meeting,
        "review_decision_date": review_decision, "amendment_notice_date": amendment_notice,
        "amended_plan_date": amended, "phase_transfer_due_date": pt_due,
        "phase_transfer_final_date": pt_final, "plan_cease_date": cease,
        "transfer_in_date": transfer_date, "transfer_in_notice_date": notice,
        "reassessment_request_date": ra_request, "reassessment_decision_date": ra_decision,
        "reassessment_plan_date": ra_plan,
    }
    appeal_dates = dict(app.dates)
    plans = {"final": final, "meeting": meeting, "decision": review_decision,
             "outcome": review_outcome, "notice": amendment_notice, "amended": amended,
             "transfer_in": transfer_in, "under5": under5, "person": numbers["person_id"]}
    # A two-digit year read a century early ("06/01/24" typed where 2024 was meant, read by a
    # system as 1924): a request date before the reforms (DQ15), on a refused request.
    typo = pick((outcome == 1) & ~np.isnat(request))
    dates["request_received_date"] = np.where(typo, _add_years(request, -100), request)
    text = _add_faults(dates, coded, rng, as_of)
    # The appeal columns' faults from their own stream (the other columns' are as they were).
    text |= _add_faults(appeal_dates, {}, arng, as_of, app.forced)
    dates |= appeal_dates
    coded |= {c: (appeals.KINDS, v) for c, v in app.kinds.items()}
    order = _duplicated(rng, n)
    syn = build_table(numbers, coded, dates, text, order, as_of, seed)
    syn.plans = {**plans, "order": order}
    return syn


def _caseworker_name(i: int) -> str:
    """Distinct names: initial i mod 18 with a surname that shifts each round of initials."""
    a, q = divmod(i, len(CW_FORENAME_INITIALS))[::-1]
    surname = CW_SURNAMES[(i + q) % len(CW_SURNAMES)]
    rounds = len(CW_FORENAME_INITIALS) * len(CW_SURNAMES)
    return f"{CW_FORENAME_INITIALS[a]}. {surname}" + (f" {i // rounds + 1}" if i >= rounds else "")


# (earlier, later) pairs the generator sometimes puts in the wrong order (a keying slip).
_CONTRADICT = [
    ("request_received_date", "request_outcome_date"),
    ("request_received_date", "final_plan_date"),
    ("request_received_date", "assessment_outcome_date"),
    ("draft_plan_date", "final_plan_date"),
    *[(f"advice_{k}_requested_date", f"advice_{k}_received_date") for k in KINDS],
    ("review_meeting_date", "review_decision_date"),
    ("amendment_notice_date", "amended_plan_date"),
    ("reassessment_request_date", "reassessment_decision_date"),
    ("reassessment_decision_date", "reassessment_plan_date"),
    ("transfer_in_date", "transfer_in_notice_date"),
]
# Values no code list knows (DQ10), one per coded column.
_UNKNOWN = {"request_outcome": "Pending panel", "exception_reason": "Staff shortage",
            "review_outcome": "Deferred", "cease_reason": "12"}


def _add_faults(dates: dict[str, np.ndarray], coded: dict[str, tuple], rng: np.random.Generator,
                as_of: dt.date, spare: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Put in the faults real exports carry, in small shares (at least one of each in an export
    of 500 rows or more), so every data-quality path and every `invalid` status occurs.

    Changes `dates` and `coded` in place; returns, per date column, codes into UNREADABLE for
    the cells that show an unreadable value instead of their date (-1 elsewhere). Rows in
    `spare` get none (the cases set to show a status).
    """
    n = len(next(iter(dates.values())))
    ok = ~spare if spare is not None else np.ones(n, dtype=bool)
    A = np.datetime64(as_of, "D")
    small = 1 if n >= 500 else 0
    for early, late in _CONTRADICT:  # the later event keyed before the earlier one
        if early not in dates or late not in dates:
            continue
        both = ~np.isnat(dates[early]) & ~np.isnat(dates[late]) & ok
        hit = _some(rng, both, 0.002, small)
        dates[late] = np.where(hit, dates[early] - _days(rng.uniform(1, 40, n)), dates[late])
    text: dict[str, np.ndarray] = {}
    for c in dates:
        filled = ~np.isnat(dates[c]) & ok
        # A year typed wrong: 2024 -> 2042 is a date after the as-of date (DQ03).
        future = _some(rng, filled & (dates[c] > A - 3000 * DAY), 0.0005, small)
        dates[c] = np.where(future, dates[c] + 6575 * DAY, dates[c])
        bad = _some(rng, filled & ~future, 0.002, small)
        text[c] = np.where(bad, rng.integers(0, len(UNREADABLE), n), -1)
    for c, word in _UNKNOWN.items():
        if c not in coded:
            continue
        labels, codes = coded[c]
        hit = _some(rng, codes >= 0, 0.001, small)
        coded[c] = (labels + (word,), np.where(hit, len(labels), codes))
    if "caseworker" in coded:  # a case nobody is allocated to (DQ05 when open)
        labels, codes = coded["caseworker"]
        coded["caseworker"] = (labels, np.where(_some(rng, codes >= 0, 0.01, small), -1, codes))
    return text


def _duplicated(rng: np.random.Generator, n: int) -> np.ndarray:
    """Row order with a few episodes exported twice (DQ04): whole rows repeated, id and all."""
    order = np.arange(n)
    dup = _some(rng, order > 0, 0.003, 1 if n >= 500 else 0)
    order[dup] = order[dup] - 1
    return order


ID_FORMAT = {"record_id": ("EHC-", 7), "person_id": ("SYN", 7), "upn": ("X999", 9)}


def _id_text(column: str, numbers: np.ndarray) -> pl.Expr:
    """Ids as the system shows them: a prefix and zero-padded digits."""
    prefix, width = ID_FORMAT[column]
    return pl.lit(prefix) + pl.lit(pl.Series(numbers)).cast(pl.String).str.zfill(width)


def build_table(numbers: dict[str, np.ndarray], coded: dict[str, tuple], dates: dict[str, np.ndarray],
           text: dict[str, np.ndarray], order: np.ndarray, as_of: dt.date, seed: int) -> Synthetic:
    series = {c: _id_text(c, v[order]) for c, v in numbers.items()}
    series |= {c: pl.lit(_text(labels, codes[order])) for c, (labels, codes) in coded.items()}
    series |= {c: pl.lit(pl.Series(d[order].astype("datetime64[D]"))) for c, d in dates.items()}
    series["surname"] = series.pop("_surname_a") + series.pop("_surname_b")
    frame = pl.select([series[c].alias(c) for c in (*HEADERS, *EXTRA_HEADERS)])
    texts = pl.select([pl.lit(_text(UNREADABLE, t[order])).alias(c) for c, t in text.items()])
    return Synthetic(frame, texts, as_of, seed)


# ---------------------------------------------------------------- review history

# A council's list of review meetings, one row per meeting (`sendcheck audit --reviews`); each
# header maps to its canonical column through sendcheck.columns (a test checks this).
REVIEW_HEADERS: dict[str, str] = {
    "record_id": "Case Ref",
    "person_id": "Child ID",
    "review_meeting_date": "Date of Review Meeting",
    "review_decision_date": "Date Review Decision Notified",
    "review_outcome": "Outcome of Review",
    "amendment_notice_date": "Amendment Notice Issued",
    "amended_plan_date": "Amended EHCP Issued",
}
REVIEWS_TITLE = "Synthshire County Council - annual review meetings (SYNTHETIC DATA)"
LATE_REVIEW_SHARE = 0.3  # share of review gaps longer than the limit (a backlog, sen2.md s4)


def _earlier_meetings(rng: np.random.Generator, last: np.ndarray, first_ok: np.ndarray,
                      lo: float, hi: float, late_mean: float) -> tuple[np.ndarray, np.ndarray]:
    """Meetings before `last`, stepping back one gap at a time while on or after `first_ok`.

    A gap is on time (uniform `lo`..`hi` days) or, for LATE_REVIEW_SHARE of them, late (`hi`
    plus an exponential wait). Returns (position in `last`, meeting date) per earlier meeting.
    """
    span = np.nan_to_num((last - first_ok) / DAY)
    steps = int(max(span.max(initial=0.0), 0.0) // lo) + 1  # the most gaps that can fit
    shape = (len(last), steps)
    late = rng.random(shape) < LATE_REVIEW_SHARE
    gaps = np.where(late, hi + rng.exponential(late_mean, shape), rng.uniform(lo, hi, shape))
    when = last[:, None] - np.cumsum(np.rint(gaps).astype("int64"), axis=1) * DAY
    keep = when >= first_ok[:, None]  # NaT compares False: no meetings before a blank date
    return np.nonzero(keep)[0], when[keep]


def review_history(syn: Synthetic) -> Synthetic:
    """The review-history list that goes with a generated export: one row per review meeting.

    Each plan's last meeting is the export's latest review meeting (with its decision, outcome
    and amendment dates); earlier meetings step back from it about 12 months at a time (3 to 6
    months for children under 5, Code of Practice 9.178), with some late gaps, to the first
    review at least two months after the plan. A plan transferred in has only the new
    authority's reviews (the old authority's are not in its system), so only its first review
    after the transfer. Faults as in the export (unreadable, future and out-of-order dates, an
    unknown outcome), plus rows with no meeting date (DQ13) and rows whose record id is in no
    episode (DQ12). Deterministic for the export's seed.
    """
    if not syn.plans:
        raise SendcheckError("a review history is drawn from a generated export's plans")
    p = syn.plans
    rng = np.random.default_rng([syn.seed, 3])
    A = np.datetime64(syn.as_of, "D")
    last = p["meeting"]
    n = len(last)
    shown = np.zeros(n, dtype=bool)
    shown[p["order"]] = True  # a duplicated row hides the episode after it: not in the export
    has = shown & ~np.isnat(last)
    first_ok = p["final"] + 60 * DAY
    annual = np.flatnonzero(has & ~p["transfer_in"] & ~p["under5"])
    young = np.flatnonzero(has & ~p["transfer_in"] & p["under5"])
    at_a, meet_a = _earlier_meetings(rng, last[annual], first_ok[annual], 300, 365, 75)
    at_y, meet_y = _earlier_meetings(rng, last[young], first_ok[young], 90, 182, 45)
    ep = np.concatenate([np.flatnonzero(has), annual[at_a], young[at_y]])
    meeting = np.concatenate([last[has], meet_a, meet_y])
    is_last = np.arange(len(ep)) < has.sum()
    m = len(ep)

    # Earlier meetings' decisions and amendments, drawn as the export's latest ones are.
    took = np.where(rng.random(m) < 0.72, rng.uniform(4, 28, m), 28 + rng.exponential(25, m))
    decision = _upto(meeting + _days(took), A)
    outcome = np.where(np.isnat(decision), -1, _pick(rng, {"Maintain": 0.55, "Amend": 0.45}, m,
                                                     REVIEW_OUTCOMES))
    notice = np.where(outcome == 1, _upto(decision + _days(rng.uniform(0, 4, m)), A), NAT)
    took = np.where(rng.random(m) < 0.6, rng.uniform(20, 56, m), 56 + rng.exponential(40, m))
    amended = _upto(notice + _days(took), A)
    dates = {
        "review_meeting_date": meeting,
        "review_decision_date": np.where(is_last, p["decision"][ep], decision),
        "amendment_notice_date": np.where(is_last, p["notice"][ep], notice),
        "amended_plan_date": np.where(is_last, p["amended"][ep], amended),
    }
    coded = {"review_outcome": (REVIEW_OUTCOMES, np.where(is_last, p["outcome"][ep], outcome))}
    text = _add_faults(dates, coded, rng, syn.as_of)
    small = 1 if m >= 500 else 0
    clean = text["review_meeting_date"] < 0
    # A meeting booked, its date never keyed (DQ13); a review of a case not in the export (DQ12).
    undated = _some(rng, clean & ~is_last, 0.001, small)
    dates["review_meeting_date"] = np.where(undated, NAT, dates["review_meeting_date"])
    stray = _some(rng, clean & ~undated & ~is_last, 0.001, small)  # never a case's last
    record = np.where(stray, n + 1 + np.cumsum(stray), ep + 1)

    # Listed as the system's report lists them: by meeting date (undated last), then case.
    order = np.lexsort((record, dates["review_meeting_date"]))
    columns = {"record_id": _id_text("record_id", record[order]),
               "person_id": _id_text("person_id", p["person"][ep][order]),
               "review_outcome": pl.lit(_text(coded["review_outcome"][0],
                                              coded["review_outcome"][1][order])),
               **{c: pl.lit(pl.Series(d[order].astype("datetime64[D]"))) for c, d in dates.items()}}
    frame = pl.select([columns[c].alias(c) for c in REVIEW_HEADERS])
    texts = pl.select([pl.lit(_text(UNREADABLE, t[order])).alias(c) for c, t in text.items()])
    return Synthetic(frame, texts, syn.as_of, syn.seed, kind="reviews")


# ---------------------------------------------------------------- writing


def _date_text(syn: Synthetic, c: str) -> pl.Expr:
    return pl.coalesce(pl.col(f"{c}__text"), pl.col(c).dt.strftime("%d/%m/%Y"))


def export_frame(syn: Synthetic) -> pl.DataFrame:
    """All cells as the CSV shows them (dd/mm/yyyy dates), under the council's headers."""
    texts = syn.text.rename({c: f"{c}__text" for c in syn.text.columns})
    both = pl.concat([syn.frame, texts], how="horizontal")
    names = _headers(syn)
    exprs = [(_date_text(syn, c) if c in syn.date_columns else pl.col(c)).alias(names[c])
             for c in syn.frame.columns]
    return both.select(exprs)


def write_csv(syn: Synthetic, path: Path, encoding: str = "cp1252") -> None:
    """A Windows-style CSV: title rows, then the header; CRLF line ends, dd/mm/yyyy, Windows-1252
    by default (so the accented names test the reader's encoding detection)."""
    from sendcheck.views.files import write_atomic

    # The report's title rows come first, as when the workbook is saved as CSV, so the same
    # episode is on the same spreadsheet row in both files.
    title = "\r\n".join(_title_rows(syn)) + "\r\n"
    text = title + export_frame(syn).write_csv(line_terminator="\r\n")
    write_atomic(path, text.encode(encoding, errors="replace"))


TITLE = "Synthshire County Council - EHC needs assessments and plans (SYNTHETIC DATA)"
TEXT_DATE_SHARE = 0.04  # share of date cells typed as text, as happens in hand-kept workbooks


def _headers(syn: Synthetic) -> dict[str, str]:
    """Canonical column -> the header the council's report shows."""
    if syn.kind == "reviews":
        return REVIEW_HEADERS
    return {**HEADERS, **{h: h for h in EXTRA_HEADERS}}


def _title_rows(syn: Synthetic) -> list[str]:
    """The lines above the header: report title, run date, a blank row."""
    return [REVIEWS_TITLE if syn.kind == "reviews" else TITLE, f"Report run: {syn.as_of.strftime('%d/%m/%Y')} 06:00", ""]


def write_xlsx(syn: Synthetic, path: Path) -> None:
    """A council-style workbook: a title row, a run-date row, then the header and the data.

    Dates are real Excel date cells, except a few typed as dd/mm/yyyy text and the unreadable
    values. Written with openpyxl's write-only mode (already a dependency; rows are streamed,
    so memory stays flat): writing a workbook is cell by cell in any library.
    """
    from openpyxl import Workbook

    from sendcheck.views.files import write_atomic

    rng = np.random.default_rng([syn.seed, 2])
    as_text = {c: pl.Series(rng.random(syn.frame.height) < TEXT_DATE_SHARE)
               for c in syn.date_columns}
    texts = syn.text.rename({c: f"{c}__text" for c in syn.text.columns})
    both = pl.concat([syn.frame, texts], how="horizontal")
    exprs = []
    for c in syn.frame.columns:
        if c in syn.date_columns:
            typed = pl.when(as_text[c]).then(pl.col(c).dt.strftime("%d/%m/%Y"))
            exprs.append(pl.coalesce(pl.col(f"{c}__text"), typed).alias(f"{c}__cell"))
            exprs.append(pl.col(c))
        else:
            exprs.append(pl.col(c))
    cells = both.select(exprs)
    columns = []
    for c in syn.frame.columns:
        if c in syn.date_columns:
            shown = cells.get_column(f"{c}__cell").to_list()
            real = cells.get_column(c).to_list()
            columns.append([s if s is not None else r for s, r in zip(shown, real)])
        else:
            columns.append(cells.get_column(c).to_list())
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Annual Reviews" if syn.kind == "reviews" else "EHC Tracker")
    for line in _title_rows(syn):
        ws.append([line] if line else [])
    names = _headers(syn)
    ws.append([names[c] for c in syn.frame.columns])
    for row in zip(*columns):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(path, buf.getvalue())


def write(syn: Synthetic, path: str | Path, encoding: str = "cp1252") -> None:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(syn, path, encoding)
    elif suffix == ".xlsx":
        write_xlsx(syn, path)
    else:
        raise SendcheckError(f"--output: {path.name}: give a .csv or .xlsx file name")
