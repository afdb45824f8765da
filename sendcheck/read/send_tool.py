"""Data to Insight's SEND tool's five module CSVs, read as the SEN2 modules they are.

The SEND tool takes SEN2's modules 1-5 as CSVs with human-readable headers and recognises each
by its exact column list; so does this reader (a file is a module when every header is one of
that module's and its ids are there). "Person ID" links every module to the person;
"Requests Record ID" (modules 2 and 3) and "Request Records ID" (modules 4 and 5, so spelt) are
the request's id. The keys are renamed to SEN2's table ids and read/sen2.py joins the modules
into one row per request; the other headers map through the alias table (sendcheck/columns.py).
"""

from __future__ import annotations

from sendcheck.read.sen2_schema import Layout, layout

SHAPE = "SEND tool modules"
_PERSON = {"Person ID": "persontableid"}
_REQUEST = {**_PERSON, "Requests Record ID": "requeststableid"}
_PLAN = {**_PERSON, "Request Records ID": "requeststableid"}

LAYOUTS: tuple[Layout, ...] = (
    layout(SHAPE, "person", "module 1 (person)", _PERSON, ("Person ID", "Dob (ccyy-mm-dd)"), (
        "Person ID", "Surname Forename", "Dob (ccyy-mm-dd)", "Gender", "Ethnicity", "Postcode",
        "UPN - Unique Pupil Number", "ULN - Young Persons Unique Learner Number",
        "UPN and ULN unavailable reason")),
    layout(SHAPE, "requests", "module 2 (requests)", _REQUEST,
           ("Person ID", "Requests Record ID", "Date Request Was Received"), (
        "Person ID", "Requests Record ID", "Date Request Was Received",
        "Initial Request Whilst In RYA", "Request Outcome Date", "Request Outcome",
        "Request Mediation", "Request Tribunal",
        "Exported - Child Or Young Person Moves Out Of LA Before Assessment Is Completed",
        "New start date")),
    layout(SHAPE, "assessment", "module 3 (assessment)", _REQUEST,
           ("Requests Record ID", "Assessment Outcome To Issue EHCP"), (
        "Person ID", "Requests Record ID", "Assessment Outcome To Issue EHCP",
        "Assessment Outcome Date", "Assessment Mediation", "Assessment Tribunal",
        "Other Mediation", "Other Tribunal", "Twenty Weeks Time Limit Exceptions Apply")),
    layout(SHAPE, "namedplan", "module 4 (named plan)", _PLAN,
           ("Request Records ID", "EHC Plan Start Date"), (
        "Person ID", "Request Records ID", "EHC Plan Start Date", "Residential Settings",
        "Worked based learning activity", "Personal budget taken up",
        "Personal budget - organised arrangements", "Personal budget - direct payments",
        "Date EHC Plan Ceased", "Reason EHC Plan Ceased")),
    layout(SHAPE, "activeplans", "module 5 (active plans)", _PLAN,
           ("Request Records ID", "EHCP review decisions date"), (
        "Person ID", "Request Records ID", "EHC Plan (Transfer)", "Residential Settings",
        "Worked based learning activity", "EHCP review decisions date")),
)
