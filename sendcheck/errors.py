"""The one exception type that stops a run with exit 2 and a one-line message."""


class SendcheckError(Exception):
    """Whole-input or configuration problem: the run stops with `Error: <message>` and exit 2."""
