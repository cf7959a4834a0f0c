"""What a generator may ask of whoever runs it: the narrow host, instead of the whole engine.

A generator reads its strategy settings through :attr:`GeneratorHost.options` / :meth:`option`, may
reach another strategy (a fallback, hybrid's RAG and LLM parts) through :meth:`generator`, and may ask
whether one can run here through :meth:`unavailable_reason`. Nothing else: no cache, no registry, no
listeners. :class:`~pytest_testdata.engine.Engine` is one host; a test or a user's tool can supply
another (any object with these members).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from pytest_testdata.seeding import derive_seed

if TYPE_CHECKING:
    from pytest_testdata.generators.base import Generator, GeneratorOutput
    from pytest_testdata.schemas.model import Schema
    from pytest_testdata.types import GenerationRequest, Record


COLLECT_WARNINGS = "_collect_warnings"
"""Run-time request option: the generator puts its warnings' messages in its output's details
(``details["warnings"]``) instead of warning. A caller that makes many requests for one entity (a dataset's
request per subject its text is about) then warns once for them all, naming the entity and the totals."""


def warn(request: GenerationRequest, warning: Warning, details: dict[str, Any], stacklevel: int = 2) -> None:
    """Warn ``warning``, or keep its message in ``details`` for the caller (:data:`COLLECT_WARNINGS`)."""
    if request.options.get(COLLECT_WARNINGS):
        details.setdefault("warnings", []).append(str(warning))
    else:
        warnings.warn(warning, stacklevel=stacklevel + 1)


class GeneratorHost(Protocol):
    """The services a generator gets from its host."""

    @property
    def options(self) -> Mapping[str, Any]:
        """Strategy settings (provider, model, store location, the plugin's settings object...)."""
        ...

    def option(self, name: str, default: Any = None) -> Any:
        """One strategy setting, or ``default``."""
        ...

    def generator(self, strategy: str) -> Generator:
        """The generator of another strategy (built once by the host)."""
        ...

    def unavailable_reason(self, strategy: str) -> str | None:
        """None when ``strategy`` can run here, else a short reason."""
        ...


def traditional_records(host: GeneratorHost, request: GenerationRequest, schema: Schema, count: int,
                        seed: int) -> list[Record]:
    """``count`` records of ``schema`` from the traditional strategy (a per-record fallback)."""
    if count <= 0:
        return []
    sub = request.replace(count=count, strategy="traditional")
    return host.generator("traditional").generate(sub, schema, seed).records


def fallback_to_traditional(
    host: GeneratorHost, request: GenerationRequest, schema: Schema, seed: int, *, strategy: str, why: str,
    details: Mapping[str, Any] | None = None, warning: type[Warning] | None = None, all_records: bool = False,
) -> GeneratorOutput:
    """The whole request made by the traditional strategy because ``strategy`` could not make it.

    The reason names the strategy, the entity and ``why``; ``details`` gain the fallback count and
    reason; with ``warning`` set, the reason is also warned (the run summary and the user see it).
    Seeds derive from ``seed`` so a fallback is as reproducible as the path it replaces.
    """
    from pytest_testdata.generators.base import GeneratorOutput

    tail = f" for all {request.count} records" if all_records else ""
    message = f"strategy {strategy!r} for {schema.name!r}: {why}; fell back to traditional{tail}"
    out = {**(details or {}), "fallback": request.count, "fallback_reasons": [why]}
    if warning is not None:
        warn(request, warning(message), out, stacklevel=3)
    records = traditional_records(host, request, schema, request.count, derive_seed(seed, "fallback"))
    return GeneratorOutput(records, reason=message, strategy="traditional", details=out)
