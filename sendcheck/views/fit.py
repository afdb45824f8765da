"""Tables that fit a terminal's width without cutting a figure, a code or an id.

rich squeezes every column of a table wider than the terminal, so `2380` prints as `238` and
`AS01` as `AS0`, with nothing to warn the reader. Here every column but free text gets the
exact width of its widest cell; free text folds into what is left; when even that does not
fit, optional columns are left out (most expendable first) and a note says so; when nothing
optional is left, the table is printed as plain aligned lines, whole, for the terminal to wrap.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

WRAP_MIN = 24  # narrowest useful width of a free-text column before it is left out instead


def plain_lines(headers: list[str], rows: list[list[str]], numeric: set[str]) -> list[str]:
    """Headers, a rule, and rows as aligned text columns two spaces apart (numbers right)."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if h in numeric else c.ljust(w)
                         for c, w, h in zip(cells, widths, headers)).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def fitted_table(console: Console, headers: list[str], rows: list[list[str]],
                 numeric: set[str], wrap: set[str], optional: tuple[str, ...] = ()
                 ) -> tuple[Table | None, list[str]]:
    """A rich table no wider than the console, and the headers left out to make it fit.

    None when it cannot fit with every optional column left out: print `plain_lines` then."""
    shown = list(headers)
    left_out: list[str] = []
    while True:
        table = _table(shown, [[r[headers.index(h)] for h in shown] for r in rows], numeric, wrap)
        # The table's own measure: Measurement.get would clamp it to the console's width.
        if table.__rich_measure__(console, console.options).minimum <= console.width:
            return table, left_out
        expendable = [h for h in optional if h in shown]
        if not expendable:
            return None, left_out
        shown.remove(expendable[0])
        left_out.append(expendable[0])


def _table(headers: list[str], rows: list[list[str]], numeric: set[str], wrap: set[str]) -> Table:
    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for i, h in enumerate(headers):
        widest = max([len(h)] + [len(r[i]) for r in rows])
        if h in wrap:
            t.add_column(Text(h), overflow="fold", min_width=min(WRAP_MIN, widest))
        else:  # an exact width: rich never narrows a column below it when the table fits
            t.add_column(Text(h), width=widest, no_wrap=True, overflow="fold",
                         justify="right" if h in numeric else "left")
    for r in rows:
        # Text, never a str: rich reads a str cell as markup, so `A. Khan [leaver]` would lose
        # its bracket and `J. Smith [/temp]` would stop the screen with a markup error.
        t.add_row(*(Text(c) for c in r))
    return t
