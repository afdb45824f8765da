"""Writing reports safely: atomic writes that never replace an input or a device, text neutralised
against formula injection, and file or sheet names escaped so they cannot forge a line."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sendcheck.errors import SendcheckError

if TYPE_CHECKING:
    import polars as pl

# A spreadsheet runs a cell as a formula when it starts with one of these, after any spaces,
# control or invisible characters it ignores; the full-width and small forms (＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫)
# are read as the ASCII ones by Excel's input normalisation.
_IGNORED = r"[\s\x00-\x1f\x7f-\x9f\u00a0\u200b-\u200f\u2028-\u202f\u2060-\u206f\u3000\ufeff]"
_STARTS = "=+\\-@\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66\ufe6b"
FORMULA = f"^(?:[\\t\\r]|{_IGNORED}*[{_STARTS}])"
_FORMULA = re.compile(FORMULA)
# Characters that would break a line, hide text or reorder it where a name is printed.
_UNSAFE = re.compile(r"[^\S ]|[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
NAME_BYTES = 200  # of the report's name kept in its temporary name (a name is at most 255 bytes)


def neutralise_expr(col: str) -> pl.Expr:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    import polars as pl  # here, not above: the entry point imports this module for one_line

    c = pl.col(col)
    risky = c.str.contains(FORMULA).fill_null(False)
    return pl.when(risky).then(pl.lit("'") + c).otherwise(c).alias(col)


def neutralise(value: object) -> object:
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def display_name(text: str) -> str:
    """A file or sheet name for any output (a CSV comment, the cron line, markdown, HTML, a TOML
    comment): as written when it is plain, else in double quotes with its line breaks, control
    and direction characters escaped, so a name cannot split a line or start a live key.
    HTML escapes the result as it escapes any text."""
    if text and text == text.strip() and not _UNSAFE.search(text) and not text.startswith('"'):
        return text
    return json.dumps(text)


def one_line(text: str) -> str:
    """A message kept to one line: line breaks, control and direction characters escaped."""
    return _UNSAFE.sub(lambda m: json.dumps(m.group())[1:-1], text)


def refuse_overwrite(output: str | Path | None, inputs: list[tuple[str, str | Path | None]]
                     ) -> None:
    """Stop before a report replaces an input: the output resolves (through symlinks, relative
    paths or hard links) to an export, the reviews file, the configuration or the staff list."""
    if output is None or str(output) == "-" or not os.path.exists(output):
        return
    for what, path in inputs:
        if path is not None and os.path.exists(path) and os.path.samefile(output, path):
            raise SendcheckError(f"--output {output}: is the {what} {path}; write the report to "
                                 f"another file")


def _short(name: str) -> str:
    """The name cut to NAME_BYTES bytes of UTF-8 (whole characters)."""
    return name.encode("utf-8")[:NAME_BYTES].decode("utf-8", "ignore")


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write to a temporary file beside the target, then rename: never half a report. A report
    being replaced keeps its permissions; the temporary file is removed on any failure, Ctrl-C or
    SIGTERM (cli/signals.py turns both into an exception)."""
    path = Path(path)
    if path.is_symlink():  # replace the file the link names, not the link
        path = path.resolve()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SendcheckError(f"--output {path}: the folder {folder} does not exist")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise SendcheckError(f"--output {path}: is a folder; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise SendcheckError(f"--output {path}: not a regular file (a device or pipe); give a "
                             f"file name, or - for standard output")
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
    else:
        # mkstemp makes the file private (0600); a new report is shared like any file the user
        # writes, so give it the permissions the umask allows.
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    kind = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{_short(path.name)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, kind, **({} if kind == "wb" else {"encoding": "utf-8", "newline": ""})) as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
