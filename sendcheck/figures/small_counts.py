"""Small-number suppression for shareable outputs (`--suppress-below N`), as published tables do.

A count from 1 to N-1 becomes the text "<N". Zero is shown (DfE and council tables show 0; the
disclosure risk is a small non-zero group). A percentage, average or per-FTE load is withheld
(shown "<N" too) when a count it is computed from is suppressed, since the derived figure with
the other count would give the hidden one back. Lists naming cases (the longest waits) are
left out entirely: a record id beside a suppressed count would undo the suppression.
"""

from __future__ import annotations


def small(value: object, below: int | None) -> bool:
    return (below is not None and isinstance(value, int) and not isinstance(value, bool)
            and 0 < value < below)


def count(value: object, below: int | None) -> object:
    return f"<{below}" if small(value, below) else value


def values(vals: dict, below: int | None, ratios: dict[str, tuple[str, ...]] | None = None,
           averages: dict[str, str] | None = None) -> dict:
    """A flat dict of figures with counts suppressed and dependent figures withheld.

    `ratios` maps a derived field to the counts it is computed from; `averages` maps an average
    to the count of cases it averages (withheld when that count is small).
    """
    if below is None:
        return dict(vals)
    out = {k: count(v, below) for k, v in vals.items()}
    for k, parts in (ratios or {}).items():
        if k in out and any(small(vals.get(p), below) for p in parts):
            out[k] = f"<{below}"
    for k, base in (averages or {}).items():
        if k in out and small(vals.get(base), below):
            out[k] = f"<{below}"
    return out
