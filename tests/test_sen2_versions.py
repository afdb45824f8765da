"""SEN2 returns in the 2023, 2024 and 2025 shapes, elements in shuffled order, with the outcome
codes Y/N/A/W/H (sen2.md section 2): read by element name, judged the same way.

Each return covers calendar year Y and is judged as of 18 January Y+1 (its ReferenceDate). The
requests are the same in every shape, on the same days of their year, so one hand computation
serves all three (receipt is day 0: 6 weeks = 42 days, 20 weeks = 140 days; no interval below
crosses a 29 February):

R1  received 6 Mar Y, RequestOutcome Y on 17 Apr Y: AS01 due 6 Mar + 42 = 17 Apr, met.
    Plan (StartDate) 25 Jul Y: AS05 due 6 Mar + 140 = 24 Jul Y, late by 1 day.
R2  received 4 Sep Y, RequestOutcome A (decision not yet made): the 6 weeks run. AS01 due
    4 Sep + 42 = 16 Oct Y; overdue on 18 Jan: 15 (Oct) + 30 + 31 + 18 = 94 days. AS05 due
    4 Sep + 140 = 22 Jan Y+1: 4 days left, due_soon.
R3  received 1 May Y, RequestOutcome W on 3 Jul Y with no decision: AS01 due 1 May + 42 = 12 Jun,
    withdrawn 21 days after it: missed. AS05 (due 18 Sep) ended before its due date: n/a.
R4  received 3 Apr Y, RequestOutcome N on 15 May Y: AS01 due 3 Apr + 42 = 15 May, met; AS05 n/a.
R5  received 7 Jun Y-2, RequestOutcome H on 19 Jul Y-2 (42 days): AS01 met, judged from the
    dates and saying so. AssessmentOutcome H, plan 25 Oct Y-2: AS05 due 7 Jun + 140 = 25 Oct
    (23 + 31 + 31 + 30 + 25), met.
    From 2024: ReviewMeeting 20 Oct Y-1: RV01 due 20 Oct Y, none since; overdue on 18 Jan Y+1 by
    11 + 30 + 31 + 18 = 90 days. In 2023 (no ReviewMeeting) the clock runs from the plan:
    RV01 due 25 Oct Y-1, overdue.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from sendcheck.audit import Options, run_audit
from sendcheck.views.findings import findings_frame

SHAPES = {2023: 2022, 2024: 2023, 2025: 2024}  # return Year -> calendar year covered


def el(tag: str, *children) -> list:
    return [tag, list(children)]


def leaf(tag: str, text: str) -> list:
    return [tag, text]


def render(node: list, rng: random.Random) -> str:
    """The element with its children in a shuffled order (real files vary; read by name)."""
    tag, body = node
    if isinstance(body, str):
        return f"<{tag}>{body}</{tag}>"
    kids = list(body)
    if tag not in ("Message", "Persons"):  # persons keep their order: ids are positions
        rng.shuffle(kids)
    return f"<{tag}>" + "".join(render(k, rng) for k in kids) + f"</{tag}>\n"


def person(version: int, n: int, *leaves_and_requests) -> list:
    sex = leaf("GenderCurrent", "1") if version == 2023 else leaf("Sex", "F")
    return el("Person", leaf("UPN", f"A{version}{n:08d}"), sex, leaf("Ethnicity", "WBRI"),
              *leaves_and_requests)


def request(version: int, received: str, outcome: str, outcome_date: str | None,
            *children) -> list:
    parts = [leaf("ReceivedDate", received), leaf("RequestOutcome", outcome)]
    if outcome_date:
        parts.append(leaf("RequestOutcomeDate", outcome_date))
    if version >= 2025:
        parts.append(leaf("RequestSource", "1"))
    return el("Requests", *parts, *children)


def sen2_return(version: int, seed: int | None = None) -> str:
    y = SHAPES[version]
    d = lambda year, md: f"{year}-{md}"
    r5_active = []
    if version >= 2024:
        r5_active += [leaf("ReviewMeeting", d(y - 1, "10-20")), leaf("ReviewOutcome", "M")]
    if version >= 2025:
        # 14 February is the last compliant day, but the return records the deadline: DQ36.
        r5_active += [leaf("ReviewDraft", d(y, "11-03")),
                      leaf("PhaseTransferDueDate", d(y + 1, "02-14"))]
    r1_active = [leaf("LastReview", d(y, "12-01"))] if version == 2023 else []
    if version >= 2025:
        r1_active += [leaf("PhaseTransferDueDate", d(y + 1, "02-15")),
                      leaf("PhaseTransferFinalDate", d(y + 1, "01-10"))]
    people = [
        person(version, 1, request(
            version, d(y, "03-06"), "Y", d(y, "04-17"),
            el("Assessment", leaf("AssessmentOutcome", "Y"), leaf("Week20", "0"),
               leaf("AssessmentOutcomeDate", d(y, "06-26")),
               el("NamedPlan", leaf("StartDate", d(y, "07-25")), leaf("PlanRes", "0"))),
            el("ActivePlans", *r1_active,
               el("SENneed", leaf("SENtype", "ASD"), leaf("SENtypeRank", "1"))))),
        person(version, 2, request(version, d(y, "09-04"), "A", None)),
        person(version, 3, request(version, d(y, "05-01"), "W", d(y, "07-03"))),
        person(version, 4, request(version, d(y, "04-03"), "N", d(y, "05-15"))),
        person(version, 5, request(
            version, d(y - 2, "06-07"), "H", d(y - 2, "07-19"),
            el("Assessment", leaf("AssessmentOutcome", "H"), leaf("Week20", "0"),
               el("NamedPlan", leaf("StartDate", d(y - 2, "10-25")))),
            el("ActivePlans", *r5_active,
               el("SENneed", leaf("SENtype", "SLCN"), leaf("SENtypeRank", "1"))))),
    ]
    header = el("Header", el("CollectionDetails", leaf("Collection", "SEN2"),
                             leaf("Year", str(version)),
                             leaf("ReferenceDate", d(y + 1, "01-18"))),
                el("Source", leaf("SourceLevel", "L"), leaf("LEA", "999")))
    message = el("Message", header, el("Persons", *people))
    order = random.Random(version if seed is None else seed)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + render(message, order)


@pytest.fixture(scope="module", params=sorted(SHAPES), ids=lambda v: f"sen2-{v}")
def judged(request, tmp_path_factory):
    version = request.param
    path = tmp_path_factory.mktemp(f"v{version}") / f"sen2_{version}.xml"
    path.write_text(sen2_return(version), encoding="utf-8")
    as_of = dt.date(SHAPES[version] + 1, 1, 18)
    return version, run_audit([path], Options(as_of=as_of))


def _got(audit, rule: str, record: str) -> tuple:
    found = findings_frame(audit, all_statuses=True).filter(
        (pl.col("rule") == rule) & (pl.col("record_id") == record))
    assert found.height == 1, (rule, record, found.height)
    r = found.row(0, named=True)
    return r["status"], r["due"], r["days_over"], r["message"]


def test_outcome_codes_and_statuses(judged):
    version, audit = judged
    y = SHAPES[version]
    D = dt.date
    assert _got(audit, "AS01", "1")[:2] == ("met", D(y, 4, 17))
    assert _got(audit, "AS05", "1")[:3] == ("late", D(y, 7, 24), 1)
    # A: the decision is still open, so the 6 weeks run.
    assert _got(audit, "AS01", "2")[:3] == ("overdue", D(y, 10, 16), 94)
    assert _got(audit, "AS05", "2")[:3] == ("due_soon", D(y + 1, 1, 22), -4)
    # W after the due date, no decision: a breach that happened.
    status, due, days, message = _got(audit, "AS01", "3")
    assert (status, due, days) == ("missed", D(y, 6, 12), 21)
    assert f"the request was withdrawn on {y}-07-03, 21 days after the 6-week limit" in message
    assert _got(audit, "AS05", "3")[0] == "not_applicable"
    assert _got(audit, "AS01", "4")[:2] == ("met", D(y, 5, 15))
    assert _got(audit, "AS05", "4")[0] == "not_applicable"
    # H: valid, judged from the dates, and the finding says so.
    status, due, _, message = _got(audit, "AS01", "5")
    assert (status, due) == ("met", D(y - 2, 7, 19))
    assert "RequestOutcome H (historical)" in message
    status, due, _, message = _got(audit, "AS05", "5")
    assert (status, due) == ("met", D(y - 2, 10, 25))
    assert "RequestOutcome and AssessmentOutcome H (historical)" in message
    # No code is unknown (DQ10) or outside the return's list (DQ34, DQ35).
    checks = set(audit.quality.get_column("check"))
    assert not checks & {"DQ10", "DQ34", "DQ35", "DQ38"}, checks


def test_reviews_and_phase_transfer_by_version(judged):
    version, audit = judged
    y = SHAPES[version]
    cols = set(audit.episodes.columns)
    def blank(column: str) -> bool:  # the XML reader gives every standard field a column
        return column not in cols or audit.episodes.get_column(column).null_count() == 5

    if version == 2023:
        assert blank("review_meeting_date")
        status, due, _, _ = _got(audit, "RV01", "5")
        assert (status, due) == ("overdue", dt.date(y - 1, 10, 25))
    else:
        assert _got(audit, "RV01", "5")[:3] == ("overdue", dt.date(y, 10, 20), 90)
        assert audit.episodes.filter(pl.col("record_id") == "5").get_column(
            "review_outcome").to_list() == ["maintain"]
    if version >= 2025:
        # R1: PhaseTransferDueDate 15 Feb Y+1 (a school transfer); the amended plan on 10 Jan is
        # before the last compliant day, 14 February: met.
        assert _got(audit, "PT01", "1")[:2] == ("met", dt.date(y + 1, 2, 14))
        assert not blank("amendment_notice_date")  # ReviewDraft
        dq36 = audit.quality.filter(pl.col("check") == "DQ36")
        assert dq36.get_column("message").to_list() == [
            (f"PhaseTransferDueDate {y + 1}-02-14 is neither 15 February nor 31 March (the "
            f"reg 18(1) deadlines)")]
    else:
        assert blank("phase_transfer_due_date") and blank("amendment_notice_date")


def test_a_header_year_that_disagrees_with_its_reference_date(tmp_path):
    text = sen2_return(2025).replace("<Year>2025</Year>", "<Year>2026</Year>")
    path = tmp_path / "sen2.xml"
    path.write_text(text, encoding="utf-8")
    audit = run_audit([path], Options(as_of=dt.date(2025, 1, 18)))
    dq38 = audit.quality.filter(pl.col("check") == "DQ38")
    assert dq38.select("column", "message").rows() == [
        ("sen2_year", ("the header's Year 2026 disagrees with its ReferenceDate 2025-01-18 (the "
                      "collection's Year is the ReferenceDate's year)"))]


def test_any_element_order_gives_the_same_findings(tmp_path):
    # 2026 adds no items but fixes the ActivePlans order; real files vary: read by name.
    found = []
    for seed in (1, 2, 3):
        path = tmp_path / f"order_{seed}.xml"
        path.write_text(sen2_return(2025, seed), encoding="utf-8")
        audit = run_audit([path], Options(as_of=dt.date(2025, 1, 18)))
        found.append(sorted(findings_frame(audit, all_statuses=True).drop("row", "source").rows(),
                            key=repr))
    assert sen2_return(2025, 1) != sen2_return(2025, 2)
    assert found[0] == found[1] == found[2]
    assert len(found[0]) > 40
