"""Reading the SEN2 return (XML, COLLECT module CSVs, pre-submission workbook) into episodes.

All three shapes are first read into the same per-module text frames (columns named by the
normalised SEN2 field, plus the table ids that link them), then `assemble` flattens them, in
polars, to one row per request: the request, its assessment, named plan and active plan, the
person's details, and the SEN needs and settings as lists for the return checks. A person with
no request is kept as a row of its own (the return checks report it), so every person counts.

Ids: the XML carries none, so a person is numbered by its position among the file's <Person>
elements and a request by its position among the <Requests> elements; the module CSVs and the
workbook give `persontableid` and `requeststableid`, which become `person_id` and `record_id`.
Row numbers (`_row`): for the XML, the line of the <Requests> element (of the <Person> element
for a person with no request); for the CSVs and the workbook, the row in the requests module's
file or sheet (the person module's for a person with no request).

The XML is streamed with the standard library's expat parser (the parser under
xml.etree.iterparse): no element tree is built at all, so nothing has to be cleared, and expat
reports the exact line of each element, which iterparse does not. Values go into Python lists
per module and become a polars frame every CHUNK_PERSONS persons, so memory stays near the size
of the final frames whatever the size of the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import polars as pl

from sendcheck.columns import BY_NAME, normalise_header
from sendcheck.errors import SendcheckError
from sendcheck.read.limits import (
    DAMAGED,
    MAX_LINE_CHARS,
    check_text,
    open_input,
    read_input,
    read_member,
)
from sendcheck.read.sen2_schema import (
    BY_KEY,
    EPISODE_MODULES,
    HEADER,
    ID_COLUMNS,
    LIST_FIELDS,
    MODULES,
    SHEETS,
    Layout,
    module_columns,
)
from sendcheck.read.sheets import (
    HEADER_SCAN_ROWS,
    Table,
    check_xlsx,
    csv_error,
    decode_text,
    header_index,
    path_text,
)

CHUNK_PERSONS = 10_000  # persons held as Python lists before they become a polars frame
READ_BYTES = 1 << 20
FOLDER_OTHERS_SHOWN = 5  # files of a folder that are not modules, named in its notes
# The longest run of bytes between two tags (a value, or a tag with its attributes): a SEN2
# value is a date, a code or an id; one of 512 MB made polars panic.
MAX_VALUE_BYTES = MAX_LINE_CHARS
SEN2_NOTE = ("SEN2 carries no caseworker, advice or draft-plan dates: the rules and checks that "
             "need them are skipped")
_WHOLE_FLOAT = r"^(-?\d+)\.0+$"
# The table ids that name the episode and the person (assemble renames them so).
_ID_NAMES = {"requeststableid": "record_id", "persontableid": "person_id"}
MODULE_CSVS = "module CSVs"  # the shape of COLLECT's own module files
_SEN2_SHAPES = ("xml", MODULE_CSVS, "workbook")
_FIELDS = {m.key: {normalise_header(f): f for f in m.fields} for m in (*MODULES, HEADER)}


@dataclass
class ModuleTable(Table):
    """One SEN2 module CSV given on its own; `merge_modules` joins it with its siblings."""

    module: str = ""
    shape: str = MODULE_CSVS  # or another publisher's layout's (read/ssd.py, read/send_tool.py)


@dataclass
class Sen2Table(Table):
    """A whole SEN2 return read and flattened to episodes; `header` holds the return's header."""

    header: dict[str, str] = field(default_factory=dict)
    shape: str = ""  # "xml", "module CSVs" or "workbook"


def reference_date(tables: list[Table]) -> dt.date | None:
    """The census date a SEN2 return is judged on (its header's ReferenceDate), when every input
    is a return and they agree; None otherwise. COLLECT writes `2025-01-16` or `2025-Jan-16`."""
    from sendcheck.read.dates import parse_text

    texts = {str(t.header.get("ReferenceDate", "")).strip() for t in tables
             if isinstance(t, Sen2Table)}
    if not tables or len(texts) != 1 or not all(isinstance(t, Sen2Table) for t in tables):
        return None
    (text,) = texts
    if not text:
        return None
    value = parse_text(pl.Series([text]), dt.date.today().year + 1).get_column("date")[0]
    return value if isinstance(value, dt.date) else None


