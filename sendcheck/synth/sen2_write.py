"""Writing canonical episodes as a SEN2 return: the XML, COLLECT module CSVs and the workbook.

For tests (the three shapes holding the same data must give the same findings) and for the
examples (a SEN2 return made from the same synthetic episodes as the council export). Input is
the typed episodes frame of `episodes.prepare()`; only what SEN2 carries is written, so an
export's caseworker, advice and draft dates, exception reasons and NC year are left out.

Persons are numbered in order of first appearance and requests in document order, which is
how the reader numbers the XML's persons and requests, so all three shapes give the same
person_id and record_id (the pairing with the export's own ids is written beside them).
RequestOutcome and AssessmentOutcome are written as the return's codes (Y, N, A, W, H: sen2.md
section 2).
Everything is built with polars expressions, the XML included (fragments per element, joined
per parent), so a return of a few hundred thousand persons is written in seconds.

Run as `python -m sendcheck.synth.sen2_write EXPORT OUTDIR [--as-of DATE]` to turn a council export
into OUTDIR/sen2.xml, OUTDIR/sen2_modules/*.csv, OUTDIR/sen2_presubmission.xlsx and
OUTDIR/sen2_ids.csv (export record_id -> SEN2 person and request).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from sendcheck.columns import ALIASES, BY_NAME, normalise_header
from sendcheck.read.sen2_schema import BY_KEY, EPISODE_MODULES, HEADER, MODULES

# canonical column -> (module, SEN2 tag), for every SEN2 field sendcheck reads.
FIELDS: dict[str, tuple[str, str]] = {
    ALIASES[normalise_header(tag)]: (m.key, tag)
    for m in MODULES if m.key in EPISODE_MODULES for tag in m.fields
    if normalise_header(tag) in ALIASES}
OUTCOME_CODES = {"pending": "A", "withdrawn": "W", "historical": "H"}
SEN2_CODES = {"review_outcome": {"maintain": "M", "amend": "A", "cease": "C"},
              "request_outcome": {"assess": "Y", "not_assess": "N", **OUTCOME_CODES},
              "assessment_outcome": {"issue": "Y", "not_issue": "N", **OUTCOME_CODES}}
COLLECT_DATE = "%Y-%b-%d 00:00:00"  # COLLECT's Blade CSV export: 2022-Sep-28 00:00:00
NUMERIC_IN_WORKBOOK = ("persontableid", "requeststableid", "week20", "sentyperank", "ceasereason",
                       "placementrank", "requestmediation", "requesttribunal",
                       "assessmentmediation", "assessmenttribunal", "othermediation",
                       "othertribunal")  # the workbook holds these as floats (123.0, 1.0)
INDENT = {"person": 4, "requests": 6, "assessment": 8, "namedplan": 10, "plandetail": 12,
          "activeplans": 8, "placementdetail": 10, "senneed": 10}


def _value(episodes: pl.DataFrame, canonical: str) -> pl.Expr:
    """The text SEN2 holds for a canonical column: ISO dates, SEN2 codes; raw text if unreadable."""
    col = pl.col(canonical)
    kind = BY_NAME[canonical].kind
    raw = f"{canonical}__raw"
    if kind == "date":
        text = col.dt.strftime("%Y-%m-%d")
        return pl.coalesce(text, pl.col(raw).str.strip_chars().replace("", None)) \
            if raw in episodes.columns else text
    if raw in episodes.columns:  # coded: canonical value, or the text as written when unknown
        known = col.replace(SEN2_CODES.get(canonical, {}))
        return pl.when(col == "?").then(pl.col(raw)).otherwise(known)
    return col.str.strip_chars().replace("", None)


def module_frames(episodes: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Module key -> frame with `<module>tableid`, its parent's id, and fields named by SEN2 tag."""
    present = {c: FIELDS[c] for c in FIELDS if c in episodes.columns}
    by_module: dict[str, list[str]] = {k: [] for k in EPISODE_MODULES}
    for (module, tag) in present.values():
        by_module[module].append(tag)
    person_key = (pl.coalesce(pl.col("person_id").replace("", None),
                              pl.format("row {}", pl.col("_idx")))
                  if "person_id" in episodes.columns else pl.format("row {}", pl.col("_idx")))
    ep = episodes.with_columns(
        person_key.alias("_pkey"),
        *[_value(episodes, c).alias(tag) for c, (_, tag) in present.items()])
    order = ep.select("_pkey").unique(maintain_order=True).with_row_index("persontableid", 1)
    ep = ep.join(order, on="_pkey", how="left", maintain_order="left").sort(
        "persontableid", maintain_order=True)
    has_request = (pl.col("sen2_requests") != 0).fill_null(True) \
        if "sen2_requests" in ep.columns else pl.lit(True)
    persons = ep.group_by("persontableid", maintain_order=True).agg(
        *[pl.col(t).drop_nulls().first() for t in by_module["person"]])
    req = ep.filter(has_request).with_row_index("requeststableid", 1)

    def any_of(tags: list[str], extra: list[pl.Expr] = ()) -> pl.Expr:
        return pl.any_horizontal([pl.col(t).is_not_null() for t in tags] + list(extra) or
                                 [pl.lit(False)])

    def child(parent: pl.DataFrame, key: str, when: pl.Expr, keep: list[str]) -> pl.DataFrame:
        return parent.filter(when).with_row_index(BY_KEY[key].id_column, 1).select(
            BY_KEY[key].id_column, "persontableid", "requeststableid", *keep)

    lists = [c for c in ("sen2_sentype", "sen2_sentype_rank", "sen2_setting") if c in req.columns]
    list_nonempty = [pl.col(c).list.len().fill_null(0) > 0 for c in lists]
    plan_tags = by_module["namedplan"]
    assess = child(req, "assessment", any_of(by_module["assessment"] + plan_tags),
                   by_module["assessment"] + plan_tags)
    named = child(assess, "namedplan", any_of(plan_tags), ["assessmenttableid", *plan_tags])
    active = child(req, "activeplans", any_of(by_module["activeplans"], list_nonempty),
                   by_module["activeplans"] + lists)
    frames = {
        "person": persons,
        "requests": req.select("requeststableid", "persontableid", *by_module["requests"]),
        "assessment": assess.select(*[c for c in assess.columns if c not in plan_tags]),
        "namedplan": named,
        "plandetail": pl.DataFrame(schema={"plandetailtableid": pl.UInt32,
                                           "namedplantableid": pl.UInt32,
                                           "persontableid": pl.UInt32,
                                           "requeststableid": pl.UInt32, "SENSetting": pl.String}),
        "activeplans": active.select(*[c for c in active.columns if c not in lists]),
    }
    base = ["activeplanstableid", "persontableid", "requeststableid"]
    if "sen2_setting" in lists:
        frames["placementdetail"] = active.select(*base, pl.col("sen2_setting").alias(
            "SENSetting")).explode("SENSetting").drop_nulls("SENSetting").with_row_index(
            "placementdetailtableid", 1)
    if "sen2_sentype" in lists:
        need_cols = [pl.col("sen2_sentype").alias("SENtype")]
        if "sen2_sentype_rank" in lists:
            need_cols.append(pl.col("sen2_sentype_rank").alias("SENtypeRank"))
        frames["senneed"] = active.select(*base, *need_cols).explode(
            [c.meta.output_name() for c in need_cols]).drop_nulls("SENtype").with_row_index(
            "senneedtableid", 1)
    frames["_ids"] = req.select(pl.col("record_id").alias("export_record_id"),
                                pl.col("persontableid").alias("sen2_person"),
                                pl.col("requeststableid").alias("sen2_request"))
    return {k: f.with_columns(pl.col(pl.UInt32).cast(pl.String)) for k, f in frames.items()}


