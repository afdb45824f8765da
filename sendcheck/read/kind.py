"""What a file with no timescale to judge seems to be, named from its headers.

When no rule can run on an input, "0 cases overdue" would be a lie (contract section 7: nothing
checked is never green); the run stops with one line naming what the file looks like, so the
analyst sees at once that it is the wrong file (an inspection's list of children on SEN support,
an export of contacts) rather than a file sendcheck misread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sendcheck.columns import ALIASES, BY_NAME, PERSONAL, normalise_header

# Words that mark a list with no EHC timescale: SEN support (the area SEND inspection's Annex A
# List 2 and school census extracts), children's social care contacts (the SSD's ssd_contacts).
_SEN_SUPPORT = ("sensupport", "primaryneed", "senprovision", "senneed")
_CONTACTS = ("contact",)
_IDS = ("record_id", "person_id", *PERSONAL)
# The child's details no rule reads (sex, ethnicity, address, learner number, a combined name):
# the start of a word of the header ("Ethnicity", "ULN - Young Persons Unique Learner Number").
_DETAILS = ("gender", "sex", "ethnic", "postcode", "uln", "surname", "forename")


def seems_to_be(headers: Iterable[str]) -> str:
    """A phrase naming what a file with these headers seems to be (to follow "it seems to be")."""
    keys = [normalise_header(h) for h in headers]
    mapped = {ALIASES[k] for k in keys if k in ALIASES}

    def has(words: tuple[str, ...]) -> bool:
        return any(w in k for k in keys for w in words)

    # An event's date (not a birth date): what a timescale runs from or to. Other columns (ids,
    # the child's details, breakdowns such as a primary need) say nothing about timescales.
    dated = {c for c in mapped if BY_NAME[c].kind == "date" and c not in PERSONAL}
    if has(_CONTACTS) and not dated:
        return ("an export of contacts (children's social care), with no request, assessment, "
                "plan or review dates")
    if has(_SEN_SUPPORT) and not dated:
        return ("a list of children on SEN support (as the area SEND inspection's Annex A "
                "List 2): no EHC timescale applies to it")
    if mapped and not dated:
        return ("a list of children (ids and details only), with no request, assessment, plan "
                "or review dates")
    if dated:
        named = sorted(mapped - set(_IDS))
        return (f"an export too thin for any rule: its headers map to {', '.join(named)}, "
                f"and each rule needs more (`sendcheck rules CODE` says which)")
    return ("a file with none of the dates the timescale rules need (requests, decisions, "
            "plans, reviews)")


def why_unread(header: str) -> str | None:
    """Why a header others publish maps to no column (for `sendcheck columns`), or None for a
    header sendcheck does not know: the child's details, and SEN2's items (as SEN2, the SEND tool
    and the SSD name them) that no timescale rule reads."""
    from sendcheck.read import send_tool, ssd
    from sendcheck.read.sen2_schema import HEADER, MODULES

    key = normalise_header(header)
    if key in ALIASES:
        return None
    words = re.split(r"[^0-9a-z]+", str(header).lower())
    if (any(w.startswith(d) for w in words for d in _DETAILS) or "postcode" in key
            or key in {normalise_header(f) for f in ssd.UNREAD}):
        return "the child's details; no rule reads them"
    if any(key in (lay.headers or ()) for lay in send_tool.LAYOUTS):
        return "a SEN2 item, as the SEND tool names it; no rule reads it"
    if any(key == normalise_header(f) for m in (*MODULES, HEADER) for f in m.fields):
        return "a SEN2 item no rule reads"
    return None