def return_year(tables: list[Table]) -> int | None:
    """The calendar year a SEN2 return covers, from its header, when every input is a return.

    The January collection (Year 2025, ReferenceDate in January 2025) covers the previous
    calendar year, which is the year DfE's published timeliness figures are computed for.
    """
    years = set()
    for t in tables:
        if not isinstance(t, Sen2Table):
            return None
        # The ReferenceDate's year first: a Year that disagrees with it (20255) is the return's
        # own mistake, checked as DQ38, never a reporting period.
        census = reference_date([t])
        year = str(census.year) if census else str(t.header.get("Year", "")).strip()
        if not (year.isdigit() and len(year) == 4):
            return None
        years.add(int(year) - 1)
    return years.pop() if len(years) == 1 else None


# ---------------------------------------------------------------- assembling episodes


def _kept(module: str, columns: list[str], index: dict[str, str]) -> list[str]:
    """The columns of a module frame that episodes use: mapped fields, or the listed codes."""
    if module in LIST_FIELDS:
        return [c for c in columns if c in LIST_FIELDS[module]]
    if module == HEADER.key:
        return [c for c in columns if c in _FIELDS[HEADER.key]]
    if module in EPISODE_MODULES:
        return [c for c in columns if c in index and c not in ID_COLUMNS]
    return []


def _where(frame: pl.DataFrame) -> str:
    first = frame.row(0, named=True)
    return f"{first['_source']} row {first['_row']}"


