"""Canonical input columns, their built-in header aliases, and the synonyms for coded values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ADVICE_KINDS = ("ep", "health", "social_care", "education", "other")

SEN2_APPEAL_STAGES = ("request", "assessment", "other")
# What a Tribunal order, a concession (an unopposed appeal) or a mediation agreement requires.
APPEAL_ACTIONS = ("assess", "plan", "amend", "school", "cease", "maintain", "dismissed", "other")

# Columns holding personal data: never written to any output unless asked (contract section 6).
PERSONAL = ("upn", "forename", "surname", "birth_date")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "date", "code", "flag", "text"
    aliases: tuple[str, ...] = field(default_factory=tuple)


def _advice_columns() -> list[Column]:
    words = {
        "ep": ("EP", "Educational Psychology", "Educational Psychologist", "Psychology"),
        "health": ("Health", "Medical"),
        "social_care": ("Social Care", "Social Services"),
        "education": ("Education", "School", "Educational"),
        "other": ("Other",),
    }
    out = []
    for kind, names in words.items():
        req, rec = [], []
        for w in names:
            req += [f"{w} Advice Requested", f"{w} Advice Request Date", f"Date {w} Advice Requested",
                    f"{w} Advice Requested Date", f"{w} Requested"]
            rec += [f"{w} Advice Received", f"{w} Advice Received Date", f"Date {w} Advice Received",
                    f"{w} Advice Returned", f"{w} Received"]
        out.append(Column(f"advice_{kind}_requested_date", "date", tuple(req)))
        out.append(Column(f"advice_{kind}_received_date", "date", tuple(rec)))
    return out


# Tribunal orders (reg 44), unopposed appeals (reg 45), mediation (regs 33-42) and post-16 moves
# (reg 18(2)). The action columns are shared: an ordered, conceded or agreed assessment is
# notified, decided and finalised on the same columns, and the clock's start says which it was.
def _appeal_columns() -> list[Column]:
    return [
        Column("tribunal_order_date", "date", (
            "Tribunal Order Date", "Date of Tribunal Order", "Tribunal Decision Date",
            "Date of Tribunal Decision", "SENDIST Order Date", "Tribunal Order Issued",
            "Date Tribunal Order Sent", "Order Date")),
        Column("tribunal_order_kind", "code", (
            "Tribunal Order Type", "Tribunal Order", "Tribunal Order Kind", "Order Type",
            "Tribunal Outcome", "SENDIST Order", "Tribunal Order Made")),
        Column("concession_date", "date", (
            "Concession Date", "Date Conceded", "Date LA Conceded", "Unopposed Appeal Date",
            "Date Appeal Conceded", "Date Tribunal Told Not Opposing", "Not Opposing Date",
            "Date Notified Tribunal Not Opposing")),
        Column("concession_kind", "code", (
            "Concession Type", "Concession Kind", "Unopposed Appeal Type", "Appeal Conceded",
            "Conceded Issue", "Concession")),
        Column("mediation_request_date", "date", (
            "Mediation Request Date", "Date Mediation Requested", "Mediation Requested",
            "Date LA Told of Mediation", "Mediation Referral Date", "Mediation Request Received")),
        Column("mediation_notice_date", "date", (
            "Mediation Notice Date", "Date Mediation Notice Sent", "Mediation Arrangements Sent",
            "Mediation Invitation Sent", "Date Family Told of Mediation")),
        Column("mediation_date", "date", (
            "Mediation Date", "Date of Mediation", "Mediation Held", "Mediation Meeting Date",
            "Mediation Session Date", "Date Mediation Held")),
        Column("mediation_certificate_date", "date", (
            "Mediation Certificate Date", "Date Mediation Certificate Issued",
            "Mediation Certificate Issued", "Mediation Certificate Sent")),
        Column("mediation_agreement_date", "date", (
            "Mediation Agreement Date", "Date of Mediation Agreement", "Mediation Agreed Date",
            "Date Mediation Agreement Signed")),
        Column("mediation_agreement_kind", "code", (
            "Mediation Agreement Type", "Mediation Agreement", "Mediation Agreement Kind",
            "Mediation Agreed Action", "Agreed Action Type")),
        Column("agreed_action_date", "date", (
            "Agreed Action Date", "Agreed Action Completed", "Date Agreed Action Completed",
            "Mediation Action Completed", "Mediation Agreed Action Done")),
        Column("ordered_assess_notice_date", "date", (
            "Ordered Assessment Notice Date", "Date Notified Will Assess",
            "Notice of Ordered Assessment", "Date Told LA Will Assess",
            "Assessment Notice After Tribunal")),
        Column("ordered_no_plan_date", "date", (
            "Ordered Assessment Not to Issue Date", "Decision Not to Issue After Tribunal",
            "Ordered No Plan Decision Date", "Date Notified Not to Issue After Tribunal")),
        Column("ordered_draft_plan_date", "date", (
            "Ordered Draft Plan Date", "Draft Plan After Tribunal", "Draft EHCP After Tribunal",
            "Tribunal Draft Plan Issued", "Draft Plan After Order")),
        Column("ordered_final_plan_date", "date", (
            "Ordered Final Plan Date", "Final Plan After Tribunal", "Final EHCP After Tribunal",
            "Tribunal Final Plan Issued", "Final Plan After Order")),
        Column("ordered_amended_plan_date", "date", (
            "Ordered Amended Plan Date", "Amended Plan After Tribunal",
            "Amended EHCP After Tribunal", "Tribunal Amended Plan Issued",
            "Amended Plan After Order")),
        Column("ordered_cease_date", "date", (
            "Ordered Cease Date", "Ceased After Tribunal", "Cease Date After Tribunal",
            "Date Ceased After Order")),
        Column("post16_move_date", "date", (
            "Post-16 Move Date", "Post 16 Move Date", "Date of Move Between Colleges",
            "College Move Date", "Post-16 Institution Move Date", "Planned College Move")),
        Column("post16_move_plan_date", "date", (
            "Post-16 Move Plan Date", "Post-16 Move Review Completed",
            "College Move Amended Plan Date", "Post-16 Move Amended Plan Issued")),
        # SEN2's yes/no items: a mediation held, or an appeal made, after the decision not to
        # assess (Request*), not to issue (Assessment*) or another decision (Other*). They carry
        # no dates: DQ22 names the cases they flag that the order and mediation rules cannot judge.
        *(Column(f"{stage}_{what}", "flag", (f"{stage.capitalize()}{what.capitalize()}",))
          for stage in SEN2_APPEAL_STAGES for what in ("mediation", "tribunal")),
    ]


COLUMNS: tuple[Column, ...] = (
    Column("record_id", "text", ("Record ID", "Episode ID", "Request ID", "Case ID", "Case Ref",
                                 "Case Reference", "Referral ID", "Reference", "Ref", "EHC Ref",
                                 "EHCP Ref", "Episode Ref")),
    Column("person_id", "text", ("LA child id", "Child ID", "Person ID", "Client ID", "LA Child ID",
                                 "Pupil ID", "Child Ref", "Person Ref", "Young Person ID", "CYP ID",
                                 "Mosaic ID", "One ID", "LCS ID")),
    Column("upn", "text", ("UPN", "Unique Pupil Number", "Pupil UPN")),
    Column("forename", "text", ("Forename", "First Name", "Given Name", "Forenames", "Child Forename",
                                "Legal Forename")),
    Column("surname", "text", ("Surname", "Last Name", "Family Name", "Child Surname",
                               "Legal Surname")),
    Column("birth_date", "date", ("PersonBirthDate", "Date of Birth", "DOB", "Birth Date",
                                  "Child DOB", "D.O.B.")),
    Column("caseworker", "text", ("EHC Co-ordinator", "EHC Coordinator", "EHCP Coordinator",
                                  "EHCP Co-ordinator", "Case Officer", "Caseworker", "Case Worker",
                                  "SEN Officer", "SEND Officer", "Keyworker", "Key Worker",
                                  "Allocated Worker", "Lead Officer", "Casework Officer",
                                  "Allocated Officer", "Coordinator", "Co-ordinator")),
    Column("request_received_date", "date", (
        "ReceivedDate", "Date request was received", "Date Request Received", "Date of Request",
        "Request Date", "Request Received", "Request Received Date", "Referral Date",
        "Date Referral Received", "Assessment Request Date", "EHC Request Date",
        "EHCNA Request Date", "Date of Request for Assessment", "Request for Assessment Date",
        "Date EHCNA Requested", "EHC Needs Assessment Request Date", "Date of EHCNA Request",
        "Request for EHCNA Received",
        "Date Received")),
    Column("request_outcome", "code", ("RequestOutcome", "Request Outcome", "Decision to Assess",
                                       "Decision to Assess Outcome", "Assessment Decision",
                                       "Outcome of Request", "Request Decision",
                                       "Agree to Assess")),
    Column("request_outcome_date", "date", (
        "RequestOutcomeDate", "Request Outcome Date", "Date of Decision to Assess",
        "Decision to Assess Date", "Date Decision to Assess", "Assessment Decision Date",
        "Date of Decision", "Decision Date", "Date Decision Notified", "Request Decision Date",
        "Date Agreed to Assess", "Date of decision whether to assess")),
    *_advice_columns(),
    Column("assessment_outcome", "code", (
        "AssessmentOutcome", "Assessment outcome - decision to issue EHC plan",
        "Assessment Outcome", "Decision to Issue", "Decision to Issue Plan",
        "Outcome of Assessment", "Issue Decision")),
    Column("assessment_outcome_date", "date", (
        "AssessmentOutcomeDate", "Assessment Outcome Date", "Date of Decision to Issue",
        "Decision to Issue Date", "Date Decision to Issue", "Date of Assessment Outcome",
        "Issue Decision Date", "Date Decision Not to Issue")),
    Column("exception_20w", "flag", ("Week20", "20-week time limit exceptions apply",
                                     "20 Week Exception", "20 Week Exceptions", "Exception",
                                     "Exception Applies", "Week 20 Exception", "Exception Flag",
                                     "Exception Y/N", "Exception Applies?", "20 Week Exception Y/N",
                                     "20 Week Exception Applies", "Exception to 20 Weeks",
                                     "20wk Exception", "Timescale Exception")),
    Column("exception_reason", "code", ("Exception Reason", "Reason for Exception",
                                        "Reason for 20 Week Exception", "Exception Reason 20 Week",
                                        "20 Week Exception Reason", "Exception Type",
                                        "Exception Category")),
    Column("draft_plan_date", "date", ("Draft Plan Date", "Draft EHCP Issued", "Draft EHCP Date",
                                       "Date Draft Plan Issued", "Draft Plan Issued",
                                       "Date Draft EHCP Issued", "Draft EHC Plan Issued",
                                       "Draft Issued", "Draft Sent", "Date Draft Sent")),
    Column("final_plan_date", "date", ("StartDate", "EHC plan start date", "Final EHCP Issued",
                                       "Final Plan Date", "Final EHCP Date", "Date Final Plan Issued",
                                       "Final Plan Issued", "Date Final EHCP Issued",
                                       "Final EHC Plan Issued", "EHCP Issue Date", "Plan Issue Date",
                                       "Date Plan Issued", "EHCP Start Date", "Plan Start Date",
                                       "Final Issued", "Date of Final EHCP", "Final EHC Plan Date",
                                       "Date Final EHC Plan Issued")),
    Column("plan_cease_date", "date", ("CeaseDate", "Cease Date", "Plan Cease Date",
                                       "Date Ceased", "EHCP Ceased", "Date Plan Ceased",
                                       "EHCP End Date", "Plan End Date")),
    Column("cease_reason", "code", ("CeaseReason", "Cease Reason", "Reason Ceased",
                                    "Reason for Ceasing", "Ceased Reason")),
    Column("review_meeting_date", "date", ("ReviewMeeting", "Annual review meeting date",
                                           "Review Meeting Date", "Annual Review Date",
                                           "Last Annual Review", "Annual Review Meeting",
                                           "Date of Annual Review", "Last Review Meeting",
                                           "AR Meeting Date", "Review Date")),
    Column("review_decision_date", "date", ("LastReview", "Annual review decision date",
                                            "Review Decision Date", "Annual Review Decision",
                                            "Annual Review Decision Date", "AR Decision Date",
                                            "Date Review Decision Notified", "Review Outcome Date")),
    Column("review_outcome", "code", ("ReviewOutcome", "Annual review decision outcome",
                                      "Review Outcome", "Annual Review Outcome", "AR Outcome",
                                      "Outcome of Review")),
    Column("amendment_notice_date", "date", (
        "ReviewDraft", "Annual review - date draft amended EHC plan issued",
        "Amendment Notice Date", "Draft Amended Plan Date", "Draft Amended Plan Issued",
        "Proposed Amendments Sent", "Date Draft Amended Plan Issued", "Amendment Notice Issued")),
    Column("amended_plan_date", "date", ("Amended Plan Date", "Final Amended Plan Issued",
                                         "Final Amended Plan Date", "Date Final Amended Plan",
                                         "Amended EHCP Issued", "Final Amended EHCP Issued")),
    Column("nc_year", "code", ("NCY", "NC Year", "National Curriculum Year", "Year Group",
                               "School Year", "Current NC Year", "NCYear", "Curriculum Year")),
    Column("phase_transfer_due_date", "date", ("PhaseTransferDueDate", "Phase Transfer Due Date",
                                               "Phase Transfer Deadline",
                                               "Phase Transfer Due")),
    Column("phase_transfer_final_date", "date", (
        "PhaseTransferFinalDate", "Phase Transfer Final Date", "Phase Transfer Plan Issued",
        "Phase Transfer Amended Plan Issued", "Phase Transfer Final Plan Issued",
        "Phase Transfer Final Plan")),
    Column("transfer_in_date", "date", ("Transfer In Date", "Date Transferred In",
                                        "Transferred In Date", "Date of Transfer In",
                                        "Date Plan Transferred", "Transfer Date")),
    Column("transfer_in_la", "text", ("TransferLA", "Transfer LA", "Transferred From LA",
                                      "Previous LA", "Transferred From", "Originating LA",
                                      "EHC plan transferred in from another LA during calendar year")),
    Column("transfer_in_notice_date", "date", ("Transfer In Notice Date", "Transfer Notice Date",
                                               "Date Family Notified of Transfer",
                                               "Transfer Letter Date",
                                               "Transfer Notification Date")),
    Column("reassessment_request_date", "date", ("Reassessment Request Date",
                                                 "Re-assessment Request Date",
                                                 "Date Reassessment Requested",
                                                 "Reassessment Requested")),
    Column("reassessment_decision_date", "date", ("Reassessment Decision Date",
                                                  "Re-assessment Decision Date",
                                                  "Date Reassessment Decision",
                                                  "Reassessment Decision")),
    Column("reassessment_plan_date", "date", ("Reassessment Plan Date",
                                              "Re-assessment Plan Date",
                                              "Reassessment Final Plan Date",
                                              "Reassessment Plan Issued")),
    *_appeal_columns(),
    # The dimensions DfE and inspectors cut the figures by (figures/breakdowns.py): free text,
    # read as written and put under DfE's labels where a synonym is known; a blank is "not
    # recorded", never dropped.
    Column("primary_need", "text", ("Primary Need", "SENtype", "Primary SEN Need",
                                    "Primary Need Type", "Primary Type of Need", "SEN Need",
                                    "Main Need", "Primary SEN Type")),
    Column("sex", "text", ("Sex", "Gender", "Legal Sex", "Child Sex")),
    Column("ethnicity", "text", ("Ethnicity", "Ethnic Group", "Ethnic Origin", "Ethnicity Code",
                                 "Ethnic Background")),
    Column("setting", "text", ("Setting", "SENSetting", "Setting Type", "Placement Type",
                               "Type of Setting", "Current Setting", "Placement", "Provision Type",
                               "School Type")),
    Column("team", "text", ("Team", "Locality", "Area Team", "SEND Team", "Locality Team",
                            "Caseworker Team", "Service Team")),
)

# More council wording for the columns the review, phase-transfer, re-assessment and transfer
# rules read (kept apart so each column's main list stays readable).
_LIFECYCLE_ALIASES: dict[str, tuple[str, ...]] = {
    "birth_date": ("Birthdate", "Person Birth Date", "Child Date of Birth", "YP DOB"),
    "plan_cease_date": ("Date EHCP Ceased", "Ceased Date", "EHCP Cease Date", "Date Ceased EHCP"),
    "review_meeting_date": ("Review Meeting", "Date of Review Meeting", "Annual Review Meeting Date",
                            "Date of Annual Review Meeting", "AR Date", "Review Meeting Held"),
    "review_decision_date": ("Date of Review Decision", "Review Decision Notified",
                             "Annual Review Decision Notified", "Date AR Decision Sent",
                             "Review Decision Letter Date"),
    "review_outcome": ("Annual Review Decision Outcome", "AR Decision Outcome", "Review Decision Outcome"),
    "amendment_notice_date": ("Amendment Notice", "Date Amendment Notice Sent",
                              "Proposed Amendments Date", "Draft Amended EHCP Issued"),
    "amended_plan_date": ("Date Amended Plan Issued", "Amended EHCP Date",
                          "Final Amended EHC Plan Issued", "Amended Plan Issued"),
    "nc_year": ("NC Year Group", "Current Year Group", "Year Group (NCY)", "Academic Year Group",
                "NCY Current"),
    "phase_transfer_due_date": ("Phase Transfer Review Deadline", "Phase Transfer Review Due",
                                "Transfer Review Due Date", "Phase Transfer Deadline Date"),
    "phase_transfer_final_date": ("Date Phase Transfer Plan Issued",
                                  "Phase Transfer Amended Plan Date", "Phase Transfer Plan Date"),
    "transfer_in_date": ("Transferred In", "Date Moved Into LA", "Transfer In",
                         "Date Plan Transferred In"),
    "transfer_in_notice_date": ("Date Transfer Notice Sent", "Transfer In Letter Date",
                                "Transfer In Notice", "Transfer Letter Sent"),
    "reassessment_request_date": ("Date of Reassessment Request", "Date Re-assessment Requested",
                                  "Re-assessment Requested", "Reassessment Request Received"),
    "reassessment_decision_date": ("Reassessment Decision Notified", "Re-assessment Decision",
                                   "Date of Reassessment Decision", "Decision to Reassess Date"),
    "reassessment_plan_date": ("Reassessment Final Plan Issued", "Re-assessment Plan Issued",
                               "Reassessment Plan Finalised", "Re-assessment Final Plan Date"),
}
# The Ofsted/CQC area SEND inspection's Annex A, List 1 ("children and young people with an EHC
# plan"), as the template words its headers (D2I's Annex A SEND validator and SSD extract carry the
# same list): one row per child, so "Unique ID" is the child's id; "Date updated EHC plan issued"
# is the latest amended plan; "Date EHC plan last reviewed" is the date of the last annual review
# meeting ("i.e. the date of the last annual review"). List 2 (SEN support) has no dates.
_ANNEX_A_ALIASES: dict[str, tuple[str, ...]] = {
    "person_id": ("Unique ID", "Child Unique ID", "ChildUniqueID"),
    "final_plan_date": ("Date initial EHC plan issued", "Date initial EHCP issued"),
    "amended_plan_date": ("Date updated EHC plan issued", "Date updated EHCP issued"),
    "review_meeting_date": ("Date EHC plan last reviewed", "Date EHCP last reviewed"),
    # Council wording of the EHC needs assessment steps, as inspection lists of requests and
    # assessments are usually headed.
    "request_received_date": ("Date request for EHC needs assessment received",
                              "Date EHC needs assessment requested", "Date EHCNA request received"),
    "request_outcome_date": ("Date of decision whether to carry out an EHC needs assessment",
                             "Date decision to carry out EHC needs assessment",
                             "Date of decision to carry out an EHC needs assessment",
                             "Date EHCNA decision"),
    "request_outcome": ("Decision whether to carry out an EHC needs assessment",
                        "Outcome of request for EHC needs assessment", "EHCNA Decision"),
    "assessment_outcome_date": ("Date of decision whether to issue an EHC plan",
                                "Date EHC needs assessment completed"),
    "assessment_outcome": ("Decision whether to issue an EHC plan",
                           "Outcome of EHC needs assessment"),
}
# Headers Data to Insight publishes. The SEND tool's five module CSVs (SEN2's modules with
# human-readable names: "Requests Record ID" in modules 2-3, "Request Records ID" in 4-5, the
# request's id; "EHCP review decisions date" is SEN2's LastReview). The Standard Safeguarding
# Dataset's EHCP tables (data-to-insight/ssd-data-model, data/objects/ssd_ehcp_*.yml), each field
# read by its definition: `ehcp_active_ehcp_last_review_date` ("Last Review") is the date the LA
# wrote with its decision after the review meeting, "not the same as the date of the review
# meeting"; `ehca_ehcp_assessment_exceptions` is SEN2's Week20; `ehcn_named_plan_start_date` is
# SEN2's StartDate. A linked export's "<module> table ID" columns name the request and the person.
_PUBLISHED_ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": ("Requests Record ID", "Request Records ID", "Requests table ID",
                  "ehcr_ehcp_request_id"),
    "person_id": ("Person table ID", "send_person_id", "Person Unique ID"),
    "upn": ("UPN - Unique Pupil Number", "send_upn"),
    "birth_date": ("Dob (ccyy-mm-dd)", "Date of birth (ccyy-mm-dd)"),
    "request_received_date": ("ehcr_ehcp_req_date",),
    "request_outcome_date": ("ehcr_ehcp_req_outcome_date",),
    "request_outcome": ("ehcr_ehcp_req_outcome",),
    "assessment_outcome": ("Assessment Outcome To Issue EHCP", "ehca_ehcp_assessment_outcome"),
    "assessment_outcome_date": ("ehca_ehcp_assessment_outcome_date",),
    "exception_20w": ("Twenty Weeks Time Limit Exceptions Apply",
                      "Assessment 20-week time limit exceptions apply",
                      "ehca_ehcp_assessment_exceptions"),
    "final_plan_date": ("ehcn_named_plan_start_date",),
    "plan_cease_date": ("Date EHC Plan Ceased", "ehcn_named_plan_ceased_date"),
    "cease_reason": ("Reason EHC Plan Ceased", "ehcn_named_plan_ceased_reason"),
    "review_decision_date": ("EHCP review decisions date", "EHCP review decision date",
                             "EHC plan review decisions date", "ehcp_active_ehcp_last_review_date"),
    "transfer_in_la": ("EHC Plan (Transfer)",),
}
COLUMNS = tuple(Column(c.name, c.kind, c.aliases + _LIFECYCLE_ALIASES.get(c.name, ())
                       + _ANNEX_A_ALIASES.get(c.name, ()) + _PUBLISHED_ALIASES.get(c.name, ()))
                for c in COLUMNS)

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
# Dates that record a deadline rather than an event: rightly after the as-of date.
DEADLINE_COLUMNS = ("phase_transfer_due_date", "post16_move_date")


def normalise_header(text: object) -> str:
    """Case-insensitive, ignoring spaces, underscores and punctuation (contract section 1.1)."""
    return re.sub(r"[^0-9a-z]", "", str(text).lower()) if text is not None else ""


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for col in COLUMNS:
        for alias in (col.name, *col.aliases):
            key = normalise_header(alias)
            if key in index and index[key] != col.name:
                raise AssertionError(f"alias {alias!r} maps to {index[key]} and {col.name}")
            index[key] = col.name
    return index


ALIASES: dict[str, str] = _alias_index()


# Coded values: normalised local wording -> canonical value. Keys are normalise_header()'d.
def _synonyms(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_header(word): value for value, words in table.items() for word in words}


VALUES: dict[str, dict[str, str]] = {
    # SEN2's RequestOutcome and AssessmentOutcome codes (sen2.md section 2, from schemas written
    # from DfE's technical specification, 2022-2026): Y yes, N no, A decision not yet made,
    # W withdrawn, H historical. `A` is the SEN2 code for an open decision, so it is never read
    # as "agreed". `pending` is an open decision (the deadline runs, as with a blank outcome);
    # `historical` means the return does not say (the rules judge the dates, and the run says so).
    "request_outcome": _synonyms({
        "assess": ("assess", "agreed", "agree", "yes", "y", "agreed to assess", "assessment agreed",
                   "proceed", "proceed to assessment", "accepted", "1"),
        "not_assess": ("not assess", "not_assess", "refused", "declined", "no", "n",
                       "not agreed", "refused to assess", "decline", "not to assess",
                       "assessment refused", "2", "r"),
        "withdrawn": ("withdrawn", "withdrew", "request withdrawn", "w", "3", "cancelled"),
        "pending": ("a", "pending", "decision not yet made", "not yet decided", "awaiting decision",
                    "undecided"),
        "historical": ("h", "historical", "historic"),
    }),
    "assessment_outcome": _synonyms({
        "issue": ("issue", "issued", "yes", "y", "plan issued", "issue plan", "ehcp issued",
                  "agreed to issue", "agreed", "1", "decision to issue", "plan"),
        "not_issue": ("not issue", "not_issue", "no", "n", "no plan", "not issued",
                      "refused to issue", "decision not to issue", "refused", "declined", "2",
                      "not to issue"),
        "withdrawn": ("withdrawn", "withdrew", "w", "assessment withdrawn", "request withdrawn"),
        "pending": ("a", "pending", "decision not yet made", "not yet decided", "awaiting decision",
                    "undecided"),
        "historical": ("h", "historical", "historic"),
    }),
    "exception_reason": _synonyms({
        "school_closure": ("school_closure", "school closure", "school closed", "school holiday",
                           "school holidays", "post 16 closure", "college closure"),
        "early_years_closure": ("early_years_closure", "early years closure",
                                "early years provider closure", "nursery closure",
                                "early years closed"),
        "personal_circumstances": ("personal_circumstances", "personal circumstances",
                                   "exceptional personal circumstances", "family circumstances",
                                   "exceptional circumstances"),
        "absence": ("absence", "absent", "absent from area", "absence from area",
                    "away from area", "absent from the area"),
        # Reg 44(3)(b), 45: absent for at least 2 weeks, which excuses the Tribunal-order limits
        # but not the assessment ones (reg 10(4)(d) needs 4 weeks). `absence` implies it.
        "absence_2w": ("absence_2w", "absence 2 weeks", "absent 2 weeks", "absent for 2 weeks",
                       "absent from area 2 weeks", "absence from area 2 weeks",
                       "absent 2 to 4 weeks", "absence under 4 weeks", "absent 2+ weeks"),
        # Reg 44(1): the Tribunal directed another period; reg 42(5): the parties to a mediation
        # agreed another timescale in writing. Each lifts only its own limits.
        "tribunal_direction": ("tribunal_direction", "tribunal direction", "direction of the tribunal",
                               "tribunal directed", "tribunal directed other period"),
        "agreed_timescale": ("agreed_timescale", "agreed timescale", "timescale agreed in writing",
                             "different timescale agreed", "mediation timescale agreed"),
        "missed_appointment": ("missed_appointment", "missed appointment", "did not attend", "dna",
                               "failed to attend", "appointment missed"),
        "coronavirus_2020": ("coronavirus_2020", "coronavirus", "covid", "covid19", "covid-19",
                             "coronavirus 2020", "covid 2020"),
    }),
    "exception_20w": _synonyms({
        "1": ("1", "1.0", "yes", "y", "true", "t", "exception", "applies"),
        "0": ("0", "0.0", "no", "n", "false", "f", "none", "no exception"),
    }),
    "review_outcome": _synonyms({
        "maintain": ("maintain", "m", "maintained", "no change", "continue", "maintain plan"),
        "amend": ("amend", "a", "amended", "amend plan", "amendments"),
        "cease": ("cease", "c", "ceased", "cease plan"),
    }),
}

def _nc_years() -> dict[str, str]:
    """National curriculum year groups as exports write them (`6`, `Y6`, `Year 6`, `06`, `6.0`,
    `R`, `Reception`, `N2`, `Nursery 2`) -> `N1`, `N2`, `R`, `1` ... `14`. (`6.0` from a number
    cell is read as 6: canonical_value_expr drops a trailing `.0` before matching.)"""
    table: dict[str, tuple[str, ...]] = {
        "N1": ("N1", "Nursery 1", "Nursery One", "FS1"),
        "N2": ("N2", "Nursery 2", "Nursery Two", "Nursery"),
        "R": ("R", "YR", "Year R", "Reception", "Rec", "FS2", "0", "Year 0", "00"),
    }
    for n in range(1, 15):
        table[str(n)] = (str(n), f"{n:02d}", f"Y{n}", f"Year {n}", f"Yr {n}", f"NCY {n}")
    return _synonyms(table)


VALUES["nc_year"] = _nc_years()

_APPEAL_ACTION_WORDS = _synonyms({
    # CFA 2014 s.51(2)(a), (d): an assessment or re-assessment refused.
    "assess": ("assess", "assessment", "reassess", "re-assess", "reassessment",
               "re-assessment", "refusal to assess", "carry out assessment", "ehcna",
               "ehc needs assessment", "order to assess"),
    # s.51(2)(b): a plan refused after assessment.
    "plan": ("plan", "make plan", "issue plan", "make and maintain", "make and maintain plan",
             "refusal to issue", "issue ehcp", "make ehcp", "order to issue"),
    # s.51(2)(c)(i)-(ii), (e): the plan's contents (sections B and F, with or without I).
    "amend": ("amend", "amend plan", "contents", "content", "amend contents", "sections b f",
              "sections b f i", "amendment", "refusal to amend"),
    # The named school or type of school only (section I).
    "school": ("school", "placement", "section i", "named school", "name school",
               "school only", "placement only", "change school"),
    # An appeal against ceasing the plan dismissed (reg 44(2)(a)).
    "cease": ("cease", "cease plan", "cessation", "cease dismissed", "appeal against cease dismissed",
              "cessation upheld"),
    # No action with a time limit: the plan continues, or the appeal failed.
    "maintain": ("maintain", "continue to maintain", "continue plan", "not cease"),
    "dismissed": ("dismissed", "appeal dismissed", "no order", "withdrawn"),
    # Reg 42(3): an agreed action with no right of appeal.
    "other": ("other", "other action", "non appealable", "not appealable"),
})
for _col in ("tribunal_order_kind", "concession_kind", "mediation_agreement_kind"):
    VALUES[_col] = _APPEAL_ACTION_WORDS
for _stage in SEN2_APPEAL_STAGES:
    for _what in ("mediation", "tribunal"):
        VALUES[f"{_stage}_{_what}"] = VALUES["exception_20w"]

CEASE_REASONS = tuple(str(n) for n in range(1, 10))


def canonical_value_expr(column: str, extra: dict[str, str] | None = None):
    """A polars expression turning a coded column's local wording into canonical values.

    Unknown non-blank values become the sentinel "?" so that data-quality checks can report them.
    """
    import polars as pl

    table = dict(VALUES[column])
    if extra:
        table.update({normalise_header(k): v for k, v in extra.items()})
    key = (
        # A trailing ".0" is Excel's float rendering of a whole number (`1.0` is 1, never 10).
        pl.col(column).str.to_lowercase().str.strip_chars().str.replace(r"^(\d+)\.0+$", "${1}")
        .str.replace_all(r"[^0-9a-z]", "")
    )
    return (
        pl.when(key.is_null() | (key == ""))
        .then(None)
        .otherwise(key.replace_strict(table, default="?", return_dtype=pl.String))
    )
