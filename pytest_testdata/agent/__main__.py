"""``python -m pytest_testdata.agent``: run the Test Data Agent (same as ``testdata serve``)."""

from __future__ import annotations

from pytest_testdata.agent.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