def _link_to_requests(frames: dict[str, pl.DataFrame], requests: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Give every module below requests a `requeststableid`, following the table-id chain."""
    linked: dict[str, pl.DataFrame] = {}
    for m in MODULES[2:]:
        if m.key not in frames:
            continue
        f = frames[m.key]
        if "requeststableid" not in f.columns:
            parent = BY_KEY[m.parent]
            pid = parent.id_column
            if pid not in f.columns or m.parent not in linked or pid not in linked[m.parent].columns:
                raise SendcheckError(
                    f"SEN2 {m.key} module: its rows carry neither requeststableid nor a "
                    f"{pid} matching the {m.parent} module; give the {m.parent} module too")
            link = linked[m.parent].select(pid, "requeststableid").unique(pid, keep="first")
            f = f.join(link, on=pid, how="left", maintain_order="left")
        orphans = f.join(requests.select("requeststableid"), on="requeststableid", how="anti")
        if orphans.height:
            raise SendcheckError(
                f"SEN2 {m.key} module: {orphans.height} row(s) belong to no request in the "
                f"requests module (first: {_where(orphans)}); were the modules exported together?")
        linked[m.key] = f
    return linked


def assemble(frames: dict[str, pl.DataFrame], index: dict[str, str]
             ) -> tuple[pl.DataFrame, dict[str, str]]:
    """One row per request (and one per person with none), canonical column names.

    `frames`: module key -> text frame with normalised field names, table ids, `_row`,
    `_source` and `_ord` (order in the file). Returns the episodes and canonical -> SEN2 field.
    """
    if "requests" not in frames:
        raise SendcheckError("SEN2 return: no requests module found (give the requests CSV, the "
                             "folder of module CSVs, or the workbook with its Requests sheet)")
    requests = frames["requests"]
    for need in ("requeststableid", "persontableid"):
        if need not in requests.columns:
            raise SendcheckError(f"SEN2 requests module: no {need} column")
    linked = _link_to_requests(frames, requests)
    sources: dict[str, str] = {}  # canonical -> module it came from

    def fields_of(module: str, frame: pl.DataFrame) -> list[pl.Expr]:
        out = []
        for c in _kept(module, frame.columns, index):
            canonical = index[c]
            if canonical in sources:
                raise SendcheckError(
                    f"SEN2 return: {canonical} is given twice ({sources[canonical]} and "
                    f"{module}.{c}); map one of them away in sendcheck.toml [columns]")
            sources[canonical] = f"{module}.{c}"
            out.append(pl.col(c).alias(canonical))
        return out

    episodes = requests.sort("_ord").select(
        "requeststableid", "persontableid", "_row", "_source", *fields_of("requests", requests))
    repeats = []
    for key in ("assessment", "namedplan", "activeplans"):
        if key not in linked:
            continue
        f = linked[key].sort("_ord")
        # At most one per request in the return; a second is reported (DQ21), the first is used.
        first = f.group_by("requeststableid", maintain_order=True).agg(
            *[e.first() for e in fields_of(key, f)], pl.len().alias(f"_n_{key}"))
        episodes = episodes.join(first, on="requeststableid", how="left", maintain_order="left")
        repeats.append(pl.when(pl.col(f"_n_{key}") > 1).then(
            pl.format("{} {} elements", pl.col(f"_n_{key}"), pl.lit(BY_KEY[key].tag))))
    settings = [linked[k].sort("_ord").select("requeststableid", "sensetting")
                for k in ("plandetail", "placementdetail")
                if k in linked and "sensetting" in linked[k].columns]
    if settings:
        lists = pl.concat(settings).filter(pl.col("sensetting").is_not_null()).group_by(
            "requeststableid", maintain_order=True).agg(pl.col("sensetting").alias("sen2_setting"))
        episodes = episodes.join(lists, on="requeststableid", how="left", maintain_order="left")
    if "placementdetail" in linked and "entrydate" in linked["placementdetail"].columns:
        # Placement entry dates, for the check that none is after the plan's cease date (DQ37).
        entries = linked["placementdetail"].sort("_ord").filter(
            pl.col("entrydate").is_not_null()).group_by("requeststableid", maintain_order=True).agg(
            pl.col("entrydate").alias("sen2_placement_entry"))
        episodes = episodes.join(entries, on="requeststableid", how="left", maintain_order="left")
    if "senneed" in linked and {"sentype", "sentyperank"} <= set(linked["senneed"].columns):
        needs = linked["senneed"].sort("_ord").group_by("requeststableid", maintain_order=True).agg(
            pl.col("sentype").alias("sen2_sentype"), pl.col("sentyperank").alias("sen2_sentype_rank"))
        episodes = episodes.join(needs, on="requeststableid", how="left", maintain_order="left")
    episodes = episodes.with_columns(
        (pl.concat_str(repeats, separator="; ", ignore_nulls=True).replace("", None)
         if repeats else pl.lit(None, pl.String)).alias("sen2_repeats"))
    if "person" in frames:
        person = frames["person"]
        if "persontableid" not in person.columns:
            raise SendcheckError("SEN2 person module: no persontableid column")
        orphans = requests.join(person.select("persontableid"), on="persontableid", how="anti")
        if orphans.height:
            raise SendcheckError(
                f"SEN2 requests module: {orphans.height} request(s) belong to no person in the "
                f"person module (first: {_where(orphans)}); were the modules exported together?")
        pfields = fields_of("person", person)
        people = person.sort("_ord").unique("persontableid", keep="first", maintain_order=True)
        people = people.with_columns(pl.col("_ord").alias("_n_person"))
        episodes = episodes.join(people.select("persontableid", "_n_person", *pfields),
                                 on="persontableid", how="left", maintain_order="left")
        alone = people.join(requests.select("persontableid").unique(), on="persontableid",
                            how="anti", maintain_order="left")
        alone = alone.select(
            pl.format("person {} (no request)", pl.col("persontableid")).alias("requeststableid"),
            "persontableid", "_row", "_source", "_n_person", *pfields)
        # Persons in file order, each person's requests in file order: the XML's own order.
        episodes = pl.concat([episodes, alone], how="diagonal").sort("_n_person", maintain_order=True)
    episodes = episodes.with_columns(
        pl.col("requeststableid").str.starts_with("person ").not_().sum().over("persontableid")
        .cast(pl.Int32).alias("sen2_requests"))
    episodes = episodes.rename({k: v for k, v in _ID_NAMES.items() if v not in episodes.columns})
    mapping = {canonical: _FIELDS[src.split(".")[0]].get(src.split(".")[1], src.split(".")[1])
               for canonical, src in sources.items()}
    first = [c for c in episodes.columns if c in BY_NAME]
    rest = [c for c in episodes.columns if c not in BY_NAME and not c.startswith("_n_")
            and c not in _ID_NAMES]
    return episodes.select(first + rest), mapping


def _module_frame(raw: pl.DataFrame, module: str, index: dict[str, str], first_row: int,
                  source: str, whole_floats: bool, ids: dict[str, str] | None = None
                  ) -> tuple[pl.DataFrame, list[str]]:
    """A module's text frame as `assemble` wants it: normalised names (a publisher's keys renamed
    to SEN2's table ids by `ids`), blanks null, row numbers."""
    names = [(ids or {}).get(normalise_header(c), normalise_header(c)) for c in raw.columns]
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise SendcheckError(f"{source}: the column {twice[0]!r} appears twice")
    keep = [c for c in names if c in ID_COLUMNS] + _kept(module, names, index)
    unused = [c for c, n in zip(raw.columns, names) if n not in keep]  # as written
    raw = raw.rename(dict(zip(raw.columns, names)))
    cells = [pl.col(c).str.strip_chars().replace("", None) for c in keep]
    if whole_floats:
        # The workbook (and CSVs saved from it) write ids, flags and ranks as floats: 123.0 is 123.
        cells = [c.str.replace(_WHOLE_FLOAT, "${1}") for c in cells]
    frame = raw.select(cells).with_columns(
        pl.int_range(first_row, first_row + raw.height, dtype=pl.Int64).alias("_row"),
        pl.lit(path_text(source)).alias("_source"),
        pl.int_range(0, raw.height, dtype=pl.Int64).alias("_ord"),
    )
    return frame, unused


# ---------------------------------------------------------------- module CSVs


def _module_of(headers: set[str], name: str) -> str | None:
    """Which SEN2 module a file (or sheet) holds, from its headers; None when not SEN2.

    A module file holds that module's items and table ids, nothing else: a linked export whose
    headers end in "table ID" beside its own wording is an export, not a module."""
    ids = headers & {*ID_COLUMNS, HEADER.id_column}
    items = headers - ids - {""}
    if not ids:
        return None
    candidates = [m for m in (*MODULES, HEADER) if items <= module_columns(m)
                  and (items or m.id_column in ids)]
    if not candidates:
        return None
    scores = {m.key: len(items & set(_FIELDS[m.key])) + (m.id_column in ids) for m in candidates}
    best = max(scores.values())
    tied = [m for m in candidates if scores[m.key] == best]
    if len(tied) > 1:  # e.g. plan detail and placement detail share most fields
        own = [m for m in tied if m.id_column in headers]
        stem = normalise_header(name)
        named = [m for m in tied if m.key in stem or normalise_header(m.sheet) in stem]
        tied = own if len(own) == 1 else named if len(named) == 1 else tied
    if len(tied) != 1:
        raise SendcheckError(f"{name}: cannot tell which SEN2 module this is (it could be "
                             f"{' or '.join(m.key for m in tied)}); put the module in its name")
    return tied[0].key


def _csv_text(path: Path, data: bytes) -> tuple[str, str]:
    text, _ = decode_text(data, path.name)
    first = text.split("\n", 1)[0]
    delim = max((",", ";", "\t", "|"), key=first.count)
    return text, delim


def sniff_module_csv(path: Path, data: bytes) -> Layout | None:
    """The SEN2 module a CSV holds, judged from its header line: COLLECT's own module CSVs, the
    SSD's EHCP tables, the SEND tool's modules; None for any other CSV."""
    from sendcheck.read import send_tool, ssd

    text, delim = _csv_text(path, data[:65536])
    import csv

    header = next(csv.reader([text.split("\n", 1)[0].strip("\r")], delimiter=delim), [])
    headers = {normalise_header(h) for h in header} - {""}
    for theirs in (*ssd.LAYOUTS, *send_tool.LAYOUTS):
        if theirs.matches(headers):
            return theirs
    module = _module_of(headers, path.name)
    return None if module is None else Layout(MODULE_CSVS, module, module, {}, frozenset())


def read_module_csv(path: Path, data: bytes, sha: str, index: dict[str, str]) -> ModuleTable:
    layout = sniff_module_csv(path, data)
    module = layout.module
    text, delim = _csv_text(path, data)
    check_text(text, path.name)
    try:
        raw = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False, separator=delim,
                          raise_if_empty=False)
    except pl.exceptions.PolarsError:
        raise csv_error(text, delim, 0, path.name) from None
    frame, unused = _module_frame(raw, module, index, 2, path.name, whole_floats=True,
                                  ids=layout.ids)
    # Canonical column -> header as written, for `sendcheck columns` and the merged table.
    written = {layout.ids.get(normalise_header(c), normalise_header(c)): c for c in raw.columns}
    mapping = {canonical: written[c] for c, canonical in _ID_NAMES.items() if c in frame.columns}
    mapping.update({index[c]: written[c] for c in frame.columns if c in index and c in written
                    and c not in ID_COLUMNS})
    note = (f"{layout.shape}: {layout.name}; give it with the other files of its set (or their "
            f"folder) to join them into episodes")
    return ModuleTable(str(path), None, 1, frame, mapping, unused, sha, delimiter=delim,
                       notes=[note], module=module, shape=layout.shape)


