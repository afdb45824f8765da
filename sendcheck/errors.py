"""The one exception type that stops a run with exit 2 and a one-line message."""


class SendcheckError(Exception):
    """Whole-input or configuration problem: the run stops with `Error: <message>` and exit 2."""


QUOTE_CHARS = 40  # of a value quoted in a message: enough to find it, never a whole file


def quoted(value: object) -> str:
    """A value from a file, quoted for a message: its first QUOTE_CHARS characters (a cell can
    hold megabytes); main() escapes any control character in the line."""
    text = str(value)
    return repr(text) if len(text) <= QUOTE_CHARS else repr(text[:QUOTE_CHARS]) + "..."
