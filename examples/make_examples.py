"""Make the bundled example exports (synthetic: no real children's data).

A plausible mid-size English authority as of 31 March 2025: 3,500 episodes, 14 EHC
co-ordinators, council-style headers. The same data is written as a council-style workbook
(title rows, Excel date cells mixed with dd/mm/yyyy text) and as a Windows CSV. Run from the
repository root:

    python examples/make_examples.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sendcheck import synth

SEED = 20250331
EPISODES = 3500
AS_OF = dt.date(2025, 3, 31)
HERE = Path(__file__).resolve().parent


def main() -> None:
    data = synth.generate(EPISODES, SEED, AS_OF)
    synth.write(data, HERE / "export.xlsx")
    synth.write(data, HERE / "export.csv")


if __name__ == "__main__":
    main()