def _header_values(frame: pl.DataFrame) -> dict[str, str]:
    if frame.height == 0:
        return {}
    row = frame.row(0, named=True)
    return {_FIELDS["sen2"][k]: str(v) for k, v in row.items() if k in _FIELDS["sen2"] and v is not None}


def _sen2_table(path: str, frames: dict[str, pl.DataFrame], index: dict[str, str], sha: str,
                shape: str, unused: list[str], header: dict[str, str], where_rows: str) -> Sen2Table:
    episodes, mapping = assemble(frames, index)
    # The header's Year and ReferenceDate on every row, for the check that they agree (DQ38).
    episodes = episodes.with_columns(
        pl.lit(header.get("Year"), pl.String).alias("sen2_year"),
        pl.lit(header.get("ReferenceDate"), pl.String).alias("sen2_reference_date"))
    what = (f"SEN2 return ({shape})" if shape in _SEN2_SHAPES
            else f"{shape}, read as SEN2's modules")
    notes = [f"{what}: one row per request; {where_rows}", SEN2_NOTE]
    if header:
        notes.append("header: " + ", ".join(f"{k}={v}" for k, v in header.items()))
    return Sen2Table(path, None, 1, episodes, mapping, unused, sha, notes=notes, header=header,
                     shape=shape)


