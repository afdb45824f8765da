"""The CSV reports: findings (with a preamble) and the caseload."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from sendcheck.audit import Audit
from sendcheck.figures.caseload import (
    Caseload,
)
from sendcheck.figures.headline import suppressed_caseload
from sendcheck.views.changes import annotate
from sendcheck.views.files import neutralise_expr
from sendcheck.views.findings import findings_frame, listed

FINDINGS_CHUNK = 50_000  # findings written at a time


def csv_chunks(audit: Audit, all_statuses: bool = False, personal: bool = False
               ) -> Iterator[str]:
    """The CSV report in pieces, in order (never one string of the whole report)."""
    found = annotate(audit, listed(audit, findings_frame(audit, all_statuses, personal,
                                                          cycle=audit.changes is not None)))
    text_cols = [c for c, t in found.schema.items() if t == pl.String]
    for at in range(0, max(found.height, 1), FINDINGS_CHUNK):
        safe = found.slice(at, FINDINGS_CHUNK).with_columns(
            [neutralise_expr(c) for c in text_cols])
        yield safe.write_csv(include_header=at == 0, date_format="%Y-%m-%d")


def to_csv(audit: Audit, all_statuses: bool = False, personal: bool = False) -> str:
    return "".join(csv_chunks(audit, all_statuses, personal))


def caseload_csv(c: Caseload, below: int | None) -> str:
    import io

    import polars as pl

    from sendcheck.views.files import neutralise_expr

    data = suppressed_caseload(c, below)
    rows = data["caseworkers"] + [{**data["total"], "caseworker": "total"}]
    frame = pl.DataFrame(rows, infer_schema_length=None,
                         schema_overrides=None if below is None else {
                             k: pl.String for r in rows for k in r if k != "caseworker"})
    text = [k for k, t in frame.schema.items() if t == pl.String]
    buf = io.StringIO()
    frame.with_columns(neutralise_expr(k) for k in text).write_csv(buf)
    return buf.getvalue()
