"""`sendcheck rules`: list the rules, or explain one: its law, time limit, exceptions and worked
examples."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from sendcheck.cli.options import EXIT_OK
from sendcheck.errors import SendcheckError

EXAMPLE = """Examples:

\b
  sendcheck rules            (every rule and data-quality check)
  sendcheck rules AS05       (the 20-week limit: law, exceptions, worked examples)
  sendcheck rules DQ01
"""


def rules(
    code: Annotated[Optional[str], typer.Argument(help="Explain one rule, e.g. AS05.")] = None,
) -> int:
    """List the rules, or explain one: its law, time limit, exceptions and worked examples."""
    from sendcheck.judge.rulebook import load_rules
    from sendcheck.views.rulehelp import explain_rule, list_rules

    import sendcheck.judge.closures  # noqa: F401 - registers the term-dates check (DQ40)
    import sendcheck.judge.sen2_checks  # noqa: F401 - registers the SEN2 return checks
    from sendcheck.judge.quality import BY_CODE

    all_rules = load_rules()
    if code is None:
        sys.stdout.write(list_rules(all_rules) + "\nData-quality checks (status invalid):\n"
                         + "".join(f"{c.code}  {c.name}: {c.title}\n"
                                   for _, c in sorted(BY_CODE.items())))
        return EXIT_OK
    if code.upper().startswith("DQ"):
        check = BY_CODE.get(code.upper())
        if check is None:
            raise SendcheckError(f"no data-quality check {code!r} (known: {', '.join(sorted(BY_CODE))})")
        sys.stdout.write(f"{check.code} {check.name}: {check.title}\n\nStatus: invalid (a data-quality "
                         f"finding)\nWhat to do: {check.action}\n")
        return EXIT_OK
    match = [r for r in all_rules if r.code == code.upper() or r.name == code.lower()]
    if not match:
        raise SendcheckError(f"no rule {code!r}; `sendcheck rules` lists them")
    sys.stdout.write(explain_rule(match[0]))
    return EXIT_OK