def _requests_name(shape: str) -> str:
    """What the requests file of a set of module files is called, for messages."""
    from sendcheck.read import send_tool, ssd

    return next((f"the {lay.name} table" if lay.shape == ssd.SHAPE else f"its {lay.name} CSV"
                 for lay in (*ssd.LAYOUTS, *send_tool.LAYOUTS)
                 if lay.shape == shape and lay.module == "requests"), "the requests module's CSV")


def _merge(modules: list[ModuleTable], index: dict[str, str], label: str) -> Sen2Table:
    frames: dict[str, pl.DataFrame] = {}
    header: dict[str, str] = {}
    shapes = sorted({t.shape for t in modules})
    if len(shapes) > 1:
        raise SendcheckError(f"{label}: {' and '.join(shapes)} cannot be joined into one set of "
                             f"episodes; audit each set on its own")
    shape = shapes[0]
    if "requests" not in {t.module for t in modules}:
        raise SendcheckError(f"{label}: {shape} without {_requests_name(shape)}; the requests "
                             f"hold the episodes the other files join to, give it too")
    for t in modules:
        if t.module in frames or (t.module == HEADER.key and header):
            raise SendcheckError(f"{Path(t.path).name}: a second SEN2 {t.module} module")
        if t.module == HEADER.key:
            header = _header_values(t.frame)
        else:
            frames[t.module] = t.frame
    # One fingerprint for the set of files: the hash of their names and hashes, sorted by name.
    sha = hashlib.sha256("".join(f"{Path(t.path).name} {t.sha256}\n" for t in
                                 sorted(modules, key=lambda t: Path(t.path).name)).encode()).hexdigest()
    table = _sen2_table(label, frames, index, sha, shape,
                        sorted({u for t in modules for u in t.unmapped}), header,
                        f"row = row in {_requests_name(shape)}")
    # Headers as each file writes them (the person's file, then the requests', first), the
    # episode's and the person's id first: `sendcheck columns` shows what mapped.
    written: dict[str, str] = {}
    for t in sorted(modules, key=lambda t: (t.module != "person", t.module != "requests")):
        written = {**t.mapping, **written}
    ids = {c: written[c] for c in _ID_NAMES.values() if c in written}
    table.mapping = {**ids, **{c: written.get(c, h) for c, h in table.mapping.items()}}
    return table


