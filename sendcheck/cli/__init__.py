"""The `sendcheck` command line: options in, report out, exit 0 / 1 / 2 (contract section 7).

Heavy modules (polars, openpyxl) are imported inside the commands so `--help` stays fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from sendcheck.cli import actions as _actions
from sendcheck.cli import audit as _audit
from sendcheck.cli import caseload as _caseload
from sendcheck.cli import columns as _columns
from sendcheck.cli import explain as _explain
from sendcheck.cli import history as _history
from sendcheck.cli import init as _init
from sendcheck.cli import rules as _rules
from sendcheck.cli import synth as _synth
from sendcheck.cli import trend as _trend
from sendcheck.cli.options import EXIT_ERROR, EXIT_OK
from sendcheck.errors import SendcheckError

app = typer.Typer(
    name="sendcheck",
    help="Check a SEND case-management export against the statutory EHC timescales.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from sendcheck import __version__

        print(f"sendcheck {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Check a SEND case-management export against the statutory EHC timescales."""


# One module per command, each with an example for its --help; registered in the order --help
# lists them.
for _module in (_audit, _rules, _columns, _caseload, _init, _trend, _explain, _synth, _history, _actions):
    _name = _module.__name__.rpartition(".")[2]
    app.command(_name, epilog=_module.EXAMPLE)(getattr(_module, _name))


def main(argv: list[str] | None = None) -> None:
    """Entry point: map every outcome to 0, 1 or 2; a crash is one line and exit 2, never 1."""
    from typer.exceptions import Abort, Exit, TyperException

    args = sys.argv[1:] if argv is None else argv
    try:
        code = app(args=args, standalone_mode=False, prog_name="sendcheck")
    except Exit as exc:
        code = exc.exit_code
    except TyperException as exc:  # usage errors (click's would exit 1 for some); always 2 here
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `sendcheck`: the help is the answer
            print(exc.format_message(), file=sys.stderr)
            sys.exit(EXIT_ERROR)
        # One line, as every other error (click's own show() prints usage and a hint too).
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        print(f"Error: {exc.format_message()}{hint}", file=sys.stderr)
        code = EXIT_ERROR
    except Abort:
        print("Error: interrupted", file=sys.stderr)
        code = EXIT_ERROR
    except SendcheckError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        code = EXIT_ERROR
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        code = EXIT_ERROR
    except BaseException as exc:  # noqa: BLE001 - the contract: a crash exits 2 with one line
        # BaseException, not Exception: a panic inside polars or fastexcel arrives as pyo3's
        # PanicException, which derives from BaseException (SystemExit and KeyboardInterrupt
        # are handled above or re-raised below).
        if isinstance(exc, (SystemExit, GeneratorExit)):
            raise
        if "--debug" in args:
            import traceback

            traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"Error: internal error ({type(exc).__name__}: {first}); rerun with --debug "
              f"for the traceback", file=sys.stderr)
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_OK)
