"""Make the bundled example exports (synthetic: no real children's data).

A plausible mid-size English authority as of 31 March 2025: 3,500 episodes, 14 EHC
co-ordinators, council-style headers. The same data is written as a council-style workbook
(title rows, Excel date cells mixed with dd/mm/yyyy text) and as a Windows CSV, with the list of
review meetings that goes with it (reviews.csv, for `audit --reviews`) and the same episodes as
a SEN2 return (sen2/: the XML, COLLECT's module CSVs, the pre-submission workbook, and
sen2_ids.csv pairing the export's record ids with the return's persons and requests). Run from
the repository root:

    python examples/make_examples.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sendcheck.synth import export as synth
from sendcheck.read.episodes import prepare
from sendcheck.read.export import read_export
from sendcheck.synth.sen2_write import write_all

SEED = 20250331
EPISODES = 3500
AS_OF = dt.date(2025, 3, 31)
HERE = Path(__file__).resolve().parent


def main() -> None:
    data = synth.generate(EPISODES, SEED, AS_OF)
    synth.write(data, HERE / "export.xlsx")
    synth.write(data, HERE / "export.csv")
    synth.write(synth.review_history(data), HERE / "reviews.csv")
    # The return is made from the export as read, as an authority would make it from its system.
    episodes = prepare(read_export(HERE / "export.csv").frame, AS_OF)
    write_all(episodes, HERE / "sen2", AS_OF)


if __name__ == "__main__":
    main()