def merge_modules(tables: list[Table], config_columns: dict[str, str] | None = None) -> list[Table]:
    """Join module CSVs given as separate files into one SEN2 table; other tables pass through."""
    modules = [t for t in tables if isinstance(t, ModuleTable)]
    if not modules:
        return tables
    label = " + ".join(Path(t.path).name for t in modules)
    merged = _merge(modules, header_index(config_columns), label)
    out: list[Table] = []
    for t in tables:
        if t is modules[0]:
            out.append(merged)  # the joined return takes the place of its first module file
        elif not isinstance(t, ModuleTable):
            out.append(t)
    return out


def read_folder(path: Path, index: dict[str, str]) -> Sen2Table | None:
    """A folder of module CSVs (COLLECT's, the SSD's EHCP tables, the SEND tool's), or None when
    it holds none. Other files are not read, and the notes name them: a nightly SSD extract's
    folder holds every SSD table, of which only the EHCP ones (and ssd_send) are SEN2's."""
    tables, others = [], []
    for f in sorted(path.iterdir()):
        if not f.is_file() or f.name.startswith("."):
            continue
        data = read_input(f) if f.suffix.lower() in (".csv", ".txt") else b""
        if data.strip() and sniff_module_csv(f, data):
            tables.append(read_module_csv(f, data, hashlib.sha256(data).hexdigest(), index))
        else:
            others.append(f.name)
    if not tables:
        return None
    merged = _merge(tables, index, str(path))
    if others:
        shown = ", ".join(others[:FOLDER_OTHERS_SHOWN]) + (
            f" and {len(others) - FOLDER_OTHERS_SHOWN} more" if len(others) > FOLDER_OTHERS_SHOWN
            else "")
        merged.notes.append(f"not read: {len(others)} other file(s) in the folder, not "
                            f"{merged.shape} ({shown})")
    return merged


# ---------------------------------------------------------------- workbook


def is_sen2_workbook(data: bytes) -> bool:
    """True for a workbook whose sheets are SEN2 modules (read from the zip, not the sheets)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            book = read_member(zf, "xl/workbook.xml", "").decode("utf-8", "replace")
    except (*DAMAGED, SendcheckError):  # a damaged package is reported by the workbook reader
        return False
    names = {normalise_header(n) for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]+)"', book)}
    return "requests" in names and len(names & set(SHEETS)) >= 2


def read_workbook(path: Path, data: bytes, sha: str, index: dict[str, str]) -> Sen2Table:
    import fastexcel

    book = check_xlsx(path, data)
    frames: dict[str, pl.DataFrame] = {}
    unused: set[str] = set()
    try:
        reader = fastexcel.read_excel(book.data)
        for i, sheet in enumerate(book.sheets):
            name = sheet.name
            module = SHEETS.get(normalise_header(name))
            if module is None or sheet.kind != "worksheet":
                continue
            raw = reader.load_sheet(i, header_row=None, dtypes="string").to_polars()
            rows = [[normalise_header(c) for c in r if c] for r in raw.head(HEADER_SCAN_ROWS).iter_rows()]
            at = next((j for j, r in enumerate(rows) if set(r) & set(ID_COLUMNS)), None)
            if at is None:
                raise SendcheckError(f"{path.name} sheet {name!r}: no header row with "
                                     f"persontableid or requeststableid")
            body = raw.slice(at + 1)
            body.columns = [str(c) if c else f"_blank{k}" for k, c in enumerate(raw.row(at))]
            first = book.scans[name].first_row + at + 1
            frames[module], left = _module_frame(body, module, index, first, f"{path.name} [{name}]",
                                                 whole_floats=True)
            unused |= {u for u in left if not u.startswith("_blank")}
    except SendcheckError:
        raise
    except Exception as exc:  # noqa: BLE001 - fastexcel raises its own hierarchy: the file is bad
        # Its message can quote cell text (names, dates of birth): only its kind is shown.
        raise SendcheckError(f"{path.name}: could not read the workbook ({type(exc).__name__}); "
                             f"open it in Excel and save it again") from None
    return _sen2_table(str(path), frames, index, sha, "workbook", sorted(unused), {},
                       "row = row in the Requests sheet")


# ---------------------------------------------------------------- XML


def _xml_schema(key: str, index: dict[str, str], seen: set[str]) -> dict[str, pl.DataType]:
    """A module's columns from the XML: its ids, the standard fields it keeps, any others seen."""
    ids = {"person": ("persontableid",), "requests": ("requeststableid", "persontableid")}
    out = {c: pl.String for c in ids.get(key, ("requeststableid",))}
    keep = LIST_FIELDS.get(key, index)
    standard = [f for f in _FIELDS[key] if f in keep]
    out |= {c: pl.String for c in dict.fromkeys([*standard, *sorted(seen)])}
    return out | {"_row": pl.Int64, "_ord": pl.Int64}


