"""The bounds on what sendcheck reads: regular files only, field and row limits for CSV, and the
inflated size of any zip member. Each bound is far above any real export and far below what
would exhaust memory (README "Limits")."""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from sendcheck.errors import SendcheckError

# A CSV line longer than this is not an export row (Excel's own cell limit is 32,767 characters;
# a 10 MB notes cell is still read).
MAX_LINE_CHARS = 16 << 20
# More rows than any authority has episodes (England has about 600,000 EHC plans in all).
MAX_ROWS = 5_000_000
# calamine allocates every cell of a sheet's extent (rows x columns of the cells with values):
# 50 million cells is a million rows of 50 columns, about 2 GB.
MAX_CELLS = 50_000_000
# The inflated size of any one zip member, and of all together: a million-row sheet is about 1 GB
# of XML. A member inflating over MAX_RATIO times its compressed size (real sheets: 5-30) and
# beyond RATIO_FLOOR bytes is a zip bomb.
MAX_MEMBER_BYTES = 2 << 30
MAX_PACKAGE_BYTES = 4 << 30
MAX_RATIO, RATIO_FLOOR = 200, 100 << 20
CHUNK = 8 << 20  # streamed reads of zip members

# What reading a damaged package raises: zipfile's own errors, zlib's for a corrupt deflate
# stream (zlib.error, not BadZipFile), and the rest found by fuzzing (a corrupt central
# directory makes zipfile raise ValueError("negative seek value")).
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
           KeyError, RuntimeError, NotImplementedError, UnicodeDecodeError)


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB"


def require_regular(path: str | Path, what: str = "") -> Path:
    """The path, when it names a regular file (after symlinks); a device, FIFO or socket could
    be endless (/dev/zero) or block forever, so it is refused."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise SendcheckError(f"{what}{path}: no such file") from None
    except OSError as exc:
        raise SendcheckError(f"{what}{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        return path
    if not stat.S_ISREG(mode):
        raise SendcheckError(f"{what}{path}: not a regular file (a device, pipe or socket); "
                             f"give the export file itself")
    return path


def check_text(text: str, where: str) -> None:
    """Refuse a CSV (decoded, line endings made \\n) that no export could be: a NUL anywhere
    (binary content), more than MAX_ROWS lines, a line over MAX_LINE_CHARS. Each check runs in C
    over the whole text; the lines are measured only when the text could hold a long one."""
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise SendcheckError(f"{where}: line {line}: a NUL character (binary content): not a "
                             f"text table; is it really a CSV?")
    lines = text.count("\n")
    if lines > MAX_ROWS:
        raise SendcheckError(f"{where}: {lines:,} lines, over the limit of {MAX_ROWS:,} rows: "
                             f"not one export (split it, or remove the blank lines)")
    # A line longer than the limit holds a whole aligned window of half the limit with no line
    # break: look only in such windows (a few finds over the text, no copies of its lines).
    window = MAX_LINE_CHARS // 2
    for start in range(0, len(text), window):
        if text.find("\n", start, start + window) >= 0:
            continue
        begin = text.rfind("\n", 0, start) + 1
        end = text.find("\n", start)
        length = (len(text) if end < 0 else end) - begin
        if length > MAX_LINE_CHARS:
            raise SendcheckError(
                f"{where}: line {text.count(chr(10), 0, begin) + 1} is {length:,} characters "
                f"long, over the limit of {MAX_LINE_CHARS:,}: not an export row")


def check_package(zf: zipfile.ZipFile, where: str) -> None:
    """Refuse a package whose declared sizes exceed the bounds, before anything inflates it."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise SendcheckError(
                f"{where}: {info.filename} inflates to {_mib(info.file_size)} from "
                f"{_mib(info.compress_size)} (limit {_mib(MAX_MEMBER_BYTES)}, or {MAX_RATIO} "
                f"times): a zip bomb or a damaged workbook")
    if total > MAX_PACKAGE_BYTES:
        raise SendcheckError(f"{where}: the workbook inflates to {_mib(total)}, over the limit "
                             f"of {_mib(MAX_PACKAGE_BYTES)}")


def member_chunks(zf: zipfile.ZipFile, name: str, where: str) -> Iterator[bytes]:
    """A member's bytes in chunks, counted as they inflate (a declared size can lie); zipfile
    checks the CRC at the end, so reading to the end proves the member whole."""
    seen = 0
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            seen += len(chunk)
            if seen > MAX_MEMBER_BYTES:
                raise SendcheckError(f"{where}: {name} inflates past the limit of "
                                     f"{_mib(MAX_MEMBER_BYTES)}: a zip bomb or a damaged workbook")
            yield chunk


def read_member(zf: zipfile.ZipFile, name: str, where: str) -> bytes:
    """A whole member, within the size bound."""
    return b"".join(member_chunks(zf, name, where))
