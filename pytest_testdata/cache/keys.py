"""Cache and pool keys: a digest of everything that determines a result.

A result key covers the schema (``name@version#digest``), the request's key material (entity, count,
strategy, constraints, context, hints, seed, variant, flags, locale and the options that do not start
with ``_``), the path the router chose, what the generator says shapes its output (provider, model,
prompt template version) and the code that generates (this package's and Faker's versions: Faker's
seeded output changes between its releases). Change any of these and the key changes, so a stale entry
is never even looked up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest

KEY_FORMAT = 9
"""Bumped when the key layout or the stored payload changes, or records for a seed change (2: identifiers
drawn per entity and field; 3: no values drawn for fields a coherence rule overwrites; 4: a total's range
met by a scale search, generators/traditional/fit.py; 5: GB postcodes from real inward codes; 6: user
schemas' ``oneOf`` branches, ``not: {required}``, unique enum arrays and ``not: {pattern}`` strings met by
construction; 7: Canadian postal codes from real full codes; 8: Dutch places in Gelderland too; 9: Dutch
postcodes from real full codes, Sardinian provinces of today, DE, GB and IT data as the build tool makes
it); old entries then simply stop matching."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The versions of the code that generates records (this package, Faker)."""
    from importlib import metadata

    from pytest_testdata import __version__

    try:
        faker = metadata.version("faker")
    except metadata.PackageNotFoundError:  # pragma: no cover - faker is a hard dependency
        faker = "absent"
    return f"testdata={__version__};faker={faker};format={KEY_FORMAT}"


_KEY_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=repr)
"""Built once: ``json.dumps`` with options builds an encoder on every call."""


def _digest(material: Mapping[str, Any]) -> str:
    text = _KEY_JSON.encode(material)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def result_key(request: GenerationRequest, schema: Schema, strategy: str,
               generator_material: Mapping[str, Any] | None = None) -> str:
    """The key of a result: ``<entity>:<digest>`` (the entity kept readable for people browsing Redis)."""
    if not request.constraints and not request.options and not generator_material:
        # The usual request (the agent's calls): its material's text is the same but for the seed, so the
        # text around the seed is written once per shape; the key is the very digest of the same text.
        shape = (schema.key, strategy, request.entity, request.count, request.strategy, request.context,
                 request.hints, request.variant, request.learn_from_history, request.defect_triggering,
                 request.locale)
        around = _AROUND_SEED.get(shape) or _around_seed(shape, request, schema, strategy)
        if around is not None:
            seed = "null" if request.seed is None else int.__repr__(request.seed)  # as the encoder writes it
            text = around[0] + seed + around[1]
            return f"{schema.name}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"
    return f"{schema.name}:{_digest(_material(request, schema, strategy, generator_material))}"


def _material(request: GenerationRequest, schema: Schema, strategy: str,
              generator_material: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        "schema": schema.key, "request": request.key_material(), "route": strategy,
        "generator": dict(generator_material or {}), "code": code_fingerprint(),
    }


_SEED_MARK = -(2**62) - 12345
"""A seed written into a shape's text to find where the seed goes (any seed would do; this one reads as a mark)."""
_AROUND_SEED: dict[tuple[Any, ...], tuple[str, str] | None] = {}
"""A request shape's material text before and after its seed (None: not split, the full path writes it)."""


def _around_seed(shape: tuple[Any, ...], request: GenerationRequest, schema: Schema,
                 strategy: str) -> tuple[str, str] | None:
    text = _KEY_JSON.encode(_material(request.replace(seed=_SEED_MARK), schema, strategy, None))
    mark = f'"seed":{_SEED_MARK},'
    # Inside a string a quote is escaped, so the mark can only be the seed's own entry; checked anyway.
    around = tuple(text.split(mark)) if text.count(mark) == 1 else None
    if len(_AROUND_SEED) >= 4096:  # shapes are few (entities x counts x variants...); never grows unbounded
        _AROUND_SEED.clear()
    _AROUND_SEED[shape] = (around[0] + '"seed":', "," + around[1]) if around is not None else None
    return _AROUND_SEED[shape]


def pool_key(request: GenerationRequest, schema: Schema) -> str:
    """The pool a request may draw from: same schema, constraints, locale and options, any count or seed.

    Hints, context and history flags only steer the router, and pools serve the traditional path only.
    """
    material = {
        "schema": schema.key, "entity": request.entity,
        "constraints": {k: v.as_dict() for k, v in sorted(request.constraints.items())},
        "locale": request.locale,
        "options": {k: v for k, v in sorted(request.options.items()) if not k.startswith("_")},
        "code": code_fingerprint(),
    }
    return f"{schema.name}:{_digest(material)}"