def _parse_xml(path: Path, index: dict[str, str]
               ) -> tuple[dict[str, pl.DataFrame], dict[str, str], str, list[str]]:
    """Stream the XML: module frames, the header's fields, the file's sha256, the tags not used.

    The handlers are closures over local lists (the hot path runs once per element, millions of
    times for a national return); each module element becomes a dict of its leaf values.
    """
    where = path.name
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    stack: list[str] = []  # normalised tags of the open elements
    opened: list[tuple[int, str, dict, object]] = []  # (depth, module, row, fields kept)
    text: list[str] = []
    names: dict[str, str] = {}
    count = {m.key: 0 for m in MODULES}
    rows: dict[str, list[dict]] = {m.key: [] for m in MODULES}
    seen: dict[str, set[str]] = {m.key: set() for m in MODULES}
    chunks: dict[str, list[pl.DataFrame]] = {m.key: [] for m in MODULES}
    keeps = {m.key: LIST_FIELDS.get(m.key, index) for m in MODULES}
    header: dict[str, str] = {}
    header_fields = _FIELDS[HEADER.key]
    unused: set[str] = set()  # leaf elements read past (Sex, Ethnicity, URN, ...)

    def flush() -> None:
        for key, module_rows in rows.items():
            if module_rows:
                chunks[key].append(pl.from_dicts(module_rows, schema=_xml_schema(key, index, seen[key])))
                module_rows.clear()

    def open_module(name: str, tag: str, depth: int) -> None:
        module = BY_KEY[tag]
        top = opened[-1] if opened else None
        if module.parent is None:
            ok = top is None
        else:
            ok = top is not None and top[0] == depth - 1 and top[1] == module.parent
        if not ok:
            inside = BY_KEY[module.parent].tag if module.parent else "Persons"
            raise SendcheckError(f"{where}: line {parser.CurrentLineNumber}: <{name}> is not "
                                 f"directly inside <{inside}> (not the SEN2 structure)")
        n = count[tag] = count[tag] + 1
        row = {"_row": parser.CurrentLineNumber, "_ord": n}
        if tag == "person":
            row["persontableid"] = str(n)
        elif tag == "requests":
            row["requeststableid"] = str(n)
            row["persontableid"] = top[2]["persontableid"]
        else:
            row["requeststableid"] = top[2]["requeststableid"]
        opened.append((depth, tag, row, keeps[tag]))

    def start(name: str, attrs: object) -> None:
        tag = names.get(name)
        if tag is None:  # namespace prefix dropped, case and punctuation ignored
            tag = names[name] = normalise_header(name.rsplit(":", 1)[-1])
        if tag in BY_KEY:
            open_module(name, tag, len(stack))
        elif not stack and tag != "message":
            raise SendcheckError(f"{where}: not a SEN2 return (the root element is <{name}>, "
                                 f"expected <Message>)")
        stack.append(tag)
        text.clear()

    def end(name: str) -> None:
        tag = stack.pop()
        if opened:
            depth, module, row, keep = opened[-1]
            level = len(stack)
            if depth == level:
                opened.pop()
                rows[module].append(row)
                if module == "person" and len(rows["person"]) >= CHUNK_PERSONS:
                    flush()
            elif depth == level - 1:
                if tag in keep:
                    value = "".join(text).strip()
                    if value:
                        row[tag] = value
                        seen[module].add(tag)
                else:
                    unused.add(name.rsplit(":", 1)[-1])
        elif tag in header_fields and "header" in stack:
            header[header_fields[tag]] = "".join(text).strip()
        text.clear()

    def doctype(name: str, *_: object) -> None:
        # A DTD can declare entities expat leaves blank without a word: no SEN2 return has one.
        raise SendcheckError(f"{where}: line {parser.CurrentLineNumber}: a document type "
                             f"declaration (<!DOCTYPE {name}>) is refused; a SEN2 return has "
                             f"none: export it again from the case-management system")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    parser.StartDoctypeDeclHandler = doctype
    sha = hashlib.sha256()
    size = 0
    run = 0  # bytes since the last "<": a value's length, bounded before the parser sees it
    try:
        with open_input(path) as fh:
            while chunk := fh.read(READ_BYTES):
                first, last = chunk.find(b"<"), chunk.rfind(b"<")
                if max(run + (len(chunk) if first < 0 else first),
                       len(chunk) - last - 1 if last >= 0 else 0) > MAX_VALUE_BYTES:
                    raise SendcheckError(
                        f"{where}: a value or tag of more than {MAX_VALUE_BYTES:,} bytes near "
                        f"byte {size:,}: not a SEN2 return (its values are dates, codes, ids)")
                run = run + len(chunk) if last < 0 else len(chunk) - last - 1
                size += len(chunk)
                sha.update(chunk)
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        if size == 0:
            raise SendcheckError(f"{where}: the file is empty") from None
        raise SendcheckError(f"{where}: not well-formed XML at line {exc.lineno}, column "
                             f"{exc.offset + 1}: {expat.ErrorString(exc.code)}") from None
    finally:  # the handlers refer to the parser: break the cycle so memory is freed now
        parser.StartElementHandler = parser.EndElementHandler = parser.CharacterDataHandler = None
        parser.StartDoctypeDeclHandler = None
    if count["person"] == 0:
        raise SendcheckError(f"{where}: no <Person> elements; is this a SEN2 return?")
    flush()
    frames = {}
    for key, parts in chunks.items():
        frame = (pl.concat(parts, how="diagonal") if parts
                 else pl.DataFrame(schema=_xml_schema(key, index, seen[key])))
        frames[key] = frame.with_columns(pl.lit(path_text(where)).alias("_source"))
    return frames, header, sha.hexdigest(), sorted(unused)


def read_xml(path: Path, index: dict[str, str]) -> Sen2Table:
    """Stream a SEN2 XML return; malformed XML is a whole-file error (exit 2)."""
    frames, header, sha, unused = _parse_xml(path, index)
    return _sen2_table(str(path), frames, index, sha, "XML", unused, header,
                       "row = line of the <Requests> element (of <Person> for a person with no "
                       "request); person_id and record_id are positions in the file")


# ---------------------------------------------------------------- entry from reader.read_export


def read_sen2_path(path: Path, config_columns: dict[str, str] | None) -> Table | None:
    """A folder of module CSVs or an XML return, read; None for a folder with no SEN2 module."""
    index = header_index(config_columns)
    if path.is_dir():
        return read_folder(path, index)
    return read_xml(path, index)


def read_sen2_data(path: Path, data: bytes, sha: str, config_columns: dict[str, str] | None
                   ) -> Table | None:
    """A module CSV or a pre-submission workbook, read; None for any other CSV or workbook."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") and is_sen2_workbook(data):
        return read_workbook(path, data, sha, header_index(config_columns))
    if suffix in (".csv", ".txt") and sniff_module_csv(path, data):
        return read_module_csv(path, data, sha, header_index(config_columns))
    return None