def _fields(frame: pl.DataFrame, key: str) -> list[str]:
    return [t for t in BY_KEY[key].fields if t in frame.columns]


def _date_tags(tags: list[str]) -> set[str]:
    canonical = {t: ALIASES.get(normalise_header(t)) for t in tags}
    return {t for t, c in canonical.items() if c is not None and BY_NAME[c].kind == "date"}


# ---------------------------------------------------------------- XML


def _escape(expr: pl.Expr) -> pl.Expr:
    return (expr.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True))


def _fragment(frame: pl.DataFrame, key: str, children: list[pl.DataFrame]) -> pl.DataFrame:
    """Each row's element as XML text, with its children's fragments (joined per row) inside."""
    pad = " " * INDENT[key]
    leaf = pad + "  "
    id_col = BY_KEY[key].id_column
    parts = [pl.when(pl.col(t).is_not_null()).then(pl.format(f"{leaf}<{t}>{{}}</{t}>\n",
                                                              _escape(pl.col(t))))
             for t in _fields(frame, key)]
    for i, child in enumerate(children):
        grouped = child.group_by(id_col, maintain_order=True).agg(
            pl.col("_xml").str.join("").alias(f"_c{i}"))
        frame = frame.join(grouped, on=id_col, how="left", maintain_order="left")
        parts.append(pl.col(f"_c{i}"))
    tag = BY_KEY[key].tag
    body = pl.concat_str(parts, ignore_nulls=True) if parts else pl.lit("")
    return frame.with_columns(
        pl.concat_str([pl.lit(f"{pad}<{tag}>\n"), body, pl.lit(f"{pad}</{tag}>\n")]).alias("_xml"))


