"""The SEN2 return: read as XML, module CSVs and workbook; rules; return checks DQ20-DQ33.

Expected due dates are hand-computed (receipt is day 0: 6 weeks = 42 days, 16 weeks = 112 days,
20 weeks = 140 days), written out beside each assertion.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from conftest import run_cli

from sendcheck.audit import Options, run_audit
from sendcheck.read.export import read_export
from sendcheck.synth.sen2_write import write_all
from sendcheck.views.findings import findings_frame

AS_OF = dt.date(2025, 7, 1)

# A hand-built return. Tags are deliberately spelt in mixed case and with a namespace prefix
# (spellings vary between DfE's documents and software suppliers).
HAND_XML = """<?xml version="1.0" encoding="UTF-8"?>
<d:Message xmlns:d="http://www.dfe.gov.uk/sen2">
  <d:Header>
    <d:CollectionDetails><d:Collection>SEN2</d:Collection><d:Year>2026</d:Year>
      <d:ReferenceDate>2026-01-15</d:ReferenceDate></d:CollectionDetails>
  </d:Header>
  <d:Persons>
    <d:Person>
      <d:UPN>A100000000001</d:UPN>
      <d:PersonBirthDate>2014-02-03</d:PersonBirthDate>
      <d:Requests>
        <d:ReceivedDate>2025-01-06</d:ReceivedDate>
        <d:RequestOutcomeDate>2025-02-17</d:RequestOutcomeDate>
        <d:RequestOutcome>agreed</d:RequestOutcome>
        <d:Assessment>
          <d:AssessmentOutcome>plan issued</d:AssessmentOutcome>
          <d:Week20>0</d:Week20>
          <d:NamedPlan>
            <d:StartDate>2025-05-27</d:StartDate>
          </d:NamedPlan>
        </d:Assessment>
        <d:ActivePlans>
          <d:SENneed><d:SENtype>ASD</d:SENtype><d:SENtypeRank>1</d:SENtypeRank></d:SENneed>
        </d:ActivePlans>
      </d:Requests>
    </d:Person>
    <d:person>
      <d:upn>A100000000002</d:upn>
      <d:requests>
        <d:receiveddate>2025-03-03</d:receiveddate>
        <d:requestoutcomedate>2025-04-15</d:requestoutcomedate>
        <d:requestoutcome>yes</d:requestoutcome>
        <d:ASSESSMENT>
          <d:ASSESSMENTOUTCOME>no plan</d:ASSESSMENTOUTCOME>
          <d:ASSESSMENTOUTCOMEDATE>2025-06-23</d:ASSESSMENTOUTCOMEDATE>
          <d:WEEK20>0</d:WEEK20>
        </d:ASSESSMENT>
      </d:requests>
    </d:person>
    <d:Person>
      <d:UPN>A100000000003</d:UPN>
      <d:Requests>
        <d:ReceivedDate>2024-09-02</d:ReceivedDate>
        <d:RequestOutcomeDate>2024-10-07</d:RequestOutcomeDate>
        <d:RequestOutcome>agreed</d:RequestOutcome>
        <d:Assessment>
          <d:AssessmentOutcome>plan issued</d:AssessmentOutcome>
          <d:Week20>1</d:Week20>
          <d:NamedPlan><d:StartDate>2025-03-03</d:StartDate></d:NamedPlan>
        </d:Assessment>
      </d:Requests>
      <d:Requests>
        <d:ReceivedDate>2025-06-01</d:ReceivedDate>
      </d:Requests>
    </d:Person>
    <d:Person>
      <d:UPN>A100000000004</d:UPN>
    </d:Person>
  </d:Persons>
