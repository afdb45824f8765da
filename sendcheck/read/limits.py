"""The bounds on what sendcheck reads: regular files only, a size bound on every file, field and
row limits for CSV, and the inflated size of any zip member. Each bound is far above any real
export and far below what would exhaust memory (README "Limits"). Every file a command reads
passes `read_input` (or `open_input`), which also remembers it, so no report is ever written
over it (`is_input`, asked by views/files.write_atomic)."""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
# Any one file read whole: an export (a million-row CSV is about 1 GB), a workbook package.
MAX_FILE_BYTES = 4 << 30
# A file a person writes by hand (staff list, term dates, configuration, a manifest): 100,000
# closures are 4 MB.
SMALL_FILE_BYTES = 64 << 20

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


# (device, inode) of every file this run has read: a report never replaces one of them.
_READ: set[tuple[int, int]] = set()


def forget_inputs() -> None:
    """A new run (the CLI's entry point) starts with no inputs read."""
    _READ.clear()


def remember_input(st: os.stat_result) -> None:
    """Note a file as an input (one that is read by a library, such as the SQLite history)."""
    _READ.add((st.st_dev, st.st_ino))


def is_input(path: str | Path) -> bool:
    """True when `path` (after links) is a file this run has read, under any name."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) in _READ


def open_input(path: str | Path, what: str = "", limit: int = MAX_FILE_BYTES,
               own: bool = False) -> BinaryIO:
    """The file open for reading, once it is proved a regular file within `limit` bytes. The
    check is on the open descriptor (fstat), so a pipe swapped in after a check cannot make the
    read block: a FIFO is opened without waiting for a writer, and refused. An input is
    remembered (no report may replace it) unless it is the command's `own` file (the actions
    manifest, which it rewrites)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SendcheckError(f"{what}{path}: no such file") from None
    except OSError as exc:
        raise SendcheckError(f"{what}{path}: cannot be read ({exc.strerror})") from None
    st = os.fstat(fd)
    problem = ("is a folder, not a file" if stat.S_ISDIR(st.st_mode) else
               "not a regular file (a device, pipe or socket); give the file itself"
               if not stat.S_ISREG(st.st_mode) else
               f"{_mib(st.st_size)}, over the limit of {_mib(limit)} for this file"
               if st.st_size > limit else None)
    if problem:
        os.close(fd)
        raise SendcheckError(f"{what}{path}: {problem}")
    os.set_blocking(fd, True)
    if not own:
        remember_input(st)
    return os.fdopen(fd, "rb")


def read_input(path: str | Path, what: str = "", limit: int = MAX_FILE_BYTES,
               own: bool = False) -> bytes:
    """The whole file, through `open_input`'s checks; a file still being written (it grew while
    read) is refused, so the bound holds."""
    with open_input(path, what, limit, own) as fh:
        size = os.fstat(fh.fileno()).st_size
        data = fh.read(size + 1)  # one buffer of the size checked, never of the limit
    if len(data) > size:
        raise SendcheckError(f"{what}{path}: grew while it was read (still being written?); "
                             f"try again when it is complete")
    return data


def check_text(text: str | bytes, where: str) -> None:
    """Refuse a CSV (decoded text, or the UTF-8 bytes polars reads) that no export could be: a
    NUL anywhere (binary content), more than MAX_ROWS lines, a line over MAX_LINE_CHARS
    (characters, or bytes for bytes). Each check runs in C over the whole file; the lines are
    measured only when the file could hold a long one."""
    nl, nul_char = ("\n", "\x00") if isinstance(text, str) else (b"\n", b"\x00")
    nul = text.find(nul_char)
    if nul >= 0:
        line = text.count(nl, 0, nul) + 1
        raise SendcheckError(f"{where}: line {line}: a NUL character (binary content): not a "
                             f"text table; is it really a CSV?")
    lines = text.count(nl)
    if lines > MAX_ROWS:
        raise SendcheckError(f"{where}: {lines:,} lines, over the limit of {MAX_ROWS:,} rows: "
                             f"not one export (split it, or remove the blank lines)")
    # A line longer than the limit holds a whole aligned window of half the limit with no line
    # break: look only in such windows (a few finds over the text, no copies of its lines).
    window = MAX_LINE_CHARS // 2
    for start in range(0, len(text), window):
        if text.find(nl, start, start + window) >= 0:
            continue
        begin = text.rfind(nl, 0, start) + 1
        end = text.find(nl, start)
        end = len(text) if end < 0 else end
        cr = "\r" if isinstance(text, str) else b"\r"
        length = end - begin - (text[end - 1:end] == cr)  # a CRLF's CR is not in the line
        if length > MAX_LINE_CHARS:
            raise SendcheckError(
                f"{where}: line {text.count(nl, 0, begin) + 1} is {length:,} characters "
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
