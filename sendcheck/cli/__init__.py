"""The `sendcheck` command line: options in, report out, exit 0 / 1 / 2 (contract section 7).

Heavy modules (polars, openpyxl) are imported inside the commands so `--help` stays fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.core import TyperCommand

from sendcheck.cli import actions as _actions
from sendcheck.cli import audit as _audit
from sendcheck.cli import caseload as _caseload
from sendcheck.cli import columns as _columns
from sendcheck.cli import explain as _explain
from sendcheck.cli import figures as _figures
from sendcheck.cli import history as _history
from sendcheck.cli import hub as _hub
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


class _Command(TyperCommand):
    """A command whose usage line reads as people write it: `audit [OPTIONS] FILE...`, not
    typer's `{files}...` (braces mark a required argument nowhere else a user looks)."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [p[1:].replace("}", "", 1) if p.startswith("{") else p
                for p in super().collect_usage_pieces(ctx)]


# One module per command, each with an example for its --help; registered in the order --help
# lists them.
for _module in (_audit, _rules, _columns, _caseload, _init, _trend, _explain, _synth, _history, _actions,
                _hub):
    _name = _module.__name__.rpartition(".")[2]
    app.command(_name, epilog=_module.EXAMPLE, cls=_Command)(getattr(_module, _name))
app.add_typer(_figures.app, name="figures")


def _internal(exc: BaseException) -> str:
    """An internal error in one line: its kind and where in sendcheck it happened, never its
    message (a library's message can quote a cell: a name, a date of birth)."""
    import os
    import traceback

    # Frames in the package's own files, by their place on disk: a checkout's folder may itself
    # be called sendcheck, and its tests are not the package.
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.abspath(f.filename).startswith(package + os.sep)]
    where = ""
    if frames:
        inside = os.path.relpath(os.path.abspath(frames[-1].filename), package)
        where = f" at sendcheck/{inside.replace(os.sep, '/')}:{frames[-1].lineno}"
    return f"internal error ({type(exc).__name__}{where}); rerun with --debug for the traceback"


def _plain(message: str) -> str:
    """A choice option's error in plain words: "--format: 'pdf' is not one of the choices
    (table, json, ...)", not click's "Invalid value for '--format': Value error, 'pdf' is not
    one of 'table', ...". Other messages pass unchanged."""
    import re

    m = re.fullmatch(r"Invalid value for '([^']+)': (?:Value error, )?('.*') is not one of "
                     r"(.+?)\.?", message.strip(), re.S)
    if m is None:
        return message
    choices = ", ".join(c.strip(" '") for c in m[3].split(","))
    return f"{m[1]}: {m[2]} is not one of the choices ({choices})"


def _tolerant_stdout() -> None:
    """A stdout that cannot encode a character (PYTHONIOENCODING=ascii, a C locale) escapes it
    rather than failing the run; a report written with --output is UTF-8 whatever the locale."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # a stream already written to in another mode
            pass


def main(argv: list[str] | None = None) -> None:
    """Entry point: map every outcome to 0, 1 or 2; a crash is one line and exit 2, never 1."""
    from typer.exceptions import Abort, Exit, TyperException

    from sendcheck.cli.signals import Interrupted, interruptible
    from sendcheck.views.files import one_line

    from sendcheck.read.limits import forget_inputs

    args = sys.argv[1:] if argv is None else argv
    _tolerant_stdout()
    forget_inputs()  # the inputs of this run only (tests call main many times in one process)

    def error(message: str) -> int:
        print(one_line(f"Error: {message}"), file=sys.stderr)
        return EXIT_ERROR

    try:
        with interruptible():
            code = app(args=args, standalone_mode=False, prog_name="sendcheck")
    except Exit as exc:
        # typer's own Ctrl-C handling, for an interrupt that came before ours was installed
        interrupted = isinstance(exc.__context__, KeyboardInterrupt) and exc.exit_code == 130
        code = error("interrupted") if interrupted else exc.exit_code
    except TyperException as exc:  # usage errors (click's would exit 1 for some); always 2 here
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `sendcheck`: the help is the answer
            print(exc.format_message(), file=sys.stderr)
            sys.exit(EXIT_ERROR)
        # One line, as every other error (click's own show() prints usage and a hint too).
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        code = error(f"{_plain(exc.format_message())}{hint}")
    except (Abort, KeyboardInterrupt, Interrupted):
        code = error("interrupted")
    except SendcheckError as exc:
        code = error(str(exc))
    except BaseException as exc:  # noqa: BLE001 - the contract: a crash exits 2 with one line
        # BaseException, not Exception: a panic inside polars or fastexcel arrives as pyo3's
        # PanicException, which derives from BaseException (SystemExit is re-raised below).
        if isinstance(exc, (SystemExit, GeneratorExit)):
            raise
        if "--debug" in args:
            import traceback

            traceback.print_exc()
        code = error(_internal(exc))
    sys.exit(code if isinstance(code, int) else EXIT_OK)
