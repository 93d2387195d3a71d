"""Turning user text and numbers into safe display text.

Labels are written by users and may contain anything: quotes, braces, ``<script>``,
backslashes, newlines, emoji, even control characters. Everything that reaches Graphviz
or a web page goes through the two functions here, so there is exactly one place where
escaping is decided:

* :func:`graphviz_html` escapes text for a Graphviz HTML-like label. Besides the XML
  characters (``& < > "``) that includes the backslash, because Graphviz still expands
  ``\\N`` (node name) and ``\\G`` (graph name) inside HTML labels.
* :func:`web_html` escapes text for an HTML page (the step-through player).

Both first pass the text through :func:`printable`, which replaces characters that XML
cannot hold at all (control characters, lone surrogates, U+FFFE/U+FFFF) with a visible
escape such as ``\\x01``, so a drawing never fails and its SVG is always well-formed XML.
"""

from __future__ import annotations

import html
import math
import re

_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"  # newline and tab are kept
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    r"""``text`` with every character XML cannot carry replaced by a visible escape.

    Tabs become spaces; newlines are kept (the callers turn them into line breaks).

    Example:
        >>> printable("a\x00b\tc")
        'a\\x00b c'
    """
    return _UNPRINTABLE.sub(_visible, text).replace("\t", " ")


def graphviz_html(text: str) -> str:
    r"""Escape ``text`` for a Graphviz HTML-like label; newlines become ``<BR/>``.

    Example:
        >>> graphviz_html('<b> & "q" \\G')
        '&lt;b&gt; &amp; &quot;q&quot; \\\\G'
        >>> graphviz_html("two\nlines")
        'two<BR ALIGN="CENTER"/>lines'
    """
    escaped = html.escape(printable(text), quote=True).replace("\\", "\\\\")
    return escaped.replace("\r\n", "\n").replace("\n", '<BR ALIGN="CENTER"/>')


def web_html(text: str) -> str:
    """Escape ``text`` for an HTML page (quotes included, so it is safe in attributes too).

    Example:
        >>> web_html("<img src=x onerror=alert(1)>")
        '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape(printable(text), quote=True)


def check_number_format(number_format: str) -> str:
    """Return ``number_format`` if it formats floats, else raise ValueError.

    Raises:
        ValueError: naming the format and some that work.
    """
    if not isinstance(number_format, str):
        raise TypeError(
            f"number_format must be a str format spec such as '.4g', "
            f"got {type(number_format).__name__}"
        )
    try:
        format(-1.5, number_format)
    except ValueError:
        raise ValueError(
            f"number_format {number_format!r} is not a format spec for floats; "
            "use one such as '.4g' (default), '.3f', '+.2e' or '.6g'"
        ) from None
    return number_format


def fmt(x: float, number_format: str) -> str:
    """``x`` formatted with ``number_format``; -0 is shown as 0 and NaN/inf as words.

    Example:
        >>> fmt(-0.0, ".3g"), fmt(2.0 / 3.0, ".3g"), fmt(float("-inf"), ".3g")
        ('0', '0.667', '-inf')
    """
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = format(x, number_format)
    # -0.0, or a small negative number that rounds to zero, reads better as "0".
    if text.startswith("-"):
        try:
            if float(text.replace(",", "").replace("_", "")) == 0.0:
                return format(0.0, number_format)
        except ValueError:  # formats such as "%" do not parse back; keep them as they are
            pass
    return text


def remaining_text(n: int) -> str:
    """How a child's gradient stands after an addition: complete, or how many are to come."""
    if n == 0:
        return "complete"
    return "1 more addition to come" if n == 1 else f"{n} more additions to come"
