"""Writing reports safely: one writer for every file sendcheck writes (atomic, never over an input,
a device or through a link), text neutralised against formula injection, and text from a file
escaped before it reaches a terminal or a log line."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sendcheck.errors import SendcheckError
from sendcheck.read.limits import is_input

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
    """A message kept to one line: line breaks, control and direction characters escaped. The
    sanitiser for any text from a file before it reaches a terminal or stderr: an escape
    sequence (a screen clear, hidden text, an OSC 8 link) shows as `\u001b[2J`, never acts."""
    return _UNSAFE.sub(lambda m: json.dumps(m.group())[1:-1], text)


def screen_text(text: str) -> str:
    """Lines for a terminal: each line sanitised as one_line, the view's own line breaks kept."""
    return "\n".join(one_line(line) for line in text.split("\n"))


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
    """The name cut to NAME_BYTES bytes as the file system holds it (a name that is not UTF-8
    keeps its bytes)."""
    return os.fsdecode(os.fsencode(name)[:NAME_BYTES])


def check_target(path: str | Path, what: str = "--output") -> os.stat_result | None:
    """Refuse a target no report may take: a file this run read (under any name: a hard link,
    a relative path), a symbolic link (even a dangling one: writing through it would create or
    replace a file elsewhere), a folder, a device or pipe. Its status when it exists."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SendcheckError(f"{what} {path}: cannot be checked ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise SendcheckError(f"{what} {path}: is a symbolic link; sendcheck writes only regular "
                             f"files, never through a link: remove it or give another name")
    if stat.S_ISDIR(st.st_mode):
        raise SendcheckError(f"{what} {path}: is a folder; give a file name")
    if not stat.S_ISREG(st.st_mode):
        raise SendcheckError(f"{what} {path}: not a regular file (a device or pipe); give a "
                             f"file name, or - for standard output")
    if is_input(path):
        raise SendcheckError(f"{what} {path}: is a file this run reads; write the report to "
                             f"another file")
    return st


def write_atomic(path: str | Path, data: str | bytes | Iterable[str], what: str = "--output"
                 ) -> None:
    """The one writer: a temporary file created exclusively beside the target, then renamed
    over it: never half a report, never through a link, never over an input (check_target).
    `data` may be the text in pieces (written one after another, never joined). A report
    being replaced keeps its permissions; the temporary file is removed on any failure, Ctrl-C
    or SIGTERM (cli/signals.py turns both into an exception)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SendcheckError(f"{what} {path}: the folder {folder} does not exist")
    st = check_target(path, what)
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
            for piece in [data] if isinstance(data, (str, bytes)) else data:
                fh.write(piece)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
