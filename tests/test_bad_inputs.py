"""The bad-input corpus and a bounded fuzz: every file either works or exits 2 with one line on
stderr; none exits 1, prints a traceback, hangs or takes more than a few seconds."""

from __future__ import annotations

import io
import random
import signal
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import run_cli

from sendcheck.errors import SendcheckError

sys.path.insert(0, str(Path(__file__).resolve().parent / "bad_inputs"))
import make_bad_inputs  # noqa: E402

MUTANTS = 40  # fuzzed files per run, half CSV, half .xlsx
SECONDS = 10  # per file; generous, as the CI machine is shared (most take well under 1 s)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("bad_inputs")
    return folder, make_bad_inputs.make_all(folder)


class _Hung(Exception):
    pass


def _guarded(fn, seconds: int):
    """Run fn, failing instead of hanging (SIGALRM: the test process is single-threaded). A
    guard against a hang, generous on a shared machine; no assertion on the time taken."""
    def alarm(*_):
        raise _Hung()

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds * 3)
    try:
        return fn()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)




def _files() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return sorted(make_bad_inputs.make_all(Path(tmp)))


@pytest.mark.parametrize("name", _files())
def test_bad_input(corpus, name):
    folder, expect = corpus
    for fmt in ("json", "csv"):
        run = _guarded(lambda: run_cli("audit", folder / name, "--as-of", "2025-03-31",
                                       "--fail-on", "none", "--format", fmt), SECONDS)
        assert "Traceback" not in run.err and "internal error" not in run.err, run.err
        # One line, besides the stale-export warning some of these old-dated files earn.
        lines = [ln for ln in run.err.strip().splitlines() if not ln.startswith("warning: ")]
        assert len(lines) == 1, run.err[:500]
        if expect[name] == "error":
            assert run.code == 2 and lines[0].startswith("Error: ") and run.out == "", name
        else:
            assert run.code == 0, run.err
            assert lines[0].startswith("sendcheck: 2025-03-31 ")


def test_corpus_specifics(corpus):
    """What the files should say, not only that they were handled."""
    import json

    folder, _ = corpus

    def audit(name, *extra):
        run = run_cli("audit", folder / name, "--as-of", "2025-03-31", "--fail-on", "none",
                      "--format", "json", "--all", *extra)
        return json.loads(run.out) if run.code == 0 else run

    # Six forms plus a serial give the same date; TBC, 31/02/2024 and "next week" are DQ01.
    data = audit("dates_as_text.csv")
    starts = {f["record_id"]: f["start"] for f in data["findings"] if f["rule"] == "AS01"}
    assert all(starts[f"R{i}"] == "2025-01-06" for i in (0, 1, 2, 3, 4, 5, 6, 10))
    dq01 = sorted(f["record_id"] for f in data["findings"] if f["rule"] == "DQ01")
    assert dq01 == ["R7", "R8", "R9"]
    # 1900 and 2200 are outside the plausible years: reported, never believed.
    data = audit("years_1900_2200.csv")
    assert sorted(f["record_id"] for f in data["findings"] if f["rule"] == "DQ01") == ["R1", "R2", "R3"]
    # Negative and absurd Excel serials are bad cells, not dates in 1899 or 4000.
    data = audit("negative_serials.xlsx")
    assert len([f for f in data["findings"] if f["rule"] == "DQ01"]) == 4
    # A formula without a saved value is refused, not read as a blank date.
    run = audit("formulas_in_dates.xlsx")
    assert run.code == 2 and "formula" in run.err and "D2" in run.err
    # The sheet holding the data can be chosen.
    data = audit("second_sheet_only.xlsx", "--sheet", "Cases")
    assert data["rows"] == {"read": 3, "evaluated": 3, "rejected": 0}
    # UTF-16 and mixed line endings keep every row.
    for name in ("utf16.csv", "mixed_line_endings.csv", "semicolons.csv", "utf8_bom.csv"):
        assert audit(name)["rows"] == {"read": 3, "evaluated": 3, "rejected": 0}, name
    assert audit("header_only.csv")["rows"] == {"read": 0, "evaluated": 0, "rejected": 0}


# ---------------------------------------------------------------- fuzz


def _mutate(data: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        op = rnd.randrange(6)
        at = rnd.randrange(max(len(b), 1))
        if op == 0 and b:
            b[at] = rnd.randrange(256)
        elif op == 1:
            b[at:at] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 20)))
        elif op == 2:
            del b[at:at + rnd.randint(1, 50)]
        elif op == 3:
            b[at:at] = rnd.choice([b",", b"\r\n", b'"', b"\n", b";", b"\x00", b"31/02/2024",
                                   b"=1+1", b"\xe9", b"\xff\xfe"])
        elif op == 4:
            end = min(len(b), at + rnd.randint(1, 200))
            b[at:at] = b[at:end]  # duplicate a stretch (a row, part of a row)
        else:
            del b[rnd.randrange(max(len(b), 1)):]  # truncate
    return bytes(b)


def _xlsx_mutant(base: bytes, rnd: random.Random) -> bytes:
    """Either the bytes of the package mutated, or a valid package with its sheet XML mutated."""
    if rnd.random() < 0.4:
        return _mutate(base, rnd)
    src, out = zipfile.ZipFile(io.BytesIO(base)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/") or rnd.random() < 0.1:
                data = _mutate(data, rnd)
            dst.writestr(item.filename, data)
    return out.getvalue()


def test_fuzz_reader_and_audit(tmp_path):
    """MUTANTS random mutations (a fixed seed, a fixed count: the same files on every machine) of
    a valid CSV and .xlsx: each is read and audited or refused with a SendcheckError (exit 2);
    nothing else escapes."""
    import datetime as dt

    from sendcheck.audit import Options, run_audit
    from sendcheck.synth import export as synth
    from sendcheck.views.findings import rows_account

    data = synth.generate(60, seed=11)
    synth.write(data, tmp_path / "base.csv")
    synth.write(data, tmp_path / "base.xlsx")
    bases = {"csv": (tmp_path / "base.csv").read_bytes(),
             "xlsx": (tmp_path / "base.xlsx").read_bytes()}
    rnd = random.Random(20250331)
    opts = Options(as_of=dt.date(2025, 3, 31))
    tried = {"csv": 0, "xlsx": 0}
    outcomes = {"ok": 0, "refused": 0}
    for i in range(MUTANTS):
        ext = "csv" if i % 2 == 0 else "xlsx"
        tried[ext] += 1
        blob = _mutate(bases[ext], rnd) if ext == "csv" else _xlsx_mutant(bases[ext], rnd)
        path = tmp_path / f"mutant.{ext}"
        path.write_bytes(blob)
        try:
            audit = _guarded(lambda: run_audit([path], opts), 5)
        except SendcheckError:
            outcomes["refused"] += 1
            continue
        acc = rows_account(audit)
        assert acc["read"] == acc["evaluated"] + acc["rejected"]
        outcomes["ok"] += 1
    assert tried == {"csv": MUTANTS // 2, "xlsx": MUTANTS // 2}
    assert outcomes["ok"] > 0 and outcomes["refused"] > 0, outcomes
