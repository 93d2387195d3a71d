"""The rendered course (``make course``) in a real headless Chromium, offline.

The site is built from two notebooks only (all of them take minutes): the first one,
and the first other one that shows a backprop player; both are chosen by pattern, so
renumbering the course does not break the test. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import build_course
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "course" / "build_course.py"


def shows_a_player(path: Path) -> bool:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return any(
        c["cell_type"] == "code" and "BackpropStepper(" in "".join(c["source"]) for c in cells
    )


def chosen() -> tuple[Path, Path]:
    """The first notebook, and the first other one whose code shows a backprop player."""
    first, *rest = build_course.course_notebooks()
    return first, next(p for p in rest if shows_a_player(p))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    out = tmp_path / "course"
    built = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), *map(str, chosen())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""  # no warnings: every formula became MathML
    return out


@pytest.fixture
def offline_page(browser: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page whose every request is recorded, and every one over a network refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    context.route(re.compile(r"^(?!file:)"), lambda route: route.abort())
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, requests, errors
    context.close()


def assert_nothing_comes_from_a_network(site: Path) -> None:
    """The HTML itself: no script, stylesheet, font or image from anywhere but here."""
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(
            r"""<(script|img|link|iframe)[^>]+(src|href)=["']?(https?:)?//""", text
        )
        assert "@import" not in text and "url(http" not in text
        assert not re.search(r"<script[^>]+src=", text)  # a player's script is inline


def math_display(page: Any, selector: str) -> str:
    """How Chromium lays out the element: "math"/"block math" when it draws MathML."""
    return page.eval_on_selector(selector, "el => getComputedStyle(el).display")


@pytest.mark.browser
@pytest.mark.slow
def test_from_the_index_to_a_player_that_steps_offline(
    site: Path, offline_page: Any, artifacts: Path
) -> None:
    page, requests, errors = offline_page
    first, with_player = chosen()
    assert_nothing_comes_from_a_network(site)
    index = site / "index.html"
    page.goto(index.as_uri())
    assert page.title() == build_course.course_title(ROOT / "notebooks")
    chapters = page.locator(".chapter")
    assert chapters.count() == 2
    assert build_course.read_chapter(first).title in chapters.first.inner_text()
    page.screenshot(path=str(artifacts / "course-index.png"), full_page=True)

    page.click(f"a.chapter-link[href='{with_player.stem}.html']")
    page.wait_for_load_state("load")
    assert page.url == (site / f"{with_player.stem}.html").as_uri()

    # math is MathML drawn by the browser, not TeX waiting for MathJax
    prose = page.locator(".cell-markdown").all_inner_texts()
    assert not [p for p in prose if re.search(r"\$[^$\s][^$]*\$", p)]
    formula = page.locator(".cell-markdown math").first
    formula.scroll_into_view_if_needed()
    assert formula.is_visible() and formula.bounding_box()["height"] > 8
    assert math_display(page, ".cell-markdown math") in ("math", "inline math", "block math")

    # the notebook's player works from file://, without a kernel
    player = page.locator(".gs-player").first
    counter = player.locator(".gs-counter")
    before = counter.inner_text()
    assert re.fullmatch(r"step 1 / \d+", before)
    player.locator(".gs-next").click()
    player.locator(".gs-next").click()
    assert counter.inner_text() == before.replace("step 1", "step 3")
    player.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "course-page-player.png"))

    # the pager leads back to the previous notebook and to the index
    page.click(".pager-top a.pager-previous")
    page.wait_for_load_state("load")
    assert page.url == (site / f"{first.stem}.html").as_uri()
    page.click(".pager-top a.pager-index")
    assert page.url == index.as_uri()

    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []
    assert {Path(url).name for url in requests} == {
        "index.html",
        "course.css",
        f"{first.stem}.html",
        f"{with_player.stem}.html",
    }


@pytest.mark.slow
def test_a_failing_notebook_fails_the_build_in_one_line(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Broken\n\nThis notebook divides by zero."),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("y = x / 0"),
        nbformat.v4.new_code_cell("print('never runs')"),
    ]
    path = tmp_path / "01_broken.ipynb"
    nbformat.write(notebook, path)
    out = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 1
    lines = built.stderr.splitlines()
    assert len(lines) == 1, built.stderr
    assert "01_broken.ipynb" in lines[0] and 'cell 3 ("y = x / 0")' in lines[0]
    assert "ZeroDivisionError" in lines[0]
    assert not (out / "index.html").exists()
