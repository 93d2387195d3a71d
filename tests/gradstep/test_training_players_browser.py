"""What ``gradstep compare`` writes, played in a real headless Chromium (Playwright).

The player itself is tested in tests/viz; this checks that the command's file is one
that plays: from ``file://``, with every run named, one slider for all, a diverged run
marked, and no request, dialog or console error. Screenshot: test-artifacts/gradstep-compare.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gradstep import cli

pytestmark = pytest.mark.browser


def test_the_compare_file_plays_every_run_on_one_timeline(
    browser: Any, tmp_path: Path, artifacts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(
        ["compare", "--vary", "lr=0.1,1e60", "--optimizer", "sgd", "--samples", "20",
         "--hidden", "4", "--epochs", "4", "--quiet", "--no-progress", "--out", str(tmp_path)]
    )  # fmt: skip
    assert status == 1  # the second run diverged; the player is written all the same
    capsys.readouterr()

    context = browser.new_context(viewport={"width": 1400, "height": 820})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto((tmp_path / "compare.html").as_uri())
        cards = [f"#gt-player .gt-run[data-run='{i}']" for i in range(2)]
        names = [page.locator(f"{card} .gt-run-name").inner_text() for card in cards]
        assert names == ["lr=0.1", "lr=1e60"]
        assert page.locator("#gt-player .gt-title").inner_text() == "lr: 0.1 vs 1e60"

        def epoch(card: str) -> str:
            return str(page.locator(f"{card} .gt-stat[data-field='epoch'] b").inner_text())

        assert epoch(cards[0]).startswith("0 of 4")
        for _ in range(4):
            page.click("#gt-player .gt-next")
        assert epoch(cards[0]).startswith("4 of 4")
        assert epoch(cards[1]).startswith("2 of 4")  # its last finite frame
        assert page.locator(f"{cards[1]} .gt-badge").is_visible()
        assert not page.locator(f"{cards[0]} .gt-badge").is_visible()
        note = page.locator(f"{cards[1]} .gt-diverged-note").inner_text()
        assert note.startswith("Diverged at epoch 3")
        page.screenshot(path=str(artifacts / "gradstep-compare.png"), full_page=True)
        assert errors == [] and dialogs == []
        assert [url for url in requests if not url.startswith("file:")] == []
    finally:
        context.close()
