"""Render the course as a static website: ``make course``.

The notebooks are committed without outputs, so without a kernel none of their figures
exist. This module runs every notebook from top to bottom (nbclient, one kernel per
notebook, working directory ``notebooks/``) and writes what came out as plain HTML:

    build/course/index.html        the course: each notebook's title and first sentence
    build/course/01_<name>.html    one page per notebook, cells and outputs, with links
                                   to the index and to the previous and next notebook
    build/course/course.css        the one stylesheet every page shares

The site needs no network, not even for math: browsers load nothing but these files.
nbconvert's own templates load MathJax and require.js from a CDN, so offline they show
math as raw ``$...$``; here each formula is turned into MathML at build time (with
latex2mathml), which browsers draw natively. Images are data URIs, and a backprop
player keeps its inline script, so it steps through the graph from ``file://``.

Usage::

    python .ci/course/build_course.py                       # every notebook
    python .ci/course/build_course.py --out /tmp/site notebooks/01_*.ipynb
    python .ci/course/build_course.py --jobs 1 --timeout 60

A notebook that fails is reported in one line naming the notebook, the cell and the
error; the build then exits with status 1 and leaves the index as it was, so a broken
build never looks complete.
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import re
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
import nbformat
from markupsafe import Markup
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
from tex_mathml import MathError, tex_to_mathml
from traitlets.config import Config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "course"
PATTERN = "[0-9][0-9]_*.ipynb"
"""The course's notebooks: a two-digit number, an underscore, a name."""

PAGE_TEMPLATE = "gradstep-page"
"""The nbconvert template (a folder next to this file) that lays out one notebook."""

DEFAULT_TITLE = "The gradstep course"
PROGRAM = "build-course"

# Outputs are shown in this order of preference. Widget views and JavaScript are left
# out on purpose: both need a live notebook. Widgets are drawn from their saved state
# before export (freeze_widgets); anything else falls back to its text/plain form.
DISPLAY_PRIORITY = [
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/latex",
    "text/plain",
]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


