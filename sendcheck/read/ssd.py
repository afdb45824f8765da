"""The Standard Safeguarding Dataset's EHCP tables, read as the SEN2 modules they hold.

Data to Insight's SSD (data-to-insight/ssd-data-model, data/objects/ssd_*.yml) carries SEN2's
first modules as tables: `ssd_ehcp_requests` (Requests), `ssd_ehcp_assessment` (Assessment),
`ssd_ehcp_named_plan` (NamedPlan), `ssd_ehcp_active_plans` (ActivePlans) and `ssd_send` (the
person's SEN2 identifiers). Their keys are renamed to SEN2's table ids and read/sen2.py joins them
into one row per request, as it joins COLLECT's module CSVs; the fields map through the alias
table (sendcheck/columns.py), each by its definition in the data model.

The keys, as the data model defines them: a request `ehcr_ehcp_request_id` belongs to the SEND
record `ehcr_send_table_id` (one per person, `ssd_send.send_table_id`); an assessment
`ehca_ehcp_assessment_id` to its request `ehca_ehcp_request_id`; a named plan
`ehcn_named_plan_id` to its assessment `ehcn_ehcp_asmt_id`; an active plan `ehcp_active_ehcp_id`
to its request `ehcp_ehcp_request_id`.
"""

from __future__ import annotations

from sendcheck.read.sen2_schema import Layout, layout

SHAPE = "SSD EHCP tables"

LAYOUTS: tuple[Layout, ...] = (
    layout(SHAPE, "person", "ssd_send", {"send_table_id": "persontableid"},
           ("send_table_id", "send_person_id")),
    layout(SHAPE, "requests", "ssd_ehcp_requests",
           {"ehcr_ehcp_request_id": "requeststableid", "ehcr_send_table_id": "persontableid"},
           ("ehcr_ehcp_request_id", "ehcr_send_table_id")),
    layout(SHAPE, "assessment", "ssd_ehcp_assessment",
           {"ehca_ehcp_assessment_id": "assessmenttableid",
            "ehca_ehcp_request_id": "requeststableid"},
           ("ehca_ehcp_assessment_id", "ehca_ehcp_request_id")),
    layout(SHAPE, "namedplan", "ssd_ehcp_named_plan",
           {"ehcn_named_plan_id": "namedplantableid", "ehcn_ehcp_asmt_id": "assessmenttableid"},
           ("ehcn_named_plan_id", "ehcn_ehcp_asmt_id")),
    layout(SHAPE, "activeplans", "ssd_ehcp_active_plans",
           {"ehcp_active_ehcp_id": "activeplanstableid", "ehcp_ehcp_request_id": "requeststableid"},
           ("ehcp_active_ehcp_id", "ehcp_ehcp_request_id")),
)
# The EHCP tables' and ssd_send's fields no timescale rule reads (the young person's ULN, and
# why no UPN or ULN is known), named as such by `sendcheck columns`.
UNREAD = ("send_uln", "send_upn_unknown")
