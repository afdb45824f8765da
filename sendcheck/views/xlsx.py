"""Writing xlsx workbooks for people: small sheets cell by cell, long lists as whole-column XML,
and the conventions every sheet keeps (widths fitted to the content, long text wrapped with its
row made tall enough, dates as date cells, Yes/No for booleans, text neutralised against formula
injection, frozen header, filter, and print settings). openpyxl is imported only when a
workbook is written, in write-only mode (streamed, constant memory per row).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from sendcheck.views.files import neutralise, neutralise_expr

DATE_FORMAT = "dd/mm/yyyy"
MONTH_FORMAT = "mmm yyyy"
PERCENT_FORMAT = "0.0%"
DECIMAL_FORMAT = "0.0"
MAX_ROWS = 1_048_575  # Excel's sheet limit less the header row
MAX_WIDTH = 50  # characters; longer text wraps
HEADER_WIDTH = 16  # a longer header wraps onto a second line rather than widen its column


@dataclass(frozen=True)
class Col:
    """One column of a long list sheet: the frame column, its header, and how cells are written:
    text, date, month, int, num, pct (a percentage 0-100, shown as %) or bool (Yes/No)."""

    name: str
    header: str
    kind: str = "text"


@dataclass(frozen=True)
class Styled:
    """A cell value with its number format or hyperlink."""

    value: object
    fmt: str | None = None
    link: str | None = None


def pct(value: object) -> object:
    """A percentage as the JSON gives it (54.0) as an Excel percentage cell (0.54, shown 54.0%);
    a suppressed or missing figure stays as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Styled(value / 100, PERCENT_FORMAT)
    return value


def month(day: dt.date) -> Styled:
    return Styled(day, MONTH_FORMAT)


@dataclass
class Line:
    """One row of a small sheet. A header row is bold and wraps; a title or note (`span`) may run
    across the empty cells to its right and does not widen its column."""

    values: list[object]
    header: bool = False
    bold: bool = False
    span: bool = False


@dataclass
class Grid:
    """The rows of a small sheet, kept until written (write-only sheets need their column widths
    before the first row); `at` is the 1-based number of the next row."""

    lines: list[Line] = field(default_factory=list)

    @property
    def at(self) -> int:
        return len(self.lines) + 1

    def add(self, *values: object, header: bool = False, bold: bool = False,
            span: bool = False) -> int:
        self.lines.append(Line(list(values), header, bold, span))
        return len(self.lines)

    def gap(self, rows: int = 1) -> None:
        for _ in range(rows):
            self.lines.append(Line([]))


def _numeric_columns(grid: Grid) -> dict[int, set[int]]:
    """Per header row (1-based), the columns whose figures below it are numbers: their header
    is right-aligned, over the figures (Excel right-aligns numbers), never left of them."""
    out: dict[int, set[int]] = {}
    for n, line in enumerate(grid.lines, 1):
        if not line.header:
            continue
        body = []
        for below in grid.lines[n:]:
            if below.header or not below.values or below.span:
                break
            body.append(below.values)
        out[n] = {i for i in range(len(line.values))
                  if any(i < len(r) and r[i] is not None for r in body)
                  and all(i >= len(r) or r[i] is None or _is_number(r[i]) for r in body)}
    return out


def _is_number(value: object) -> bool:
    value = value.value if isinstance(value, Styled) else value
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text_width(value: object) -> int:
    if isinstance(value, Styled):
        if value.fmt == PERCENT_FORMAT:
            return 6
        value = value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    if isinstance(value, bool):
        return 3
    if isinstance(value, float):
        return len(f"{value:.1f}")
    return max((len(part) for part in str(value).splitlines()), default=0)


def _text(value: object) -> str:
    return str(value.value if isinstance(value, Styled) else value)


def _header_width(text: str) -> int:
    """A header wraps at spaces: its column is as wide as its longest word, at least
    HEADER_WIDTH, never more than the whole header."""
    longest_word = max((len(w) for w in text.split()), default=0)
    return max(longest_word, min(len(text), HEADER_WIDTH))


def fitted(widest: int) -> int:
    return min(MAX_WIDTH, widest) + 2


LINE_HEIGHT = 15  # points: one line of 11-point text
# A column N characters wide holds about 1.15 N characters of proportional text (the width unit
# is the width of a digit; most letters are narrower), less a little slack at word breaks.
TEXT_PER_WIDTH = 1.15


