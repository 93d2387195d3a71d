"""What the rendered course is made of, checked without running a notebook: every
formula becomes MathML, every notebook has a title and a summary for the index, widgets
are drawn from their saved state, and the build module's examples hold."""

from __future__ import annotations

import doctest
import re

import build_course
import nbformat
import pytest
import tex_mathml

NOTEBOOKS = build_course.course_notebooks()


def test_the_examples_in_the_build_modules_hold() -> None:
    assert doctest.testmod(build_course).failed == 0
    assert doctest.testmod(tex_mathml).failed == 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_formula_becomes_mathml(path) -> None:
    """A formula latex2mathml cannot draw would show as TeX on the page: write it
    another way (the message names it)."""
    problems: list[str] = []
    notebook = build_course.read_notebook(path)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            rendered = build_course.markdown_to_html(cell.source, problems)
            assert not re.search(r"\$[^$\s][^$]*\$", re.sub(r"<[^>]+>", "", rendered)), rendered
    assert problems == []


def test_a_formula_it_cannot_draw_is_reported_and_shown_as_tex() -> None:
    problems: list[str] = []
    html = build_course.markdown_to_html(r"see $\frac{1}{$ and $\unknowncommand x$", problems)
    assert html.count('<code class="tex">') == 2
    assert len(problems) == 2 and "unknowncommand" in problems[1]


def test_primes_sit_next_to_their_letter_and_names_are_spaced_like_tex() -> None:
    mathml = tex_mathml.tex_to_mathml(r"x \operatorname{relu}'(x) + f''(x)", display=True)
    assert "<msup>" not in mathml  # a prime raised once more is a speck
    assert '<mrow><mi>relu</mi><mo lspace="0" rspace="0">&#x02032;</mo></mrow>' in mathml
    assert '<mi>x</mi><mspace width="0.1667em" /><mrow><mi>relu</mi>' in mathml
    assert '<mspace width="0.1667em" /><mo stretchy="false">&#x00028;' not in mathml
    assert 'display="block"' in mathml


def test_text_escapes_and_links_between_notebooks() -> None:
    html = build_course.markdown_to_html(
        r"$\text{running\_mean \& more}$ in [the next one](02_next.ipynb#part)"
    )
    assert "<mtext>running_mean&amp;" in html.replace("&#x000A0;", "").replace(" ", "")
    assert 'href="02_next.html#part"' in html


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_notebook_has_a_title_and_a_one_line_summary(path) -> None:
    chapter = build_course.read_chapter(path)
    assert chapter.number == int(path.name[:2])
    assert chapter.title and not chapter.title.startswith("#")
    assert 20 < len(chapter.summary) < 300 and "\n" not in chapter.summary
    assert chapter.summary[-1] in ".!?:"
    assert chapter.page == path.stem + ".html"


def widget(model: str, **state: object) -> dict[str, object]:
    return {"model_name": model, "model_module": "@jupyter-widgets/controls", "state": state}


def test_a_progress_bar_is_drawn_from_its_final_state() -> None:
    """tqdm.auto's bar: an HBox of HTML, a FloatProgress and HTML, saved at 100%."""
    models = {
        "box": widget("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_bar", "IPY_MODEL_right"]),
        "left": widget("HTMLModel", value="training: 100%"),
        "bar": widget("FloatProgressModel", value=40.0, max=40.0, bar_style="success"),
        "right": widget("HTMLModel", value=" 40/40 [00:03&lt;00:00]"),
        "slider": widget("IntSliderModel", value=3),
    }
    view = "application/vnd.jupyter.widget-view+json"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            outputs=[
                nbformat.v4.new_output(
                    "display_data", data={view: {"model_id": "box"}, "text/plain": "0%"}
                ),
                nbformat.v4.new_output(
                    "display_data", data={view: {"model_id": "slider"}, "text/plain": "3"}
                ),
            ]
        )
    ]
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": models, "version_major": 2}
    }
    assert build_course.freeze_widgets(notebook) == 1
    bar, slider = notebook.cells[0].outputs
    assert view not in bar.data and view not in slider.data
    assert "training: 100%" in bar.data["text/html"]
    assert (
        '<progress class="widget widget-progress widget-success" value="40" max="40">'
        in (bar.data["text/html"])
    )
    assert slider.data == {"text/plain": "3"}  # a kind it cannot draw keeps its text
    assert "widgets" not in notebook.metadata
