"""Shared test configuration: hypothesis profiles, the browser, the artifacts folder.

``make test`` uses the "default" hypothesis profile; ``make test-exhaustive`` sets
HYPOTHESIS_PROFILE=exhaustive for long runs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
"""Screenshots and exported files from the tests, for people to look at (gitignored)."""

settings.register_profile(
    "default",
    max_examples=100,
    deadline=None,  # timing belongs in bench/, not in tests
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "exhaustive",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def chromium_executable() -> str | None:
    """The browser the browser tests drive: $GRADSTEP_CHROMIUM, a system Chromium/Chrome on
    PATH, or None for Playwright's own bundled build."""
    configured = os.environ.get("GRADSTEP_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # needed when running as root (CI containers)
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium, one per test module (and xdist worker)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
