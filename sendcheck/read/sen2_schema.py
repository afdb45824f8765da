"""The SEN2 return's structure: its modules, their fields and links, and its code lists.

One place for what DfE's SEN2 person-level return looks like in its three shapes: the XML sent to
COLLECT (elements nested Person > Requests > Assessment > NamedPlan ...), COLLECT's Blade CSV
export (one file per module, lower-case headers, linked by `<module>tableid` columns) and the
pre-submission workbook (one sheet per module, every sheet linked by `persontableid` and
`requeststableid`). Reference: shared/domain/sen2.md; witan.sen2 reads the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sendcheck.columns import normalise_header


@dataclass(frozen=True)
class Module:
    """One SEN2 module: an XML element, a Blade CSV file and a workbook sheet."""

    key: str  # normalised name: the XML tag, the CSV file suffix and the table-id prefix
    tag: str  # the XML tag as DfE spells it
    parent: str | None
    fields: tuple[str, ...]  # leaf elements / columns as DfE spells them
    sheet: str  # the pre-submission workbook's sheet name

    @property
    def id_column(self) -> str:
        return f"{self.key}tableid"


MODULES: tuple[Module, ...] = (
    Module("person", "Person", None, (
        "Surname", "Forename", "PersonBirthDate", "Sex", "Ethnicity", "PostCode", "UPN",
        "UniqueLearnerNumber", "UPNunknown"), "Person"),
    Module("requests", "Requests", "person", (
        "ReceivedDate", "RequestSource", "RYA", "RequestOutcomeDate", "RequestOutcome",
        "RequestMediation", "RequestTribunal", "Exported"), "Requests"),
    Module("assessment", "Assessment", "requests", (
        "AssessmentOutcome", "AssessmentOutcomeDate", "AssessmentMediation", "AssessmentTribunal",
        "OtherMediation", "OtherTribunal", "Week20"), "Assessments"),
    Module("namedplan", "NamedPlan", "assessment", (
        "StartDate", "PlanRes", "PlanWBP", "PB", "OA", "DP", "CeaseDate", "CeaseReason"),
        "Named Plan"),
    Module("plandetail", "PlanDetail", "namedplan", (
        "URN", "UKPRN", "SENSetting", "SENSettingOther", "PlacementRank", "SENUnitIndicator",
        "ResourcedProvisionIndicator"), "Plan Detail"),
    Module("activeplans", "ActivePlans", "requests", (
        "TransferLA", "ReviewMeeting", "ReviewOutcome", "ReviewDraft", "PhaseTransferDueDate",
        "PhaseTransferFinalDate", "LastReview"), "Active Plan"),
    Module("placementdetail", "PlacementDetail", "activeplans", (
        "URN", "UKPRN", "SENSetting", "SENSettingOther", "PlacementRank", "EntryDate",
        "LeavingDate", "AttendancePattern", "SENUnitIndicator", "ResourcedProvisionIndicator"),
        "Placement Detail"),
    Module("senneed", "SENneed", "activeplans", ("SENtype", "SENtypeRank"), "SEN Need"),
)
# The return's header: CollectionDetails and Source in the XML, the `sen2` Blade CSV module.
HEADER = Module("sen2", "Header", None, (
    "Collection", "Year", "ReferenceDate", "SourceLevel", "LEA", "SoftwareCode", "Release",
    "SerialNo", "DateTime"), "Header")
BY_KEY: dict[str, Module] = {m.key: m for m in MODULES}
# Columns COLLECT's Blade export adds to each module file beside its items (its own row keys and
# order: `NativeId`, `sourceid`, `<module>orderseqcolumn`; witan.sen2 reads the same), and the
# items of earlier SEN2 versions a module file may still carry.
BLADE_COLUMNS = ("nativeid", "sourceid")
EARLIER_ITEMS = {"person": ("gendercurrent",), "activeplans": ("res", "wbp"),
                 "placementdetail": ("res", "wbp")}


def module_columns(module: Module) -> frozenset[str]:
    """Every column (normalised) a module file may hold besides the table ids."""
    return frozenset({normalise_header(f) for f in module.fields} | set(BLADE_COLUMNS)
                     | {f"{module.key}orderseqcolumn", *EARLIER_ITEMS.get(module.key, ())})
# Modules with at most one element per request: their fields become columns of the episode.
EPISODE_MODULES = ("person", "requests", "assessment", "namedplan", "activeplans")
# Modules with several elements per request: only the coded fields the return checks read are
# kept, as lists on the episode (settings from plan and placement details together).
LIST_FIELDS = {"plandetail": ("sensetting",), "placementdetail": ("sensetting", "entrydate"),
               "senneed": ("sentype", "sentyperank")}
ID_COLUMNS = tuple(m.id_column for m in MODULES)
SHEETS: dict[str, str] = {normalise_header(m.sheet): m.key for m in MODULES}

# Code lists known with confidence (sen2.md section 2). RequestOutcome and AssessmentOutcome: Y yes,
# N no, A decision not yet made, W withdrawn, H historical (confirmed from schemas written from
# DfE's technical specification, 2022-2026); sendcheck also reads the common words for them.
SEN_TYPES = ("SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "DS",
             "OTH")
SEN_SETTINGS = ("OLA", "OPA", "EHE", "EYP", "OTH", "NEET", "NIEC", "NIEO")  # settings without a URN
REVIEW_OUTCOMES = ("A", "C", "M")
OUTCOMES = ("Y", "N", "A", "W", "H")  # RequestOutcome, AssessmentOutcome
WEEK20 = ("0", "1")


@dataclass(frozen=True)
class Layout:
    """Another publisher's file holding one SEN2 module: how to know it, and its id columns.

    `ids` renames the publisher's keys to SEN2's table ids (normalised headers on both sides), so
    the file joins with its siblings exactly as COLLECT's module CSVs do. A file is this layout
    when it has every `required` header and, where `headers` is given, no header outside it."""

    shape: str  # what the set of files is called in notes and errors
    module: str  # the SEN2 module key it holds
    name: str  # the publisher's name for the file, as errors name it
    ids: dict[str, str]
    required: frozenset[str]
    headers: frozenset[str] | None = None

    def matches(self, headers: set[str]) -> bool:
        return self.required <= headers and (self.headers is None or headers <= self.headers)


def layout(shape: str, module: str, name: str, ids: dict[str, str], required: tuple[str, ...],
           headers: tuple[str, ...] | None = None) -> Layout:
    """A Layout from headers as the publisher writes them (normalised here)."""
    norm = {normalise_header(k): v for k, v in ids.items()}
    return Layout(shape, module, name, norm, frozenset(normalise_header(h) for h in required),
                  None if headers is None else frozenset(normalise_header(h) for h in headers))
