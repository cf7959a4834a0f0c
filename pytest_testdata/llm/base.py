"""The provider interface: one structured-output call in, parsed JSON (or raw text) and token counts out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pytest_testdata.errors import ProviderError as ProviderError  # re-exported; its home is errors.py


@dataclass(frozen=True)
class LLMCall:
    """One request to a model: prompts, the JSON Schema the answer must follow, and limits."""

    system: str
    user: str
    schema: dict[str, Any]
    """The schema of the whole answer: ``{"records": [<entity record>, ...]}``."""
    seed: int
    max_tokens: int | None = None
    """None: the provider's configured limit."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra request headers (``x-testdata-inputs``: what a cassette needs to explain a stale recording)."""
    scope: str = ""
    """What a provider's per-server discoveries (accepted response_format, model name) are remembered by:
    the cassette path, so every test replays the same exchanges whatever ran before it."""
    cassette: Any = None
    """The test's open cassette, for providers without HTTP (the local model records through it)."""


@dataclass
class LLMReply:
    """What came back: ``data`` when the provider handed over a JSON value, always the raw ``text``."""

    text: str
    data: Any = None
    truncated: bool = False
    """True when the model stopped at its token limit (the JSON is probably cut short)."""
    input_tokens: int = 0
    output_tokens: int = 0


class Provider(Protocol):
    """A model behind some transport. ``complete`` raises :class:`ProviderError` when it cannot answer."""

    name: str
    transport: str
    """``http`` (recorded by vcrpy's patches) or ``local`` (records through ``LLMCall.cassette``)."""

    @property
    def model(self) -> str:
        """The model name (part of the metadata and the cassette key)."""
        ...

    def complete(self, call: LLMCall) -> LLMReply:
        """Send one call and return the reply (after the provider's own bounded retries)."""
        ...


