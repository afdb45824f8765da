"""Finding the runs' partitions under the hub's folders and scanning them lazily.

Only the file listing and each file's footer (its metadata) are read here; the episodes are
scanned lazily and aggregated by polars' streaming engine, so the hub's memory follows the
number of authorities, not the number of episodes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sendcheck.errors import SendcheckError
from sendcheck.hub import layout


@dataclass(frozen=True)
class Partition:
    authority: str
    as_of: dt.date
    folder: Path
    version: str  # the sendcheck version that wrote it


def _parse(folder: Path) -> tuple[str, dt.date] | None:
    """(authority, as_of) from `.../authority=CODE/as_of=YYYY-MM-DD`, or None."""
    a, b = folder.parent.name, folder.name
    if not (a.startswith("authority=") and b.startswith("as_of=")):
        return None
    try:
        day = dt.date.fromisoformat(b.removeprefix("as_of="))
    except ValueError:
        return None
    code = a.removeprefix("authority=")
    return (code, day) if layout.safe_code(code) else None


def _metadata(path: Path) -> dict[str, str]:
    try:
        return pl.read_parquet_metadata(path)
    except Exception:  # noqa: BLE001 - any unreadable footer is one plain error
        raise SendcheckError(f"{path}: not a readable Parquet file (a run's dataset was "
                             f"damaged or is still being copied)") from None


def find_partitions(roots: list[Path]) -> list[Partition]:
    """Every run partition below the folders, each checked for its schema version."""
    found: dict[tuple[str, dt.date], Partition] = {}
    for root in roots:
        if not root.is_dir():
            raise SendcheckError(f"{root}: not a folder of run datasets")
        for episodes in sorted(root.glob(f"**/authority=*/as_of=*/{layout.EPISODES}")):
            folder = episodes.parent
            key = _parse(folder)
            if key is None:
                continue
            if not (folder / layout.FIGURES).is_file():
                raise SendcheckError(f"{folder}: {layout.EPISODES} without {layout.FIGURES}: "
                                     f"the run's dataset is incomplete")
            meta = _metadata(episodes)
            schema = meta.get(layout.META_SCHEMA)
            if schema not in layout.KNOWN_VERSIONS:
                raise SendcheckError(
                    f"{folder}: dataset schema {schema or 'unknown'} (written by sendcheck "
                    f"{meta.get(layout.META_VERSION, 'unknown')}); this sendcheck reads schema "
                    f"{', '.join(layout.KNOWN_VERSIONS)}: upgrade the hub or the spoke")
            if key in found and found[key].folder.resolve() != folder.resolve():
                raise SendcheckError(f"authority {key[0]} as of {key[1]}: two datasets "
                                     f"({found[key].folder} and {folder}); keep one")
            found[key] = Partition(key[0], key[1], folder, meta.get(layout.META_VERSION, ""))
    if not found:
        raise SendcheckError("no run datasets found (folders authority=CODE/as_of=DATE/ written "
                             "by `sendcheck audit --format parquet`)")
    return sorted(found.values(), key=lambda p: (p.authority, p.as_of))


def latest(partitions: list[Partition], as_of: dt.date) -> list[Partition]:
    """Each authority's newest partition on or before the as-of date (an authority with none
    by then is left out)."""
    best: dict[str, Partition] = {}
    for p in partitions:
        if p.as_of <= as_of and (p.authority not in best or p.as_of > best[p.authority].as_of):
            best[p.authority] = p
    return [best[a] for a in sorted(best)]


def _scan(parts: list[Partition], name: str) -> pl.LazyFrame:
    """One lazy frame over the partitions' files, with `authority` and `as_of` columns. Files
    of different authorities may hold different rule and dimension columns: they are put
    together by name (`diagonal_relaxed`), a column one lacks read as null."""
    frames = [pl.scan_parquet(p.folder / name).with_columns(
        pl.lit(p.authority).alias("authority"), pl.lit(p.as_of).alias("as_of"))
        for p in parts]
    return pl.concat(frames, how="diagonal_relaxed")


def scan_episodes(parts: list[Partition]) -> pl.LazyFrame:
    return _scan(parts, layout.EPISODES)


def scan_figures(parts: list[Partition]) -> pl.LazyFrame:
    return _scan(parts, layout.FIGURES)
