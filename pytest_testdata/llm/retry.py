"""Backoff for retried requests: honour the server's retry-after, else grow exponentially; always bounded."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from time import time

MAX_DELAY = 30.0
"""No single wait is longer than this, whatever retry-after says: a test never hangs on a provider."""


def retry_delay(attempt: int, retry_after: str | None = None, base: float = 0.5) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based)."""
    if retry_after:
        try:
            return min(max(float(retry_after), 0.0), MAX_DELAY)
        except ValueError:
            try:
                return min(max(parsedate_to_datetime(retry_after).timestamp() - time(), 0.0), MAX_DELAY)
            except (TypeError, ValueError):
                pass
    return float(min(base * (2**attempt), MAX_DELAY))
