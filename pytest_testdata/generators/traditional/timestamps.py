"""Timestamps as ISO 8601 UTC strings, drawn relative to a fixed anchor so that runs repeat."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

ANCHOR = datetime(2026, 1, 1, tzinfo=timezone.utc)
"""Generated timestamps fall in the two years before this instant (fixed, so seeds reproduce)."""
SPAN_SECONDS = 2 * 365 * 86_400
_ANCHOR_TS = int(ANCHOR.timestamp())


def format_ts(epoch: int) -> str:
    """``2025-03-04T05:06:07Z``."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def draw(rng: random.Random) -> str:
    """A timestamp within the two years before the anchor."""
    return format_ts(_ANCHOR_TS - rng.randrange(SPAN_SECONDS))


def shift(timestamp: str, seconds: int) -> str:
    """The timestamp moved by ``seconds`` (keeps the ``Z`` format)."""
    moment = datetime.strptime(timestamp[:19], "%Y-%m-%dT%H:%M:%S") + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
