"""Translated messages that are safe to print in HTML.

Flask-Babel's lazy strings declare themselves HTML (``__html__`` returns the text as is), so
Jinja prints them unescaped, and with them every value interpolated into them: an unknown
key from an imported file, a form field's name. Ours escape the whole message instead;
messages hold no markup of their own.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString, gettext
from markupsafe import escape


class LazyMessage(LazyString):
    """A lazily translated message that Jinja escapes like any other text."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables: Any) -> LazyMessage:
    """Like Flask-Babel's ``lazy_gettext``, but escaped when printed in a template."""
    return LazyMessage(gettext, string, **variables)