def write_xml(frames: dict[str, pl.DataFrame], path: Path, header: dict[str, str]) -> None:
    def get(key: str) -> pl.DataFrame:
        module = BY_KEY[key]
        empty = {module.id_column: pl.String, BY_KEY[module.parent].id_column: pl.String}
        return frames.get(key, pl.DataFrame(schema=empty))

    plan = _fragment(get("namedplan"), "namedplan", [_fragment(get("plandetail"), "plandetail", [])])
    assess = _fragment(get("assessment"), "assessment", [plan])
    active = _fragment(get("activeplans"), "activeplans", [
        _fragment(get("placementdetail"), "placementdetail", []),
        _fragment(get("senneed"), "senneed", [])])
    requests = _fragment(get("requests"), "requests", [assess, active])
    persons = _fragment(frames["person"], "person", [requests])
    head = "".join(f"      <{k}>{v}</{k}>\n" for k, v in header.items())
    xml = persons.get_column("_xml")

    def pieces():
        yield ('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>\n'
               f"    <CollectionDetails>\n{head}    </CollectionDetails>\n  </Header>\n"
               "  <Persons>\n")
        for start in range(0, len(xml), 10_000):
            yield "".join(xml.slice(start, 10_000).to_list())
        yield "  </Persons>\n</Message>\n"

    from sendcheck.views.files import write_atomic  # the one writer: atomic, never via a link

    write_atomic(path, pieces())


# ---------------------------------------------------------------- module CSVs and workbook


