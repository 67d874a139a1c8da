r"""Everything a command prints goes through here: text made safe for a terminal.

Catalogue text, file names and messages may hold escape sequences (colours, cursor moves,
OSC 8 hyperlinks, window titles) or bidirectional overrides; :func:`say` removes them,
:func:`say_json` writes them as JSON ``\uXXXX`` escapes so the document keeps its value.
"""

from __future__ import annotations

import sys

from planner.outputs.textsafe import json_text, terminal

__all__ = ["say", "say_json"]


def say(text: object = "", *, err: bool = False, end: str = "\n") -> None:
    """Print text for a person (stdout, or stderr with ``err``), control characters removed.

    Parameters
    ----------
    text : object
        What to print; converted with :func:`str`. Line breaks are kept.
    err : bool
        Print on stderr (messages, problems) instead of stdout (results).
    end : str
        Written after the text.

    """
    print(terminal(text), file=sys.stderr if err else sys.stdout, end=end)


def say_json(text: str, *, end: str = "\n") -> None:
    """Print a JSON document on stdout, with terminal-active characters escaped.

    Parameters
    ----------
    text : str
        The JSON document (from :func:`json.dumps`).
    end : str
        Written after the document.

    """
    sys.stdout.write(json_text(text) + end)
