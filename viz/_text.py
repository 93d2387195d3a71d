"""Turning user text and numbers into safe display text.

Labels are written by users and may contain anything: quotes, braces, ``<script>``,
backslashes, newlines, emoji, control characters, right-to-left overrides, lone
surrogates, or sixteen thousand characters. Everything that reaches Graphviz or a web
page goes through this module, so there is exactly one place where each decision is
made:

* :func:`printable` decides what is *shown*: every character that is invisible or that
  changes how the text around it is drawn becomes a visible escape such as ``\\u202e``
  (see :func:`visible_char`). Everything else below starts with it.
* :func:`shorten` decides how *much* is shown: at most :data:`LABEL_LIMIT` visible
  characters on at most :data:`LABEL_LINES` lines, cut with "…".
* :func:`graphviz_html` escapes text for a Graphviz HTML-like label (XML characters,
  and the backslash, because Graphviz expands ``\\N`` and ``\\G`` even there);
  :func:`graphviz_tooltip` for Graphviz's plain ``tooltip`` attribute; :func:`web_html`
  for an HTML page (the step-through player).

:func:`check_number_format` bounds the other way text grows: a number format with a
huge width or precision.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata

LABEL_LIMIT = 48
"""The most visible characters a label shows in a drawing or a player (then "…")."""

LABEL_LINES = 3
"""The most lines a label shows (a label's own newlines start new lines)."""

TITLE_LIMIT = 100
"""The most visible characters of a drawing's or a player's title."""

TOOLTIP_LIMIT = 1000
"""The most visible characters of the tooltip that holds a shortened label in full."""

NUMBER_WIDTH_LIMIT = 20
"""The largest width a ``number_format`` may ask for (``"20.3f"``)."""

NUMBER_PRECISION_LIMIT = 17
"""The largest precision a ``number_format`` may ask for (17 digits tell any float apart)."""

ELLIPSIS = "…"

# Unicode categories drawn as escapes: control characters (Cc), format characters (Cf:
# bidi controls such as U+202E, zero-width spaces and joiners, the BOM), line and
# paragraph separators (Zl, Zp) and lone surrogates (Cs). A bidi override reorders the
# text after it, so a label could show something other than what it holds; the others
# are invisible, or not allowed in XML at all (most controls, surrogates).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_NOT_XML = frozenset("\ufffe\uffff")  # not characters in XML 1.0 either
# Characters that might need escaping: all but printable ASCII and the newline. Most
# text is ASCII, which the regex skips without calling Python code.
_MAYBE_HIDDEN = re.compile("[^\x20-\x7e\n]")


def visible_char(char: str) -> str:
    r"""How one character is shown: itself, or a visible escape.

    Newlines are kept (callers turn them into line breaks) and tabs become a space;
    every other character of category Cc, Cf, Zl, Zp or Cs (and U+FFFE, U+FFFF)
    becomes ``\xNN``, ``\uNNNN`` or ``\UNNNNNNNN``, as Python writes them.

    Example:
        >>> visible_char("a"), visible_char("\x01"), visible_char("\u202e")
        ('a', '\\x01', '\\u202e')
        >>> visible_char("\U000e0041"), visible_char("\t")
        ('\\U000e0041', ' ')
    """
    if char == "\t":
        return " "
    if char == "\n" or not (unicodedata.category(char) in _HIDDEN_CATEGORIES or char in _NOT_XML):
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    r"""``text`` with every hidden or XML-breaking character replaced by a visible escape.

    The single place where gradstep decides what is shown: SVG labels, tooltips, the
    player's panels and titles all pass through here (see :func:`visible_char`).

    Example:
        >>> printable("a\x00b\tc")
        'a\\x00b c'
        >>> printable("abc\u202edef")        # a right-to-left override, shown, not obeyed
        'abc\\u202edef'
    """
    return _MAYBE_HIDDEN.sub(lambda match: visible_char(match.group()), text)


def shorten(text: str, limit: int = LABEL_LIMIT, lines: int = LABEL_LINES) -> str:
    r"""``text`` cut so that it shows at most ``limit`` characters on ``lines`` lines.

    The count is of what :func:`printable` shows (an escape such as ``\u202e`` counts
    six), so a drawing stays small whatever the label holds. A cut text ends with "…".
    The result is still raw text: escape it for where it goes.

    Example:
        >>> shorten("x" * 100, 10)
        'xxxxxxxxx…'
        >>> shorten("one\ntwo\nthree\nfour", lines=2)
        'one\ntwo…'
        >>> shorten("short")
        'short'
    """
    shown = [0]  # shown[k]: how many characters text[:k] shows
    line = 1
    for end, char in enumerate(text):
        if char == "\n":
            line += 1
            if line > lines:
                return text[:end] + ELLIPSIS
        shown.append(shown[-1] + len(visible_char(char)))
        if shown[-1] > limit:
            # Keep the longest start that leaves room for the ellipsis.
            keep = max(k for k in range(end + 1) if shown[k] <= limit - 1)
            return text[:keep] + ELLIPSIS
    return text


def graphviz_html(text: str) -> str:
    r"""Escape ``text`` for a Graphviz HTML-like label; newlines become ``<BR/>``.

    Example:
        >>> graphviz_html('<b> & "q" \\G')
        '&lt;b&gt; &amp; &quot;q&quot; \\\\G'
        >>> graphviz_html("two\nlines")
        'two<BR ALIGN="CENTER"/>lines'
    """
    escaped = html.escape(printable(text), quote=True).replace("\\", "\\\\")
    return escaped.replace("\n", '<BR ALIGN="CENTER"/>')


def graphviz_tooltip(text: str) -> str:
    r"""``text`` (at most :data:`TOOLTIP_LIMIT` characters of it) for Graphviz's
    ``tooltip`` attribute, so that the SVG's tooltip shows it literally.

    Graphviz reads a tooltip twice: once undoing backslash escapes, once expanding
    ``\N`` (the node's name) and friends; so each backslash is written four times. It
    also keeps ``&lt;`` and other entities as they are, so ``&`` is written as ``&amp;``.
    Pass the result through ``graphviz.nohtml`` so that python-graphviz never takes a
    text such as ``<b>`` for an HTML-like label.

    Example:
        >>> graphviz_tooltip("a\\N & b")
        'a\\\\\\\\N &amp; b'
    """
    shown = printable(shorten(text, TOOLTIP_LIMIT, lines=TOOLTIP_LIMIT))
    return shown.replace("&", "&amp;").replace("\\", "\\" * 4)


def web_html(text: str) -> str:
    """Escape ``text`` for an HTML page (quotes included, so it is safe in attributes too).

    Example:
        >>> web_html("<img src=x onerror=alert(1)>")
        '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape(printable(text), quote=True)


# Python's format spec mini-language for floats, read just far enough to find the width
# and the precision: [[fill]align][sign][z][#][0][width][grouping][.precision][type].
_FLOAT_SPEC = re.compile(
    r"(?:.?[<>=^])?[-+ ]?z?\#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?[eEfFgGn%]?",
    re.DOTALL,
)


def check_number_format(number_format: str) -> str:
    """Return ``number_format`` if it formats floats within bounds, else raise ValueError.

    A format may not ask for a width above :data:`NUMBER_WIDTH_LIMIT` or a precision
    above :data:`NUMBER_PRECISION_LIMIT`: ``"100000000"`` would make every number a
    hundred million characters wide.

    Raises:
        TypeError: if ``number_format`` is not a str.
        ValueError: naming the format, the rule it breaks and some that work.

    Example:
        >>> check_number_format(".3f")
        '.3f'
        >>> check_number_format("100000000")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: number_format '100000000' asks for width 100000000; the most is 20 ...
    """
    if not isinstance(number_format, str):
        raise TypeError(
            f"number_format must be a str format spec such as '.4g', "
            f"got {type(number_format).__name__}"
        )
    examples = "(e.g. '.4g', '.3f', '+.2e')"
    spec = _FLOAT_SPEC.fullmatch(number_format)
    if spec is None:
        raise ValueError(
            f"number_format {number_format!r} is not a format spec for floats; use one such "
            f"as '.4g' (default), '.3f', '+.2e' or '.6g'"
        )
    # Checked before formatting anything: a huge width would build a huge string.
    width = int(spec["width"] or 0)
    precision = int(spec["precision"] or 0)
    if width > NUMBER_WIDTH_LIMIT:
        raise ValueError(
            f"number_format {number_format!r} asks for width {width}; "
            f"the most is {NUMBER_WIDTH_LIMIT} {examples}"
        )
    if precision > NUMBER_PRECISION_LIMIT:
        raise ValueError(
            f"number_format {number_format!r} asks for precision {precision}; "
            f"the most is {NUMBER_PRECISION_LIMIT} {examples}"
        )
    try:
        format(-1.5, number_format)
    except ValueError:
        raise ValueError(
            f"number_format {number_format!r} is not a format spec for floats; use one such "
            f"as '.4g' (default), '.3f', '+.2e' or '.6g'"
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


def added_text(number: str) -> str:
    """A formatted number as a term that is added: ``+ 1.5``, or ``− 1.5`` for ``-1.5``.

    The player writes it beside an edge (the amount the step adds to a gradient), where
    ``+-1.5`` would read as a typo.

    Example:
        >>> added_text("1.5"), added_text("-1.5"), added_text("-inf")
        ('+ 1.5', '− 1.5', '− inf')
    """
    if number.startswith("-"):
        return f"\u2212 {number[1:]}"
    return f"+ {number}"


_PLAIN_NAME = re.compile(r"[\w.,\[\]]+")


def derivative_name(of: str, by: str) -> str:
    """``d<of>/d<by>``, with parentheses round a name that is not a single word:
    ``dy/d(x*w)``, not ``dy/dx*w`` (which reads as (dy/dx)·w).

    Example:
        >>> derivative_name("y", "x"), derivative_name("y", "x*w")
        ('dy/dx', 'dy/d(x*w)')
        >>> derivative_name("loss", "0.weight[3,1]")
        'dloss/d0.weight[3,1]'
    """

    def wrapped(name: str) -> str:
        return name if _PLAIN_NAME.fullmatch(name) else f"({name})"

    return f"d{wrapped(of)}/d{wrapped(by)}"
