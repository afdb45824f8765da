"""A folder of files one command owns (`actions --output-dir`): checked writable before anything is
written, each file written by the one safe writer (views/files.write_atomic: atomic, never
through a link), and a manifest naming the files it wrote, so the next run replaces its own
files and removes those it no longer writes, never anything else."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from sendcheck.errors import SendcheckError
from sendcheck.read.limits import SMALL_FILE_BYTES, read_input
from sendcheck.views.files import check_target, write_atomic

MANIFEST = ".sendcheck-actions.json"
# A manifest entry is only ever a plain file name this command could have written: never a path.
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(csv|md|html|xlsx)$")


def _fail(folder: Path, problem: str, fix: str) -> SendcheckError:
    return SendcheckError(f"--output-dir {folder}: {problem}; {fix}")


def check_writable(folder: Path) -> None:
    """Create the folder when its parent exists; prove it takes a file (permissions, a read-only
    mount, a file in the way) by writing and removing one."""
    if folder.exists() and not folder.is_dir():
        raise _fail(folder, "is a file, not a folder", "give a folder")
    if not folder.exists():
        if not folder.parent.is_dir():
            raise _fail(folder, f"the folder {folder.parent} does not exist", "create it first")
        try:
            folder.mkdir()
        except OSError as exc:
            raise _fail(folder, f"cannot be created ({exc.strerror})", "check permissions") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".sendcheck-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _fail(folder, f"cannot be written ({exc.strerror})",
                    "check its permissions or give another folder") from None


def read_manifest(folder: Path) -> set[str]:
    path = folder / MANIFEST
    if not os.path.lexists(path):
        return set()
    what = "--output-dir"
    check_target(path, what)  # a link in its place is refused, never read or written through
    try:
        data = json.loads(read_input(path, f"{what} ", SMALL_FILE_BYTES, own=True).decode("utf-8"))
        files = data["files"]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise _fail(folder, f"{MANIFEST} is not a manifest sendcheck wrote",
                    "remove it (the files it listed are then left alone)") from None
    return {f for f in files if SAFE_NAME.match(f)}


def write_folder(folder: str | Path, files: dict[str, str | bytes], about: dict) -> list[str]:
    """Write `files` (name -> content) into `folder`; remove the files the previous run wrote
    that this one does not. Returns the names removed. Nothing is written when the folder
    cannot take files, or when a file this run would write exists and is not its own."""
    folder = Path(folder)
    check_writable(folder)
    previous = read_manifest(folder)
    # lexists: a dangling link named like a list is a stranger too (writing through it would
    # create its target, wherever that is).
    strangers = sorted(n for n in files if n not in previous and os.path.lexists(folder / n))
    if strangers:
        raise _fail(folder, f"{strangers[0]} exists and was not written by sendcheck actions "
                    f"({len(strangers)} such files)", "move them or give another folder")
    stale = sorted(previous - set(files))
    for name in [MANIFEST, *files]:  # before anything is written: a link, a pipe, an input
        check_target(folder / name, "--output-dir")

    def manifest(names: set[str]) -> None:
        write_atomic(folder / MANIFEST, json.dumps({**about, "files": sorted(names)}, indent=2)
                     + "\n", "--output-dir")

    # Until the stale files are gone the manifest names them too, so a run stopped part-way
    # leaves the next run knowing every file it owns.
    manifest(set(files) | previous)
    for name, data in files.items():
        write_atomic(folder / name, data, "--output-dir")
    for name in stale:
        target = folder / name
        if target.is_file() and not target.is_symlink():
            target.unlink()
    manifest(set(files))
    return stale
