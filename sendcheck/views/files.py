"""Writing reports safely: atomic writes, and text neutralised against formula injection."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polars as pl

from sendcheck.errors import SendcheckError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_expr(col: str) -> pl.Expr:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    c = pl.col(col)
    risky = c.str.contains(r"^[=+\-@\t\r]").fill_null(False)
    return pl.when(risky).then(pl.lit("'") + c).otherwise(c).alias(col)


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write to a temporary file beside the target, then rename: never half a report."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SendcheckError(f"--output {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise SendcheckError(f"--output {path}: is a folder; give a file name")
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as fh:
            fh.write(data)
        # mkstemp makes the file private (0600); a report is shared like any file the user
        # writes, so give it the permissions the umask allows.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
