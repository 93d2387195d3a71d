r"""Formulas as MathML, made at build time, so the course's pages draw math offline.

Browsers draw MathML themselves (Chromium since 2023, Firefox and Safari for longer):
a page needs no MathJax and no network for ``$\frac{\partial L}{\partial w}$``.
latex2mathml does the translation; this module adds what it leaves to the reader:

* **errors**: a command latex2mathml does not know comes out as its own name
  (``\foo`` becomes ``<mi>\foo</mi>``), which is worse than an error, so it is one;
* **text**: ``\text{running\_mean}`` keeps TeX's escapes verbatim; here they are the
  characters they stand for;
* **primes**: ``f'`` is drawn as f and a prime, not a prime raised twice;
* **spacing of function names**: TeX puts a thin space between ``\log`` (or ``\tanh``,
  ``\operatorname{relu}``...) and a neighbouring letter, so ``y \log p`` reads "y log p";
  latex2mathml leaves the names touching ("ylogp") or, for ``\operatorname``, spaced
  like an operator ("relu (x)"). Names become ``<mi>`` with TeX's thin spaces.
"""

from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element, tostring

from latex2mathml.converter import convert_to_element

MATHML_INLINE = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">'
"""How an inline formula starts (the examples below leave it out)."""

THIN_SPACE = "0.1667em"
"""TeX's \\, and the space it puts around a function name: 3/18 of an em."""


class MathError(ValueError):
    """A formula that cannot be turned into MathML; the message shows the formula."""


_TEXT_ESCAPES = {"\\_": "_", "\\%": "%", "\\#": "#", "\\$": "$", "\\&": "&", "\\{": "{", "\\}": "}"}
_NAME = re.compile(r"[A-Za-z]{2,}")
_ROWS = {"math", "mrow", "mstyle", "msqrt", "mtd", "mpadded", "mphantom", "menclose"}
"""Elements whose children sit side by side (in mfrac or msub each child has a role)."""
_SCRIPTED = {"msub", "msup", "msubsup", "munder", "mover", "munderover"}
_ORDINARY = {"mi", "mn", "mtext", "mfrac", "msqrt", "mroot"}
_OPENING, _CLOSING = set("([{⟨"), set(")]}⟩")


def tex_to_mathml(tex: str, *, display: bool) -> str:
    r"""One formula as a MathML ``<math>`` element.

    Args:
        tex: the formula without its ``$`` delimiters, e.g. ``\frac{\partial L}{\partial w}``.
        display: True for a display formula (``$$...$$``), on its own line.

    Raises:
        MathError: latex2mathml failed, or would leave TeX in the page.

    >>> tex_to_mathml("x^2", display=False).removeprefix(MATHML_INLINE)
    '<mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>'
    >>> tex_to_mathml(r"\text{running\_mean}", display=False).count("running_mean")
    1
    >>> spaced = tex_to_mathml(r"y \log p", display=False)
    >>> re.sub(r"<[^>]+>", " ", spaced).split(), spaced.count('<mspace width="0.1667em" />')
    (['y', 'log', 'p'], 2)
    """
    source = tex.strip()
    try:
        math = convert_to_element(source, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many kinds; each means the same
        raise MathError(f"cannot render ${source}$ as MathML ({error!r})") from None
    for text in math.iter("mtext"):
        for escaped, plain in _TEXT_ESCAPES.items():
            text.text = (text.text or "").replace(escaped, plain)
    for element in math.iter():
        left = element.text or ""
        if re.search(r"\\[A-Za-z]+", left) or left == "&":
            raise MathError(f"cannot render ${source}$ as MathML ({left!r} is left over)")
    space_function_names(math)
    lower_primes(math)
    # latex2mathml stores symbols as character references ("&#x003B1;") in the text,
    # which tostring escapes once more; everything else stays escaped.
    return re.sub(r"&amp;(#x?[0-9A-Fa-f]+;)", r"&\1", tostring(math, encoding="unicode"))


def _is_name(element: Element) -> bool:
    return element.tag in ("mi", "mo") and bool(_NAME.fullmatch(element.text or ""))


def _kind(element: Element, side: int) -> str:
    """TeX's class of what touches a name: "ord", "open", "close" or "other".

    ``side`` is 0 to look at an element's first piece (it follows the name) and -1 for
    its last (it precedes the name); a script's class is its base's.
    """
    if element.tag in _ORDINARY:
        return "ord"
    if element.tag in _SCRIPTED and len(element):
        return _kind(element[0], side)
    if element.tag in _ROWS and len(element):
        return _kind(element[side], side)
    if element.tag == "mo":
        text = html.unescape(element.text or "")
        return "open" if text in _OPENING else "close" if text in _CLOSING else "other"
    return "other"


def space_function_names(math: Element) -> None:
    r"""Make function names ``<mi>`` and give them TeX's thin spaces, in place.

    A name is a run of letters in an ``<mi>`` or ``<mo>`` (``\log``, ``\max``,
    ``\operatorname{relu}``), alone or as the base of a script (``\max_i``, ``relu'``).
    TeX's rule for such an operator: a thin space against an ordinary symbol on either
    side (``y \log p``) and after a closing bracket (``(x) \log 2``); none against an
    opening bracket (``\log(x)``), an operator or the edge of the formula.
    """
    for row in list(math.iter()):
        if row.tag not in _ROWS:
            continue
        children = list(row)
        laid_out: list[Element] = []
        for i, child in enumerate(children):
            base = child[0] if child.tag in _SCRIPTED and len(child) else child
            if not _is_name(base):
                laid_out.append(child)
                continue
            base.tag = "mi"  # upright, and no operator spacing of its own
            base.attrib.clear()
            # (two names in a row share one space)
            if (
                i > 0
                and _kind(children[i - 1], -1) in ("ord", "close")
                and (laid_out[-1].tag != "mspace")
            ):
                laid_out.append(_thin_space())
            laid_out.append(child)
            if i + 1 < len(children) and _kind(children[i + 1], 0) == "ord":
                laid_out.append(_thin_space())
        row[:] = laid_out


_PRIMES = set("′″‴")


def lower_primes(math: Element) -> None:
    r"""Write ``f'`` as f followed by a prime, not as f with a superscript prime, in place.

    latex2mathml makes ``\sigma'`` an ``<msup>`` whose script is the prime sign; but
    the prime glyph already sits high, so raised once more at script size it turns into
    a speck far above the letter. A plain prime after the base is what TeX draws.
    """
    for element in list(math.iter("msup")):
        if len(element) != 2:
            continue
        script = element[1]
        if script.tag == "mrow" and len(script) == 1:
            script = script[0]
        marks = html.unescape(script.text or "")
        if script.tag in ("mi", "mo") and marks and set(marks) <= _PRIMES and not len(script):
            prime = Element("mo", {"lspace": "0", "rspace": "0"})
            prime.text = script.text
            element.tag = "mrow"
            element[:] = [element[0], prime]


def _thin_space() -> Element:
    return Element("mspace", {"width": THIN_SPACE})