</d:Message>
"""


def _write(folder: Path, text: str, name: str = "sen2.xml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _audit(paths: list[Path]):
    return run_audit(paths, Options(as_of=AS_OF))


def _comparable(audit) -> list[tuple]:
    """Findings (every status) without source and row, which differ between shapes by design."""
    found = findings_frame(audit, all_statuses=True).drop("source", "row")
    return sorted(found.rows(), key=repr)


# An audit costs about a second, mostly polars planning the date parsing: the tests share them.
@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hand")
    audit = _audit([_write(folder, HAND_XML)])
    return audit, write_all(audit.episodes, folder / "out", AS_OF)


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rich")
    source = _write(folder, RICH_XML)
    return source, write_all(_audit([source]).episodes, folder / "out", AS_OF)


def _status(audit, rule: str, record: str) -> dict:
    res = audit.results.join(audit.episodes.select("_idx", "record_id", "_row"), on="_idx")
    rows = res.filter((pl.col("rule") == rule) & (pl.col("record_id") == record))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_hand_built_xml_gives_hand_computed_statuses(hand):
    audit, _ = hand
    # Request 1 (person 1): received Mon 6 Jan 2025.
    #   AS01 due 6 Jan + 42 = Mon 17 Feb 2025; decided 17 Feb: met.
    got = _status(audit, "AS01", "1")
    assert (got["status"], got["due"]) == ("met", dt.date(2025, 2, 17))
    #   AS05 due 6 Jan + 140 = Mon 26 May 2025; plan Tue 27 May: late by 1 day.
    got = _status(audit, "AS05", "1")
    assert (got["status"], got["due"], got["days_over"]) == ("late", dt.date(2025, 5, 26), 1)
    assert got["_row"] == 11  # the line of person 1's <Requests> element in HAND_XML
    # Request 2 (person 2): received Mon 3 Mar 2025.
    #   AS01 due 3 Mar + 42 = Mon 14 Apr 2025; decided Tue 15 Apr: late by 1 day.
    got = _status(audit, "AS01", "2")
    assert (got["status"], got["due"], got["days_over"]) == ("late", dt.date(2025, 4, 14), 1)
    #   AS03 due 3 Mar + 112 = Mon 23 Jun 2025; "no plan" notified 23 Jun: met.
    got = _status(audit, "AS03", "2")
    assert (got["status"], got["due"]) == ("met", dt.date(2025, 6, 23))
    assert _status(audit, "AS05", "2")["status"] == "not_applicable"
    # Request 3 (person 3): received Mon 2 Sep 2024; AS05 due 2 Sep + 140 = Mon 20 Jan 2025;
    # plan 3 Mar 2025 is after it, but Week20 = 1: excepted (as DfE counts it).
    got = _status(audit, "AS05", "3")
    assert (got["status"], got["due"]) == ("excepted", dt.date(2025, 1, 20))
    # Request 4 (person 3 again): received Sun 1 Jun 2025, nothing since.
    #   AS01 due 1 Jun + 42 = Sun 13 Jul 2025: 12 days left on 1 Jul: due_soon.
    got = _status(audit, "AS01", "4")
    assert (got["status"], got["due"], got["days_over"]) == ("due_soon", dt.date(2025, 7, 13), -12)
    #   AS05 due 1 Jun + 140 = Sun 19 Oct 2025: pending.
    got = _status(audit, "AS05", "4")
    assert (got["status"], got["due"]) == ("pending", dt.date(2025, 10, 19))
    # Person 4 has no request: one row of its own, reported by DQ20, no rule applies.
    dq = audit.quality.join(audit.episodes.select("_idx", "person_id", "_row"), on="_idx")
    # The outcomes are worded (agreed, yes, plan issued, no plan): read, but the return takes only
    # the codes Y/N/A/W/H (DQ34 RequestOutcome, DQ35 AssessmentOutcome), on each <Requests> line.
    assert dq.select("check", "person_id", "_row").rows() == [
        ("DQ20", "4", 56), ("DQ34", "1", 11), ("DQ34", "2", 29), ("DQ34", "3", 42),
        ("DQ35", "1", 11), ("DQ35", "2", 29), ("DQ35", "3", 42)]
    assert audit.episodes.get_column("person_id").to_list() == ["1", "2", "3", "3", "4"]


def test_sen2_skips_rules_and_checks_it_cannot_run(hand):
    audit, _ = hand
    skipped = {r.rule.code: r.skipped for r in audit.runs}
    assert skipped["AS04"] == ("draft_plan_date",)
    assert skipped["AS02"] and all(c.startswith("advice_") for c in skipped["AS02"])
    assert {skipped[c] for c in ("AS01", "AS03", "AS05")} == {None}
    assert audit.quality_skipped["DQ05"] == ("caseworker",)
    # SEN2 has no field for the exception's reason: DQ06 would flag every Week20 = 1.
    assert audit.quality_skipped["DQ06"] == ("exception_reason",)
    assert audit.quality_skipped["DQ20"] is None
    # The columns the review and phase-transfer rules read are there for them.
    for c in ("review_meeting_date", "review_decision_date", "review_outcome",
              "amendment_notice_date", "phase_transfer_due_date", "phase_transfer_final_date",
              "transfer_in_la", "plan_cease_date", "cease_reason", "birth_date"):
        assert c in audit.episodes.columns, c


def test_sen2_checks_do_not_run_on_a_council_export(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Date Request Received,Decision to Assess,Date of Decision to Assess\n"
                    "06/01/2025,Agreed,10/02/2025\n", encoding="utf-8")
    audit = _audit([path])
    assert not any(code.startswith(("DQ2", "DQ3")) for code in audit.quality_skipped)


# ---------------------------------------------------------------- the three shapes


def test_xml_module_csvs_and_workbook_give_identical_findings(rich):
    _, paths = rich
    expected = _comparable(_audit([paths["xml"]]))
    assert {f[0] for f in expected} >= {"AS01", "AS05", "DQ01", "DQ20", "DQ24", "DQ26", "DQ29"}
    csvs = sorted(paths["csv"].glob("*.csv"))
    for shape in ([paths["csv"]], [paths["xlsx"]], csvs):
        assert _comparable(_audit(shape)) == expected, shape


def test_writer_keeps_the_findings_of_the_return_it_was_given(hand):
    # HAND_XML words its outcomes (agreed, plan issued); the writer writes the return's codes
    # (Y, N), which read back as the same outcomes: the same findings, less the word-not-code
    # findings (DQ34, DQ35) the hand-worded return had.
    audit, paths = hand
    words = {"DQ34", "DQ35"}
    before = _comparable(audit)
    assert {f[0] for f in before} >= words
    assert _comparable(_audit([paths["xml"]])) == [f for f in before if f[0] not in words]


def test_workbook_holds_ids_and_flags_as_numbers_and_dates_as_cells(hand):
    import openpyxl

    _, paths = hand
    book = openpyxl.load_workbook(paths["xlsx"])
    sheet = book["Assessments"]
    first = dict(zip([c.value for c in sheet[1]], sheet[2]))
    # Numbers, not text: Excel holds them as doubles, which other readers give back as 1.0.
    assert (first["requeststableid"].value, first["requeststableid"].data_type) == (1, "n")
    assert (first["week20"].value, first["week20"].data_type) == (0, "n")
    assert book["Requests"]["C2"].value == dt.datetime(2025, 1, 6)  # receiveddate, a date cell
    blade = (paths["csv"] / "Blade-Export_requests.csv").read_text().splitlines()
    # (The mediation and tribunal flags are read, so written back.)
    assert blade[0] == ("requeststableid,persontableid,receiveddate,requestoutcomedate,"
                        "requestoutcome,requestmediation,requesttribunal")
    assert blade[1].startswith("1,1,2025-Jan-06 00:00:00,2025-Feb-17 00:00:00,")


def test_small_chunks_give_the_same_episodes(rich, monkeypatch):
    from sendcheck.read import sen2 as sen2_read

    source, _ = rich
    whole = read_export(source).frame
    monkeypatch.setattr(sen2_read, "CHUNK_PERSONS", 2)
    assert read_export(source).frame.equals(whole)


# ---------------------------------------------------------------- return checks


def person(i: int, *, upn: str | None = None, week20: str = "0", outcome: str = "M",
           cease: str = "", needs: tuple[tuple[str, str], ...] = (("ASD", "1"), ("SLCN", "2")),
           setting: str = "OLA", requests: str | None = None) -> str:
    """A clean person with one request and a plan, unless told otherwise."""
    need_xml = "".join(f"<SENneed><SENtype>{t}</SENtype><SENtypeRank>{r}</SENtypeRank></SENneed>"
                       for t, r in needs)
    request = requests if requests is not None else f"""<Requests>
        <ReceivedDate>2024-01-08</ReceivedDate><RequestOutcomeDate>2024-02-12</RequestOutcomeDate>
        <RequestOutcome>Y</RequestOutcome>
        <Assessment><AssessmentOutcome>Y</AssessmentOutcome><Week20>{week20}</Week20>
          <NamedPlan><StartDate>2024-05-20</StartDate>{cease}</NamedPlan></Assessment>
        <ActivePlans><ReviewMeeting>2025-05-01</ReviewMeeting><ReviewOutcome>{outcome}</ReviewOutcome>
          <LastReview>2025-05-20</LastReview>
          <PlacementDetail><SENSetting>{setting}</SENSetting></PlacementDetail>{need_xml}</ActivePlans>
      </Requests>"""
    return f"<Person><UPN>{upn or f'A{i:012d}'}</UPN>{request}</Person>\n"


def sen2(people: list[str]) -> str:
    return "<Message><Header/><Persons>\n" + "".join(people) + "</Persons></Message>\n"


CLEAN = [person(i) for i in range(1, 26)]  # 25 persons: enough for the share checks to judge
TWO_ASSESSMENTS = """<Requests><ReceivedDate>2024-01-08</ReceivedDate>
  <Assessment><Week20>0</Week20></Assessment><Assessment><Week20>1</Week20></Assessment></Requests>"""
CEASED = "<CeaseDate>2025-06-01</CeaseDate>"  # after the review (20 May), before the as-of date
BACKWARDS = """<Requests><ReceivedDate>2024-03-01</ReceivedDate>
  <RequestOutcomeDate>2024-02-01</RequestOutcomeDate><RequestOutcome>Y</RequestOutcome>
  <Assessment><AssessmentOutcome>Y</AssessmentOutcome><Week20>0</Week20>
    <NamedPlan><StartDate>2024-01-15</StartDate><CeaseDate>2025-01-01</CeaseDate>
      <CeaseReason>12</CeaseReason></NamedPlan></Assessment></Requests>"""

WORDED = """<Requests><ReceivedDate>2024-01-08</ReceivedDate>
  <RequestOutcomeDate>2024-02-12</RequestOutcomeDate><RequestOutcome>agreed</RequestOutcome>
  <Assessment><AssessmentOutcome>plan issued</AssessmentOutcome><Week20>0</Week20>
    <NamedPlan><StartDate>2024-05-20</StartDate></NamedPlan></Assessment></Requests>"""
# 14 February is the last compliant day, but the deadline the return records is 15 February.
TRANSFER_DUE = """<Requests><ReceivedDate>2024-01-08</ReceivedDate>
  <RequestOutcomeDate>2024-02-12</RequestOutcomeDate><RequestOutcome>Y</RequestOutcome>
  <Assessment><AssessmentOutcome>Y</AssessmentOutcome><Week20>0</Week20>
    <NamedPlan><StartDate>2024-05-20</StartDate></NamedPlan></Assessment>
  <ActivePlans><PhaseTransferDueDate>2026-02-14</PhaseTransferDueDate></ActivePlans></Requests>"""
# Ceased 1 March 2025 (reason 5, moved away), yet reviewed on 1 May and placed on 1 April.
AFTER_CEASE = """<Requests><ReceivedDate>2024-01-08</ReceivedDate>
  <RequestOutcomeDate>2024-02-12</RequestOutcomeDate><RequestOutcome>Y</RequestOutcome>
  <Assessment><AssessmentOutcome>Y</AssessmentOutcome><Week20>0</Week20>
    <NamedPlan><StartDate>2024-05-20</StartDate><CeaseDate>2025-03-01</CeaseDate>
      <CeaseReason>5</CeaseReason></NamedPlan></Assessment>
  <ActivePlans><ReviewMeeting>2025-05-01</ReviewMeeting>
    <PlacementDetail><EntryDate>2025-04-01</EntryDate><SENSetting>OLA</SENSetting></PlacementDetail>
  </ActivePlans></Requests>"""
ASSESSED_AFTER_REFUSAL = """<Requests><ReceivedDate>2024-01-08</ReceivedDate>
  <RequestOutcomeDate>2024-02-12</RequestOutcomeDate><RequestOutcome>N</RequestOutcome>
  <Assessment><AssessmentOutcome>N</AssessmentOutcome>
    <AssessmentOutcomeDate>2024-04-22</AssessmentOutcomeDate><Week20>0</Week20></Assessment>