def _blade(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """A module as COLLECT's Blade CSV holds it: own id, parent id, lower-case fields."""
    module = BY_KEY[key]
    ids = [module.id_column] + ([BY_KEY[module.parent].id_column] if module.parent else [])
    fields = _fields(frame, key)
    dates = _date_tags(fields)
    return frame.select(*ids, *[
        pl.coalesce(pl.col(t).str.to_date("%Y-%m-%d", strict=False).dt.strftime(COLLECT_DATE),
                    pl.col(t)) if t in dates else pl.col(t) for t in fields]).rename(str.lower)


def write_module_csvs(frames: dict[str, pl.DataFrame], folder: Path, header: dict[str, str],
                      prefix: str = "Blade-Export") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    head = pl.DataFrame({"sen2tableid": ["1"], **{k.lower(): [v] for k, v in header.items()}})
    path = folder / f"{prefix}_{HEADER.key}.csv"
    head.write_csv(path)
    out.append(path)
    for m in MODULES:
        if m.key in frames:
            path = folder / f"{prefix}_{m.key}.csv"
            _blade(frames[m.key], m.key).write_csv(path)
            out.append(path)
    return out


def write_workbook(frames: dict[str, pl.DataFrame], path: Path) -> None:
    """The pre-submission workbook: a sheet per module, ids and flags as floats, date cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for m in MODULES:
        if m.key not in frames:
            continue
        sheet = book.create_sheet(m.sheet)
        frame = frames[m.key]
        ids = ["persontableid"] + (["requeststableid"] if m.parent else [])
        cols = ids + _fields(frame, m.key)
        dates = _date_tags(cols[len(ids):])
        sheet.append([c.lower() for c in cols])
        for row in frame.select(cols).iter_rows():
            sheet.append([_cell(sheet, WriteOnlyCell, name.lower(), value, name in dates)
                          for name, value in zip(cols, row)])
    book.save(path)


def _cell(sheet, make, name: str, value: str | None, is_date: bool):
    if value is None:
        return None
    if name in NUMERIC_IN_WORKBOOK and value.lstrip("-").isdigit():
        return float(value)
    if is_date:
        try:
            cell = make(sheet, dt.date.fromisoformat(value))
            cell.number_format = "yyyy-mm-dd"
            return cell
        except ValueError:  # an unreadable date stays the text it was
            pass
    cell = make(sheet, value)
    cell.data_type = "s"  # text, never a formula, whatever it starts with
    return cell


def default_header(as_of: dt.date) -> dict[str, str]:
    """A plausible Header: the collection year is the January after the data's calendar year."""
    return {"Collection": "SEN2", "Year": str(as_of.year), "ReferenceDate": as_of.isoformat(),
            "SourceLevel": "L", "LEA": "999", "SoftwareCode": "sendcheck"}


# SEN2's mediation and tribunal items by what the appeal was about (sen2.md: after the decision
# not to assess, not to issue, or another decision).
_STAGE_OF_KIND = {"assess": "request", "plan": "assessment", "amend": "other", "school": "other",
                  "cease": "other"}


def with_sen2_flags(episodes: pl.DataFrame) -> pl.DataFrame:
    """The six yes/no items (RequestMediation ... OtherTribunal) worked out from an export's
    order, concession and mediation-agreement kinds, where the export has those and not the
    items: 1 for the stage the appeal or mediation was about, else 0 where the request (or the
    assessment) is in the return."""
    cols = set(episodes.columns)
    sources = {"tribunal": [k for k in ("tribunal_order_kind", "concession_kind") if k in cols],
               "mediation": [k for k in ("mediation_agreement_kind",) if k in cols]}
    out = []
    for what, kinds in sources.items():
        for stage in ("request", "assessment", "other"):
            name = f"{stage}_{what}"
            if not kinds or name in cols:
                continue
            hit = pl.any_horizontal(pl.col(k).replace_strict(_STAGE_OF_KIND, default=None)
                                    == stage for k in kinds).fill_null(False)
            # 0 only where SEN2 has the element the item sits in (a request; an assessment).
            holder = "request_received_date" if stage == "request" else "assessment_outcome"
            has = pl.col(holder).is_not_null() if holder in cols else pl.lit(False)
            out.append(pl.when(hit).then(pl.lit("1")).when(has).then(pl.lit("0"))
                       .otherwise(None).alias(name))
    return episodes.with_columns(out) if out else episodes


def write_all(episodes: pl.DataFrame, out: Path, as_of: dt.date) -> dict[str, Path]:
    """The XML, the module CSVs, the workbook and the id pairing, from prepared episodes."""
    frames = module_frames(with_sen2_flags(episodes))
    header = default_header(as_of)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"xml": out / "sen2.xml", "csv": out / "sen2_modules",
             "xlsx": out / "sen2_presubmission.xlsx", "ids": out / "sen2_ids.csv"}
    write_xml(frames, paths["xml"], header)
    write_module_csvs(frames, paths["csv"], header)
    write_workbook(frames, paths["xlsx"])
    frames["_ids"].write_csv(paths["ids"])
    return paths


def main(argv: list[str] | None = None) -> int:
    from sendcheck.read.episodes import prepare
    from sendcheck.read.export import read_export

    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 4) or (len(args) == 4 and args[2] != "--as-of"):
        print("usage: python -m sendcheck.synth.sen2_write EXPORT OUTDIR [--as-of YYYY-MM-DD]",
              file=sys.stderr)
        return 2
    as_of = dt.date.fromisoformat(args[3]) if len(args) == 4 else dt.date.today()
    table = read_export(args[0])
    paths = write_all(prepare(table.frame, as_of), Path(args[1]), as_of)
    for kind, path in paths.items():
        print(f"{kind}: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