def wrapped_lines(text: str, width: int) -> int:
    """Lines a wrapped cell needs in a column `width` characters wide, wrapping at spaces.
    Spreadsheets do not grow a row for wrapped text they did not lay out themselves (LibreOffice
    keeps the row one line high), so the writer sets the height."""
    room = max(int((width - 2) * TEXT_PER_WIDTH), 1)
    lines = 0
    for part in text.splitlines() or [""]:
        used = 0
        lines += 1
        for word in part.split():
            if used and used + 1 + len(word) > room:
                lines += 1
                used = 0
            used += (1 if used else 0) + len(word)
            while used > room:  # a word longer than the column breaks inside it
                lines += 1
                used -= room
    return lines


def print_setup(ws, as_of: dt.date, title_rows: str = "1:1") -> None:
    """A4 landscape, one page wide and as many long as needed, title rows on every page, and
    the as-of date, sheet name and page number in the footer."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0 = as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows
    ws.oddFooter.left.text = f"As of {as_of:%d/%m/%Y}"
    ws.oddFooter.center.text = "&A"  # the sheet's name
    ws.oddFooter.right.text = "Page &P of &N"


class Writer:
    """A write-only workbook: small sheets cell by cell through openpyxl, the long finding lists
    as whole-column XML.

    openpyxl spends about 40 microseconds on each cell it serialises (a 175,000-row finding list
    took 78 s). The long lists are therefore built by `_body_xml`, as polars string expressions
    over whole columns, and put into the sheets openpyxl wrote (header, frozen pane, filter,
    widths, print settings) after it saves: text as inline strings (never formulas), dates as
    serial numbers in the styles openpyxl registered, numbers as numbers.
    """

    def __init__(self, as_of: dt.date) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        self.wb = Workbook(write_only=True)
        self.as_of = as_of
        # The workbook's default font, named: a font with no name prints in another typeface.
        self.bold = Font(name="Calibri", size=11, bold=True)
        self.link = Font(name="Calibri", size=11, color="0563C1", underline="single")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.right = Alignment(wrap_text=True, vertical="top", horizontal="right")
        self.bodies: list[tuple[object, pl.DataFrame, Sequence[Col], set[str]]] = []

    def cell(self, ws, value: object, *, bold: bool = False, wrap: bool = False,
             right: bool = False):
        from openpyxl.cell import WriteOnlyCell

        fmt = link = None
        if isinstance(value, Styled):
            value, fmt, link = value.value, value.fmt, value.link
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        if isinstance(value, str):
            c = WriteOnlyCell(ws, clean_text(str(neutralise(value))))
            c.data_type = "s"  # never a formula, whatever the text
        else:
            c = WriteOnlyCell(ws, value)
        if isinstance(value, dt.date) and fmt is None:
            fmt = DATE_FORMAT
        if isinstance(value, float) and fmt is None:
            fmt = DECIMAL_FORMAT
        if fmt:
            c.number_format = fmt
        if bold:
            c.font = self.bold
        if link:
            c.hyperlink = link
            c.font = self.link
        c.alignment = self.right if right else self.wrap if wrap else self.top
        return c

    def _sheet(self, title: str, widths: Sequence[int], title_rows: str, freeze: str,
               filter_ref: str | None, index: int | None = None):
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title, index)
        for i, w in enumerate(widths, 1):  # must be set before the first row in write-only mode
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = freeze
        if filter_ref:
            ws.auto_filter.ref = filter_ref
        print_setup(ws, self.as_of, title_rows)
        return ws

    def grid_sheet(self, title: str, grid: Grid, *, filter_rows: tuple[int, int] | None = None,
                   title_rows: str = "1:1", freeze: str = "A2", index: int | None = None,
                   max_width: int = MAX_WIDTH):
        """A small sheet, cell by cell; `filter_rows` (header, last row) puts the filter on one of
        its tables. Returns the sheet (charts refer to its cells)."""
        from openpyxl.utils import get_column_letter

        ncols = max((len(line.values) for line in grid.lines), default=1)
        widest = [0] * ncols
        for line in grid.lines:
            if line.span:
                continue
            for i, v in enumerate(line.values):
                if v is None:
                    continue
                w = _header_width(str(v)) if line.header else _text_width(v)
                widest[i] = max(widest[i], w)
        widths = [min(max_width, w) + 2 if w else 4 for w in widest]
        ref = None
        if filter_rows:
            first, last = filter_rows
            used = max(len(grid.lines[first - 1].values), 1)
            ref = f"A{first}:{get_column_letter(used)}{max(last, first + 1)}"
        ws = self._sheet(title, widths, title_rows, freeze, ref, index)
        numeric = _numeric_columns(grid)
        for n, line in enumerate(grid.lines, 1):
            wrap = [v is not None and not line.span and (line.header or _text_width(v) > max_width)
                    for v in line.values]
            tall = max([wrapped_lines(_text(v), widths[i]) for i, v in enumerate(line.values)
                        if wrap[i]] or [1])
            if tall > 1:  # must be set before the row is written in write-only mode
                ws.row_dimensions[n].height = LINE_HEIGHT * tall
            ws.append([None if v is None else self.cell(ws, v, bold=line.header or line.bold,
                                                        wrap=wrap[i], right=i in numeric.get(n, ()))
                       for i, v in enumerate(line.values)])
        return ws

    def list_sheet(self, title: str, frame: pl.DataFrame, cols: Sequence[Col],
                   extra_headers: Sequence[str] = (), print_rows: int | None = None) -> int:
        """A sheet of one long table: bold frozen header, filter, fitted widths; with
        `print_rows`, a print area of the header and that many rows (the sheet keeps them all).
        Returns rows written."""
        from openpyxl.utils import get_column_letter

        frame = frame.head(MAX_ROWS).select([c.name for c in cols])
        cols = _typed(frame, cols)
        headers = [c.header for c in cols] + list(extra_headers)
        longest = _longest(frame, cols)
        widths = [fitted(max(_header_width(c.header), n)) for c, n in zip(cols, longest)]
        widths += [fitted(_header_width(h)) for h in extra_headers]
        wrapped = {c.name for c, n in zip(cols, longest) if c.kind == "text" and n > MAX_WIDTH}
        ref = f"A1:{get_column_letter(len(headers))}{max(frame.height + 1, 2)}"
        ws = self._sheet(title, widths, "1:1", "A2", ref)
        if print_rows is not None and frame.height > print_rows:
            ws.print_area = f"A1:{get_column_letter(len(headers))}{print_rows + 1}"
        tall = max(wrapped_lines(h, width) for h, width in zip(headers, widths))
        if tall > 1:
            ws.row_dimensions[1].height = LINE_HEIGHT * tall
        ws.append([self.cell(ws, h, bold=True, wrap=True) for h in headers])
        if frame.height:
            self.bodies.append((ws, frame, cols, {c: w for c, w in zip(
                (c.name for c in cols), widths) if c in wrapped}))
        return frame.height

    def save(self) -> bytes:
        import zipfile

        ws0 = self.wb.worksheets[0]
        styles = {"date": self.cell(ws0, dt.date(2000, 1, 1)).style_id,
                  "month": self.cell(ws0, month(dt.date(2000, 1, 1))).style_id,
                  "pct": self.cell(ws0, Styled(0.5, PERCENT_FORMAT)).style_id,
                  "num": self.cell(ws0, 0.5).style_id,
                  "int": self.cell(ws0, 1).style_id,
                  "text": self.cell(ws0, "x").style_id,
                  "wrap": self.cell(ws0, "x", wrap=True).style_id}
        buf = io.BytesIO()
        self.wb.save(buf)
        if not self.bodies:
            return buf.getvalue()
        rows = {ws.path.lstrip("/"): _body_xml(frame, cols, styles, wrapped)
                for ws, frame, cols, wrapped in self.bodies}
        out = io.BytesIO()
        # The fastest deflate level: on 100,000 episodes level 6 spent most of the writing time
        # compressing, for a file a few per cent smaller.
        with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename in rows:
                    xml = data.decode("utf-8")
                    at = xml.index("</sheetData>")
                    data = (xml[:at] + rows[item.filename] + xml[at:]).encode("utf-8")
                dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        return out.getvalue()


# XML 1.0 cannot hold these control characters (openpyxl refuses them); Excel holds at most
# 32,767 characters in a cell.
ILLEGAL_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
CELL_LIMIT = 32_767
EXCEL_EPOCH = dt.date(1899, 12, 30)


def clean_text(text: str) -> str:
    import re

    return re.sub(ILLEGAL_XML, "", text)[:CELL_LIMIT]


def _typed(frame: pl.DataFrame, cols: Sequence[Col]) -> list[Col]:
    """A column the frame holds as text (a suppressed count "<5") is written as text."""
    return [Col(c.name, c.header, "text")
            if frame.schema[c.name] == pl.String and c.kind != "text" else c for c in cols]


def _longest(frame: pl.DataFrame, cols: Sequence[Col]) -> list[int]:
    """The widest value of each column, in characters, in one query."""
    fixed = {"date": 10, "month": 8, "pct": 6, "bool": 3}
    text = [c for c in cols if c.kind not in fixed]
    found = (frame.select([pl.col(c.name).cast(pl.String).str.len_chars().max().alias(c.name)
                           for c in text]).row(0, named=True) if frame.height and text else {})
    return [fixed.get(c.kind) or int(found.get(c.name) or 0) for c in cols]


def _body_xml(frame: pl.DataFrame, cols: Sequence[Col], styles: dict[str, int],
              wrapped: dict[str, int] | None = None) -> str:
    """Rows 2.. of a list sheet as SpreadsheetML, built column-wise by polars expressions.
    `wrapped` maps the columns whose text wraps to their widths: a row whose text needs more
    than one line gets the height for it (estimated from its length; `wrapped_lines` would need
    a Python loop over the rows)."""
    wrapped = wrapped or {}
    from openpyxl.utils import get_column_letter

    n = pl.int_range(2, pl.len() + 2, dtype=pl.Int64).cast(pl.String)
    cells = []
    for i, c in enumerate(cols, 1):
        ref = pl.concat_str([pl.lit(f'<c r="{get_column_letter(i)}'), n])
        v = pl.col(c.name)
        if c.kind in ("text", "bool"):
            raw = (pl.when(v).then(pl.lit("Yes")).when(~v).then(pl.lit("No")).alias(c.name)
                   if c.kind == "bool" else neutralise_expr(c.name).cast(pl.String))
            text = (raw.str.replace_all(ILLEGAL_XML, "")
                    .str.slice(0, CELL_LIMIT).str.replace_all("&", "&amp;", literal=True)
                    .str.replace_all("<", "&lt;", literal=True)
                    .str.replace_all(">", "&gt;", literal=True))
            style = styles["wrap" if c.name in wrapped else "text"]
            xml = pl.concat_str([ref, pl.lit(f'" s="{style}" t="inlineStr"><is><t xml:space='
                                             f'"preserve">'), text, pl.lit("</t></is></c>")])
        elif c.kind in ("date", "month"):
            serial = (v - pl.lit(EXCEL_EPOCH)).dt.total_days().cast(pl.String)
            xml = pl.concat_str([ref, pl.lit(f'" s="{styles[c.kind]}"><v>'), serial,
                                 pl.lit("</v></c>")])
        elif c.kind == "pct":
            xml = pl.concat_str([ref, pl.lit(f'" s="{styles["pct"]}"><v>'),
                                 (v / 100).cast(pl.String), pl.lit("</v></c>")])
        else:
            style = styles["num" if frame.schema[c.name].is_float() else "int"]
            xml = pl.concat_str([ref, pl.lit(f'" s="{style}"><v>'), v.cast(pl.String),
                                 pl.lit("</v></c>")])
        cells.append(xml.fill_null(""))
    # Word wrapping leaves part of a line empty: allow a few characters a line for it.
    room = {c: int((w - 2) * TEXT_PER_WIDTH) - 4 for c, w in wrapped.items()}
    lines = pl.max_horizontal([(pl.col(c).str.len_chars().fill_null(0) + (r - 1)) // r
                               for c, r in room.items()] or [pl.lit(1)])
    height = pl.when(lines > 1).then(pl.concat_str([
        pl.lit('" ht="'), (lines * LINE_HEIGHT).cast(pl.String), pl.lit('" customHeight="1')])
    ).otherwise(pl.lit(""))
    row = pl.concat_str([pl.lit('<row r="'), n, height, pl.lit('">'), *cells, pl.lit("</row>")])
    return "".join(frame.select(row.alias("xml")).get_column("xml").to_list())


def bar_chart(ws, title: str, columns: Sequence[int], first: int, last: int, *,
              horizontal: bool = False, height: float = 7.5, width: float = 20):
    """A clustered bar chart of the sheet's `columns` (their headers on row `first`, the data to
    row `last`) against column A's labels."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type, chart.grouping = ("bar" if horizontal else "col"), "clustered"
    chart.title = title
    for col in columns:
        chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
    chart.height, chart.width = height, width
    return chart
