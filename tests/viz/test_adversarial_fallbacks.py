"""The text fallbacks of drawings and players stay one line whatever the names hold."""

from __future__ import annotations

import viz
from autograd import Value
from viz.player import fallback_html, player_summary, player_text
from viz.stepper import BackpropStepper


def _graph_with_hostile_names() -> Value:
    x = Value(2.0, label='"><script>alert(1)</script> & x')
    y = (x * x).tanh()
    y.label = "first line\r\nsecond line\u202e"
    return y


def test_a_drawings_repr_and_text_are_one_line() -> None:
    drawing = viz.draw_graph(_graph_with_hostile_names())
    for text in (repr(drawing), drawing.summary):
        assert "\n" not in text and "\r" not in text, text
        assert "first line\\x0d\\nsecond line\\u202e" in text, text


def test_a_players_summary_and_fallback_are_one_line_and_escaped() -> None:
    stepper = BackpropStepper(_graph_with_hostile_names())
    for text in (player_summary(stepper), player_text(stepper)):
        assert "\n" not in text and "\r" not in text, text
        assert "first line\\x0d\\nsecond line" in text, text
    html = fallback_html(stepper, b"\x89PNG")
    assert "<script" not in html and "\n" not in html