</Requests>"""

# One return of 25 clean persons and one crafted person per row-level check (record id = the
# person's position, as each has one request): (check, record_id, column) expected.
ROW_CASES = [
    (person(26, requests=""), [("DQ20", "person 26 (no request)", "request_received_date")]),
    (person(27, requests=TWO_ASSESSMENTS), [("DQ21", "26", "record_id")]),
    (person(28, week20="yes"), [("DQ22", "27", "exception_20w")]),
    (person(29, outcome="Maintain"), [("DQ23", "28", "review_outcome")]),
    (person(30, cease=CEASED), [("DQ24", "29", "cease_reason")]),
    (person(31, cease="<CeaseReason>2</CeaseReason>"), [("DQ25", "30", "plan_cease_date")]),
    (person(32, needs=(("AUT", "1"),)), [("DQ26", "31", "sen2_sentype")]),
    (person(33, setting="XYZ"), [("DQ27", "32", "sen2_setting")]),
    (person(34, needs=(("ASD", "2"), ("SLCN", "3"))), [("DQ28", "33", "sen2_sentype_rank")]),
    (person(35, upn="A999999999999") + person(36, upn="A999999999999"),
     [("DQ29", "34", "upn"), ("DQ29", "35", "upn")]),
    # Checked by the general checks, once: dates before the request (DQ02), CeaseReason 12 (DQ10).
    (person(37, requests=BACKWARDS), [("DQ02", "36", "final_plan_date"),
                                      ("DQ02", "36", "request_outcome_date"),
                                      ("DQ10", "36", "cease_reason")]),
    (person(38, requests=WORDED), [("DQ34", "37", "request_outcome"),
                                   ("DQ35", "37", "assessment_outcome")]),
    (person(39, requests=TRANSFER_DUE), [("DQ36", "38", "phase_transfer_due_date")]),
    (person(40, requests=AFTER_CEASE), [("DQ37", "39", "review_meeting_date"),
                                        ("DQ37", "39", "plan_cease_date")]),
    (person(41, requests=ASSESSED_AFTER_REFUSAL), [("DQ39", "40", "request_outcome")]),
]
# Shares, each with its own denominator, so one return can cross all four thresholds:
# 10 of 25 assessments Week20 = 1 (40% > 25%); 10 of 50 needs OTH (20% > 10%); 5 of 25 settings
# NIEO (20% > 10%); 10 of 25 ceased plans CeaseReason 9 (40% > 25%).
SHARES = [person(i, week20="1" if i <= 10 else "0",
                 needs=(("ASD", "1"), ("OTH" if i <= 10 else "SLCN", "2")),
                 setting="NIEO" if i <= 5 else "OLA",
                 cease=CEASED + f"<CeaseReason>{9 if i <= 10 else 1}</CeaseReason>")
          for i in range(1, 26)]
SHARE_CASES = [("DQ30", "exception_20w"), ("DQ31", "sen2_sentype"), ("DQ32", "sen2_setting"),
               ("DQ33", "cease_reason")]


def _findings(folder: Path, people: list[str]) -> list[tuple]:
    audit = _audit([_write(folder, sen2(people))])
    found = audit.quality.join(audit.episodes.select("_idx", "record_id"), on="_idx", how="left")
    return found.select("check", "record_id", "column", "message").rows()


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("checks")
    return {
        "clean": _findings(folder, CLEAN),
        "rows": _findings(folder, CLEAN + [people for people, _ in ROW_CASES]),
        "shares": _findings(folder, SHARES),
    }


def test_clean_return_has_no_findings(checked):
    assert checked["clean"] == []


@pytest.mark.parametrize("case", ROW_CASES, ids=[e[0][0] for _, e in ROW_CASES])
def test_row_check_fires_on_its_crafted_person_only(checked, case):
    _, expected = case
    codes = {code for code, _, _ in expected}
    got = sorted((c, r, col) for c, r, col, _ in checked["rows"] if c in codes)
    assert got == sorted(expected)


def test_row_checks_fire_on_nothing_else(checked):
    expected = sorted(e for _, found in ROW_CASES for e in found)
    assert sorted((c, r, col) for c, r, col, _ in checked["rows"]) == expected


@pytest.mark.parametrize("code,column", SHARE_CASES, ids=[c for c, _ in SHARE_CASES])
def test_share_check_fires_on_a_high_share(checked, code, column):
    got = [(c, r, col) for c, r, col, _ in checked["shares"] if c == code]
    assert got == [(code, None, column)]


def test_share_messages_give_the_numbers(checked):
    messages = {c: m for c, _, _, m in checked["shares"]}
    assert messages["DQ30"] == "40% of the 25 assessments with Week20 recorded are Week20 = 1 (above 25%)"
    assert messages["DQ31"] == "20% of the 50 SEN needs are OTH (other difficulty) (above 10%)"
    assert messages["DQ32"] == ("20% of the 25 settings recorded are NIEO (not in education, other) "
                                "(above 10%)")
    assert messages["DQ33"] == ("40% of the 25 ceased plans with a reason are CeaseReason 9 (other) "
                                "(above 25%)")


def test_duplicate_person_is_reported_without_the_upn(checked, tmp_path):
    messages = [m for c, _, _, m in checked["rows"] if c == "DQ29"]
    assert messages == [("the same UPN is on 2 persons in the return (persons 35, 36); "
                        "the UPN is not shown")] * 2
    path = _write(tmp_path, sen2(CLEAN[:2] + [person(3, upn="A999999999999"),
                                              person(4, upn="A999999999999")]))
    out = run_cli("audit", path, "--as-of", AS_OF.isoformat(), "--format", "json",
                  "--fail-on", "invalid")
    assert out.code == 1
    assert "A999999999999" not in out.out and "A000000000001" not in out.out
    assert [f["rule"] for f in json.loads(out.out)["findings"] if f["rule"] == "DQ29"] == ["DQ29"] * 2


# ---------------------------------------------------------------- whole-file problems


@pytest.mark.parametrize("text,message", [
    ("<Message><Persons><Person><UPN>A1</UPN></Persons></Message>",
     # expat points at the name in the mismatched end tag
     "Error: bad.xml: not well-formed XML at line 1, column 42: mismatched tag"),
    ("<Message><Persons><Person>", ("Error: bad.xml: not well-formed XML at line 1, column 27: "
                                   "no element found")),
    ("<Report><Row/></Report>", ("Error: bad.xml: not a SEN2 return (the root element is <Report>, "
                                "expected <Message>)")),
    ("<Message><Persons></Persons></Message>", ("Error: bad.xml: no <Person> elements; is this a "
                                               "SEN2 return?")),
    ("<Message><Persons><Person><Assessment/></Person></Persons></Message>",
     ("Error: bad.xml: line 1: <Assessment> is not directly inside <Requests> (not the SEN2 "
     "structure)")),
    ("", "Error: bad.xml: the file is empty"),
], ids=["mismatched", "truncated", "not-sen2", "no-person", "misplaced", "empty"])
def test_bad_xml_exits_2_with_one_line(tmp_path, text, message):
    out = run_cli("audit", _write(tmp_path, text, "bad.xml"), "--as-of", "2025-07-01")
    assert out.code == 2
    assert out.err.splitlines() == [message]
    assert out.out == ""


def test_module_rows_that_belong_to_no_request_stop_the_run(hand, tmp_path):
    import shutil

    _, paths = hand
    folder = tmp_path / "modules"
    shutil.copytree(paths["csv"], folder)
    assessment = folder / "Blade-Export_assessment.csv"
    assessment.write_text(assessment.read_text() + "99,77,issue,,0\n")
    out = run_cli("audit", folder, "--as-of", "2025-07-01")
    assert out.code == 2
    assert out.err.splitlines() == [
        ("Error: SEN2 assessment module: 1 row(s) belong to no request in the requests module "
        "(first: Blade-Export_assessment.csv row 5); were the modules exported together?")]


# A return with a bit of everything, for the shape comparison and the chunking test.
RICH_XML = sen2([
    person(1, week20="yes", outcome="Maintain"),
    person(2, cease=CEASED),
    person(3, needs=(("AUT", "2"),), setting="NIEO"),
    person(4, upn="A999999999999"),
    person(5, upn="A999999999999", cease="<CeaseReason>9</CeaseReason>"),
    person(6, requests=""),
    person(7, requests="""<Requests><ReceivedDate>2025-05-05</ReceivedDate>
      <RequestOutcomeDate>31/13/2025</RequestOutcomeDate></Requests>
      <Requests><ReceivedDate>2024-11-04</ReceivedDate><RequestOutcome>withdrawn</RequestOutcome>
      </Requests>"""),
    person(8, outcome="A"),
])


# ---------------------------------------------------------------- the example maker


COUNCIL_CSV = (  # a Windows CSV as a case-management system writes it: dd/mm/yyyy, CRLF
    "Record ID,Child ID,EHC Co-ordinator,Date Request Received,Decision to Assess,"
    "Date of Decision to Assess,Assessment Outcome,Assessment Outcome Date,Week20,"
    "Draft Plan Date,Final EHCP Issued\r\n"
    "R-1,C-1,A. Khan,06/01/2025,Agreed,17/02/2025,Issue,,0,01/05/2025,27/05/2025\r\n"
    "R-2,C-2,A. Khan,03/03/2025,Agreed,15/04/2025,Not issue,23/06/2025,0,,\r\n"
    "R-3,C-1,B. Jones,02/09/2024,Agreed,07/10/2024,Issue,,1,,03/03/2025\r\n"
    "R-4,C-3,,01/06/2025,,,,,,,\r\n"
    "R-5,C-4,B. Jones,10/02/2025,Refused,31/03/2025,,,,,\r\n"
)


def test_example_maker_turns_a_council_export_into_a_return_with_the_same_findings(tmp_path):
    from sendcheck.synth.sen2_write import main

    export = tmp_path / "export.csv"
    export.write_bytes(COUNCIL_CSV.encode("cp1252"))
    assert main([str(export), str(tmp_path / "sen2"), "--as-of", AS_OF.isoformat()]) == 0
    ids = dict(pl.read_csv(tmp_path / "sen2" / "sen2_ids.csv", infer_schema=False)
               .select("sen2_request", "export_record_id").rows())
    assert ids == {"1": "R-1", "2": "R-3", "3": "R-2", "4": "R-4", "5": "R-5"}  # by person C-1..C-4

    def statuses(path: Path, rename: dict[str, str]) -> list[tuple]:
        audit = _audit([path])
        res = audit.results.join(audit.episodes.select("_idx", "record_id"), on="_idx")
        return sorted((r, rename.get(i, i), s, d) for r, i, s, d in res.filter(
            pl.col("rule").is_in(["AS01", "AS03", "AS05"])).select(
            "rule", "record_id", "status", "due").rows())

    from_export = statuses(export, {})
    assert statuses(tmp_path / "sen2" / "sen2.xml", ids) == from_export
    assert len(from_export) == 15


def test_measures_default_to_the_calendar_year_the_return_covers(tmp_path):
    # The return's header says Year 2026 (the January 2026 collection), so DfE will compute its
    # figures for calendar year 2025; as of 1 Jul 2025 the year is cut at the as-of date.
    run = run_cli("audit", _write(tmp_path, HAND_XML), "--as-of", "2025-07-01", "--format", "json")
    measure = json.loads(run.out)["measures"]["items"]["final_plan_20w"]
    assert measure["period"] == {"label": "2025", "kind": "calendar year", "start": "2025-01-01",
                                 "end": "2025-07-01", "partial": True}
    # Plans issued in 2025: request 1 (6 Jan -> 27 May 2025, 141 days: over 20 weeks, Week20 0)
    # and request 3 (2 Sep 2024 -> 3 Mar 2025, 182 days, Week20 1: excluded from the _ex figures).
    values = measure["values"]
    assert (values["plans_issued_den"], values["plans_issued_within_20_weeks"],
            values["plans_issued_den_ex"], values["plans_issued_20_weeks_ex"]) == (2, 0, 1, 0)
