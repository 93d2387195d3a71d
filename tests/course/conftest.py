"""The course's build tools live in .ci/course/ (they are not part of the gradstep
package); the tests here import them from there."""

from __future__ import annotations

import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / ".ci" / "course"
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))
