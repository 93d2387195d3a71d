"""``python -m gradstep``: the same program as the ``gradstep`` command."""

from __future__ import annotations

import sys

from gradstep.cli import main

sys.exit(main())
