"""Where the repository and the copied public test data are, for every test directory."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEST_DATA = REPO / "tests" / "data"
EVENTS = REPO / "events"  # the ready-made sample events
