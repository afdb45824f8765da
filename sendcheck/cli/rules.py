"""`sendcheck rules`: list the rules, or explain one: its law, time limit, exceptions and worked
examples."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from sendcheck.cli.options import EXIT_OK
from sendcheck.errors import SendcheckError


def rules(
    code: Annotated[Optional[str], typer.Argument(help="Explain one rule, e.g. AS05.")] = None,
) -> int:
    """List the rules, or explain one: its law, time limit, exceptions and worked examples."""
    from sendcheck.judge.rulebook import load_rules
    from sendcheck.views.rulehelp import explain_rule, list_rules

    all_rules = load_rules()
    if code is None:
        sys.stdout.write(list_rules(all_rules))
        return EXIT_OK
    if code.upper().startswith("DQ"):
        import sendcheck.judge.sen2_checks  # noqa: F401 - registers the SEN2 return checks
        from sendcheck.judge.quality import BY_CODE

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