# -- the notebooks ------------------------------------------------------------------------


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course's notebooks in ``folder``, in course order (their numbers sort).

    >>> [p.name[:3] for p in course_notebooks()][:2]
    ['01_', '02_']
    """
    return sorted(folder.glob(PATTERN))


@dataclass(frozen=True)
class Chapter:
    """One notebook as the index lists it.

    Attributes:
        source: the ``.ipynb`` file.
        number: its position in the course, from its file name (``01_...`` is 1).
        title: the text of its first ``# heading``.
        summary: the first sentence of the paragraph under that heading (markdown).
    """

    source: Path
    number: int
    title: str
    summary: str

    @property
    def page(self) -> str:
        """The file name of its page: the notebook's, ending in ``.html``."""
        return f"{self.source.stem}.html"

    @property
    def label(self) -> str:
        """``"1. Values and the chain rule"``: how links name it."""
        return f"{self.number}. {self.title}"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(*_`$])")


def first_sentence(paragraph: str) -> str:
    """The first sentence of a markdown paragraph, on one line.

    A sentence ends at ``.``, ``!`` or ``?`` followed by a space and a capital (or
    markup that starts one), so "e.g. this" and "0.5" do not end it.

    >>> first_sentence("A network is a\\nformula. It has e.g. weights.")
    'A network is a formula.'
    """
    text = " ".join(paragraph.split())
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def read_chapter(path: Path, position: int = 1) -> Chapter:
    """What the index says about one notebook, read from its first markdown cell.

    The course's notebooks open with a markdown cell ``# Title``, then a paragraph
    saying what the notebook is about (a test keeps it so). A notebook without either
    is still listed, under its file name. Its number is the one its name starts with,
    or else ``position``.
    """
    notebook = read_notebook(path)
    numbered = re.match(r"(\d+)_(.*)", path.stem)
    number = int(numbered[1]) if numbered else position
    title = (numbered[2] if numbered else path.stem).replace("_", " ").capitalize()
    summary = ""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        blocks = [b.strip() for b in re.split(r"\n\s*\n", cell.source) if b.strip()]
        if blocks and blocks[0].startswith("# "):
            title = blocks[0].splitlines()[0][2:].strip()
            blocks = blocks[1:]
        # the first plain paragraph: not a heading, list, table, quote, code or HTML
        for block in blocks:
            if not re.match(r"(#|[-*+] |\d+\. |\||>|```|<)", block):
                summary = first_sentence(block)
                break
        break
    return Chapter(source=path, number=number, title=title, summary=summary)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path``, upgraded to format 4 (nbformat's ``read`` is untyped)."""
    notebook: nbformat.NotebookNode = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    return notebook


def course_title(folder: Path) -> str:
    """The first heading of the course's README (``notebooks/README.md``)."""
    readme = folder / "README.md"
    if readme.is_file():
        for line in readme.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return DEFAULT_TITLE


def shown_path(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (shorter messages)."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


# -- markdown: math as MathML, links to notebooks as links to pages --------------------


def page_link(url: str) -> str:
    """Links between notebooks point at their pages: ``02_x.ipynb#part`` -> ``02_x.html#part``.

    >>> page_link("02_gradient_descent.ipynb#adam"), page_link("https://x.org/a.ipynb")
    ('02_gradient_descent.html#adam', 'https://x.org/a.ipynb')
    """
    return re.sub(r"^(\d\d_[^/:#?]*)\.ipynb(?=$|#)", r"\1.html", url)


class CourseMarkdown(IPythonRenderer):
    """nbconvert's markdown renderer, with math as MathML and links to notebooks as pages.

    A formula that cannot be converted is shown as its TeX in ``<code>`` and recorded in
    ``problems``; the build reports those.
    """

    def __init__(self, problems: list[str], **options: Any) -> None:
        super().__init__(escape=False, **options)
        self.problems = problems

    def _math(self, tex: str, *, display: bool) -> str:
        try:
            return tex_to_mathml(tex, display=display)
        except MathError as error:
            self.problems.append(str(error))
            return f'<code class="tex">{html.escape(tex)}</code>'

    def inline_math(self, body: str) -> str:
        return self._math(body, display=False)

    def block_math(self, body: str) -> str:
        return self._math(body, display=True)

    def latex_environment(self, name: str, body: str) -> str:
        return self._math(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)

    def link(self, text: str, url: str, title: str | None = None) -> str:
        return str(super().link(text, page_link(url), title))


def markdown_to_html(source: str, problems: list[str] | None = None) -> str:
    """Markdown as HTML, the way the course's pages render it (math as MathML).

    >>> markdown_to_html("the slope $a$").startswith("<p>the slope <math ")
    True
    """
    renderer = CourseMarkdown([] if problems is None else problems)
    return MarkdownWithMath(renderer=renderer).render(source)


# -- widgets: the final state, drawn without JavaScript -----------------------------------


def _widget_html(model_id: str, models: dict[str, Any]) -> str | None:
    """A static picture of one widget from its saved state, or None for a kind we
    cannot draw (the output then falls back to its text)."""
    model = models.get(model_id)
    if model is None:
        return None
    kind = model.get("model_name", "")
    state = model.get("state", {})
    if kind in ("HBoxModel", "VBoxModel", "BoxModel"):
        children = []
        for ref in state.get("children", []):
            child = _widget_html(ref.removeprefix("IPY_MODEL_"), models)
            if child is None:
                return None
            children.append(child)
        direction = "column" if kind == "VBoxModel" else "row"
        return f'<div class="widget widget-{direction}">{"".join(children)}</div>'
    if kind == "HTMLModel":  # the HTML a library put there (tqdm: its counts)
        return f'<span class="widget widget-html">{state.get("value", "")}</span>'
    if kind == "LabelModel":
        return f'<span class="widget widget-label">{html.escape(state.get("value", ""))}</span>'
    if kind in ("FloatProgressModel", "IntProgressModel"):
        value, top = float(state.get("value", 0)), float(state.get("max", 100))
        style = html.escape(state.get("bar_style", "") or "plain")
        return (
            f'<progress class="widget widget-progress widget-{style}" '
            f'value="{value:g}" max="{top:g}"></progress>'
        )
    return None


def freeze_widgets(notebook: nbformat.NotebookNode) -> int:
    """Replace every widget view by HTML drawn from the widgets' final state.

    A widget (tqdm.auto's progress bar) lives in the browser: its output holds only a
    reference to a model, and its text/plain fallback is the state when it was first
    shown ("0%"). nbclient saves every model's last state in the notebook's metadata,
    which is what a reader should see ("100%"). Widgets of kinds drawn here (boxes,
    HTML, labels, progress bars) become text/html; others keep their text fallback.

    Returns:
        How many views were drawn.
    """
    saved = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    models = saved.get("state", {})
    drawn = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                continue
            picture = _widget_html(view.get("model_id", ""), models)
            del output.data[WIDGET_VIEW]
            if picture is not None:
                output.data["text/html"] = picture
                drawn += 1
    notebook.metadata.pop("widgets", None)
    return drawn


# -- running a notebook -------------------------------------------------------------------


class NotebookError(Exception):
    """A notebook did not run to its end. The message is the line the build prints."""


def _cell_name(notebook: nbformat.NotebookNode, index: int) -> str:
    """``cell 12 ("loss = model(x)")``: the cell's position and its first line."""
    if not 0 <= index < len(notebook.cells):
        return "before the first cell"
    lines = notebook.cells[index].source.strip().splitlines() or [""]
    first = lines[0] if len(lines[0]) <= 60 else lines[0][:57] + "..."
    return f'cell {index + 1} ("{first}")'


def execute(path: Path, *, timeout: int) -> nbformat.NotebookNode:
    """Run a notebook from top to bottom in a new kernel and return it with its outputs.

    The kernel starts in the notebook's folder, as when a learner opens it. Cells tagged
    ``raises-exception`` may fail (nbclient's convention); any other error stops the run.

    Args:
        path: the ``.ipynb`` file.
        timeout: the most seconds one cell may take.

    Raises:
        NotebookError: with one line naming the notebook, the cell and what went wrong.
    """
    notebook = read_notebook(path)
    running = [-1]

    def on_cell_start(cell: Any, cell_index: int) -> None:
        running[0] = cell_index

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start,
        # ipykernel warns about its unencrypted local TCP sockets on every start; the
        # warning says nothing about the notebook, and errors still get through.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    where = f"{shown_path(path)}: {{}}"
    try:
        client.execute()
    except CellExecutionError as error:
        message = (str(error.evalue).strip().splitlines() or [""])[0]
        raise NotebookError(
            where.format(f"{_cell_name(notebook, running[0])} raised {error.ename}: {message}")
        ) from None
    except CellTimeoutError:
        raise NotebookError(
            where.format(f"{_cell_name(notebook, running[0])} ran longer than {timeout} s")
        ) from None
    except DeadKernelError:
        raise NotebookError(
            where.format(f"the kernel died in {_cell_name(notebook, running[0])}")
        ) from None
    return notebook


# -- writing the pages --------------------------------------------------------------------


class PageExporter(HTMLExporter):
    """nbconvert's HTML exporter with the course's page template and MathML math."""

    def __init__(self, problems: list[str]) -> None:
        config = Config({"NbConvertBase": {"display_data_priority": DISPLAY_PRIORITY}})
        super().__init__(  # type: ignore[no-untyped-call]
            config=config, template_name=PAGE_TEMPLATE, extra_template_basedirs=[str(HERE)]
        )
        self.problems = problems

    @jinja2.pass_context
    def markdown2html(self, context: Any, source: str) -> str:
        """The ``markdown2html`` filter of the template (nbconvert's is MathJax's)."""
        return markdown_to_html(source, self.problems)


@dataclass(frozen=True)
class PageResult:
    """What building one page produced: its file, the time, formulas not converted."""

    page: Path
    seconds: float
    problems: list[str] = field(default_factory=list)


def _neighbour(chapter: Chapter | None) -> dict[str, str] | None:
    return None if chapter is None else {"page": chapter.page, "label": chapter.label}


def build_page(
    chapters: Sequence[Chapter], position: int, out: Path, *, title: str, timeout: int
) -> PageResult:
    """Run ``chapters[position]`` and write its page into ``out``.

    Runs in a worker process: everything it takes and returns pickles.

    Raises:
        NotebookError: the notebook did not run to its end.
    """
    start = time.perf_counter()
    chapter = chapters[position]
    notebook = execute(chapter.source, timeout=timeout)
    freeze_widgets(notebook)
    problems: list[str] = []
    resources = {
        "metadata": {"name": chapter.source.stem, "path": str(chapter.source.parent)},
        "course": {
            "course_title": title,
            "label": chapter.label,
            "source": shown_path(chapter.source),
            "position": position + 1,
            "count": len(chapters),
            "previous": _neighbour(chapters[position - 1] if position > 0 else None),
            "next": _neighbour(chapters[position + 1] if position + 1 < len(chapters) else None),
        },
    }
    body, _ = PageExporter(problems).from_notebook_node(notebook, resources=resources)
    page = out / chapter.page
    page.write_text(body, encoding="utf-8")
    where = shown_path(chapter.source)
    return PageResult(page, time.perf_counter() - start, [f"{where}: {p}" for p in problems])


def write_stylesheet(out: Path) -> Path:
    """``course.css``: the course's rules, then Pygments' colours for the code."""
    code_colours = "\n".join(HtmlFormatter(style="default").get_token_style_defs(".highlight"))
    css = (HERE / "course.css").read_text(encoding="utf-8")
    path = out / "course.css"
    path.write_text(
        f"{css}\n/* code colours: Pygments' default style */\n{code_colours}\n", encoding="utf-8"
    )
    return path


def write_index(chapters: Sequence[Chapter], out: Path, *, title: str) -> Path:
    """``index.html``: the course's title and each notebook with its first sentence."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE), autoescape=True, undefined=jinja2.StrictUndefined
    )
    listed = [
        {
            "number": chapter.number,
            "title": chapter.title,
            "page": chapter.page,
            # a paragraph of our own markdown, rendered like the pages render it
            "summary_html": Markup(
                markdown_to_html(chapter.summary).strip().removeprefix("<p>").removesuffix("</p>")
            ),
        }
        for chapter in chapters
    ]
    text = environment.get_template("course-index.html.j2").render(
        course_title=title, chapters=listed, version=metadata.version("gradstep")
    )
    path = out / "index.html"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Report:
    """What a build did.

    Attributes:
        pages: the pages written, in course order.
        failures: one line per notebook that did not run to its end.
        warnings: one line per formula shown as TeX because it could not be converted.
        index: the index page, written only when every notebook ran.
    """

    pages: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    index: Path | None = None


def _ignore_ctrl_c() -> None:
    """Leave Ctrl-C to the main process, which stops the workers (see :func:`build`):
    a worker interrupted in the middle of nbclient prints pages of traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def build(
    notebooks: Sequence[Path],
    out: Path,
    *,
    jobs: int = 2,
    timeout: int = 180,
    log: Callable[[str], None] = print,
) -> Report:
    """Run ``notebooks`` and write the site into ``out``.

    Args:
        notebooks: the ``.ipynb`` files, in course order (the index lists them so).
        out: the site's folder; created if missing.
        jobs: how many notebooks run at once, each in its own process and kernel.
        timeout: the most seconds one cell may take.
        log: where a line goes as each page is written.

    Returns:
        The report. When every notebook ran, the stylesheet and the index are written
        and pages left from notebooks no longer built (renamed, renumbered) are removed.
        Otherwise the pages that ran are written and nothing else changes, so ``out``
        keeps the index of the last complete build.
    """
    out.mkdir(parents=True, exist_ok=True)
    chapters = [read_chapter(path, i + 1) for i, path in enumerate(notebooks)]
    title = course_title(notebooks[0].parent) if notebooks else DEFAULT_TITLE
    report = Report()
    workers = max(1, min(jobs, len(chapters)))
    with ProcessPoolExecutor(workers, initializer=_ignore_ctrl_c) as pool:
        pending = [
            pool.submit(build_page, chapters, i, out, title=title, timeout=timeout)
            for i in range(len(chapters))
        ]
        try:
            for chapter, future in zip(chapters, pending, strict=True):
                try:
                    result = future.result()
                except NotebookError as error:
                    report.failures.append(str(error))
                    continue
                report.pages.append(result.page)
                report.warnings.extend(result.problems)
                log(f"  {chapter.page:<50} {result.seconds:5.1f} s")
        except KeyboardInterrupt:
            # Stop now rather than after the running notebooks. Each kernel watches
            # the worker that started it (ipykernel's parent poller) and exits with it.
            pool.shutdown(wait=False, cancel_futures=True)
            for worker in multiprocessing.active_children():
                worker.terminate()
            raise
    if report.failures or not chapters:
        return report
    built = {page.name for page in report.pages}
    for stale in out.glob("[0-9][0-9]_*.html"):
        if stale.name not in built:
            stale.unlink()
    write_stylesheet(out)
    report.index = write_index(chapters, out, title=title)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status (0 built, 1 a notebook failed)."""
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Run the course's notebooks and write them as a static HTML site.",
    )
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help=f"the notebooks to build, in order (default: notebooks/{PATTERN})",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="the site's folder (build/course)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (2)")
    parser.add_argument("--timeout", type=int, default=180, help="seconds one cell may take")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.timeout < 1:
        parser.error("--jobs and --timeout take a whole number of at least 1")
    notebooks = args.notebooks or course_notebooks()
    missing = [str(p) for p in notebooks if not p.is_file()]
    if not notebooks or missing:
        print(f"{PROGRAM}: no such notebook: {', '.join(missing) or PATTERN}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    count = f"{len(notebooks)} notebook{'' if len(notebooks) == 1 else 's'}"
    print(f"{PROGRAM}: running {count}, {min(args.jobs, len(notebooks))} at a time")
    try:
        report = build(notebooks, args.out, jobs=args.jobs, timeout=args.timeout)
    except KeyboardInterrupt:  # the kernels are shut down by nbclient on the way out
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return 130
    for line in report.warnings:
        print(f"{PROGRAM}: warning: {line}", file=sys.stderr)
    for line in report.failures:
        print(f"{PROGRAM}: {line}", file=sys.stderr)
    if report.index is None:
        return 1
    seconds = time.perf_counter() - start
    print(f"{PROGRAM}: {count} in {seconds:.0f} s; open {report.index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
