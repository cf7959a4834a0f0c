"""The LLM strategy: records written by a language model, checked, repaired, and backed by fallbacks.

For each chunk of at most ``llm_batch_size`` records:

1. ask the first working provider of the chain (Claude -> OpenAI-compatible -> local) for the records,
   constrained by the entity's JSON Schema; an answer cut at the token limit keeps its complete records and
   one follow-up request asks for the rest;
2. parse, validate (schema + the caller's constraints) and score (coherence rules) every record;
3. send the records with problems through the repair template (``llm_repair_attempts`` rounds), keeping a
   repaired record only when it is better than the original;
4. give every record that is still invalid or missing to the traditional strategy.

A provider that is down (timeouts, refused connections, 5xx/429 past the retries, rejected requests) hands
its chunk to the next one; with none left the chunk falls back to traditional. Every step is counted in
the result's ``details`` (requests, tokens, repaired, fallback, cassette hits) and a fallback warns.
"""

from __future__ import annotations

import contextlib
import random
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_testdata.errors import GenerationError
from pytest_testdata.errors import LLMFallbackWarning as LLMFallbackWarning  # re-exported (errors.py)
from pytest_testdata.generators.base import GeneratorBase, GeneratorOutput
from pytest_testdata.generators.host import fallback_to_traditional, traditional_records, warn
from pytest_testdata.llm import prompts, providers
from pytest_testdata.llm.availability import NO_PROVIDER as NO_PROVIDER  # re-exported
from pytest_testdata.llm.base import LLMCall, LLMReply, Provider, ProviderError
from pytest_testdata.llm.structured import (
    answer_schema,
    assign_ids,
    deep_copy,
    parse_records,
    record_schema,
    uuid_paths,
)
from pytest_testdata.quality.coherence import scorer_for
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.recording.keys import CALL_HEADER, digest, inputs_header
from pytest_testdata.schemas.model import Schema
from pytest_testdata.seeding import derive_seed
from pytest_testdata.types import GenerationRequest, Record, coverage_of

if TYPE_CHECKING:
    from pytest_testdata.generators.host import GeneratorHost
    from pytest_testdata.recording.cassettes import TestCassette

FOLLOW_UPS = 1
"""Extra requests for the records a cut or short answer left out, before they fall back."""


class LLMGenerator(GeneratorBase):
    """The ``llm`` strategy (registered in :data:`pytest_testdata.generators.base.GENERATORS`)."""

    name = "llm"

    def __init__(self, host: GeneratorHost) -> None:
        self.host = host
        self._providers: dict[tuple[str, str | None], Provider] = {}
        self._lock = threading.Lock()

    # -- availability -------------------------------------------------------------------------------------
    def unavailable_reason(self) -> str | None:
        """Why ``auto`` should not route here (None when a provider is configured)."""
        if providers.setting(self.host.options, "llm_provider") == "none":
            return "llm_provider is 'none'"
        return None if providers.chain_names(self.host.options) else NO_PROVIDER

    def cache_key_material(self, request: GenerationRequest) -> dict[str, Any]:
        """What besides the request decides the output (the engine's result cache adds it to the key):
        the provider chain and models, the prompt template versions and the sampling settings."""
        options = self.host.options
        setting = providers.setting
        names = providers.chain_names(options, request.options.get("provider"))
        models = {
            "anthropic": setting(options, "claude_model"),
            "openai": setting(options, "vllm_model"),
            "local": setting(options, "local_model"),
        }
        return {
            "providers": [[name, request.options.get("model") or models.get(name, name)] for name in names],
            "templates": [prompts.template(name).id for name in prompts.TEMPLATES],
            "settings": {
                name: setting(options, name)
                for name in (
                    "claude_max_tokens",
                    "claude_temperature",
                    "llm_max_tokens",
                    "llm_temperature",
                    "llm_batch_size",
                    "llm_repair_attempts",
                    "response_format",
                )
            },
        }

    def provider(self, name: str, model: str | None = None) -> Provider:
        """The provider ``name`` (built once per model)."""
        with self._lock:
            key = (name, model)
            if key not in self._providers:
                self._providers[key] = providers.build(name, self.host.options, model)
            return self._providers[key]

    # -- generation ---------------------------------------------------------------------------------------
    def generate(self, request: GenerationRequest, schema: Schema, seed: int) -> GeneratorOutput:
        options = self.host.options
        # A remote-mode request says whether its test runs offline (the agent's own setting may not).
        offline = bool(providers.setting(options, "offline")) or bool(request.options.get("_offline"))
        strict = bool(providers.setting(options, "llm_strict"))
        names = providers.chain_names(options, request.options.get("provider"))
        if not names:
            why = (
                "llm_provider is 'none'"
                if providers.setting(options, "llm_provider") == "none" and not request.options.get("provider")
                else NO_PROVIDER
            )
            if offline or strict:
                flag = "--testdata-offline" if offline else "--testdata-llm-strict"
                raise GenerationError(
                    f"strategy 'llm' for {schema.name!r}: {why}. Under {flag} the LLM strategy does not fall "
                    "back to traditional. Configure a provider (and record a cassette), or ask for "
                    "strategy='traditional'."
                )
            return self._all_fallback(request, schema, seed, why, {})
        cassette = self._cassette(request, offline)
        run = _Run(self, request, schema, seed, cassette)
        if cassette is not None:
            run.call = cassette.occurrence(_identity(request, schema))
        hits_before = (cassette.hits, cassette.recorded) if cassette else (0, 0)
        chunk_size = max(1, int(providers.setting(options, "llm_batch_size")))
        records: list[Record] = []
        with contextlib.ExitStack() as stack:
            if cassette is not None:
                from pytest_testdata.recording.cassettes import BOOK

                # One patching for the whole request (vcrpy's setup costs more than a replayed exchange);
                # alone (the gate and the lock) because vcrpy patches process-wide.
                stack.enter_context(BOOK.gate.exclusive())
                stack.enter_context(BOOK.lock)
                stack.enter_context(cassette.use())
            elif "pytest_testdata.recording.cassettes" in sys.modules:
                # Cassettes are in use in this process (a test's, or a remote caller's on the agent): this
                # live call waits until none has vcrpy's patches in place.
                stack.enter_context(sys.modules["pytest_testdata.recording.cassettes"].BOOK.gate.shared())
            for index, start in enumerate(range(0, request.count, chunk_size)):
                n = min(chunk_size, request.count - start)
                records += run.chunk(names, index, n)
        if cassette is not None:
            run.details["cassette_hits"] = cassette.hits - hits_before[0]
            run.details["cassette_recorded"] = cassette.recorded - hits_before[1]
        return run.output(records, strict)

    def skips_cache_lookup(self, request: GenerationRequest) -> bool:
        """True while recording (a cached result would leave the test's cassette unrecorded), and for a
        cassette a remote-mode request carried (the agent's shared cache may hold what another caller's
        cassette or a live call made: the test's own cassette decides)."""
        if request.options.get("_cassette_remote"):
            return True
        return bool(request.options.get("_cassette")) and self._record_mode(request) != "none"

    def _record_mode(self, request: GenerationRequest) -> str:
        return str(request.options.get("_record_mode") or providers.setting(self.host.options, "record_mode"))

    def _cassette(self, request: GenerationRequest, offline: bool) -> TestCassette | None:
        raw = request.options.get("_cassette")
        if raw is None:
            if offline:
                from pytest_testdata.recording.cassettes import CassetteMissingError

                raise CassetteMissingError(
                    "offline (--testdata-offline / TESTDATA_OFFLINE) and this call has no cassette "
                    "(cassettes belong to tests; outside pytest there is none): the LLM strategy will not "
                    "reach the network. "
                    "Drop the offline setting, or use strategy='traditional'."
                )
            return None
        from pytest_testdata.recording.cassettes import BOOK

        return BOOK.open(Path(raw), self._record_mode(request), offline, request.options.get("_test"),
                         request.options.get("_cassette_config"))

    def _all_fallback(
        self, request: GenerationRequest, schema: Schema, seed: int, why: str, details: dict[str, Any]
    ) -> GeneratorOutput:
        return fallback_to_traditional(self.host, request, schema, seed, strategy="llm", why=why, details=details,
                                       warning=LLMFallbackWarning, all_records=True)

    def traditional(self, request: GenerationRequest, schema: Schema, count: int, seed: int) -> list[Record]:
        """``count`` records from the traditional strategy (the per-record fallback)."""
        return traditional_records(self.host, request, schema, count, seed)


class _Run:
    """The state of one request: counters, the providers found down, the provider that answered."""

    def __init__(
        self,
        owner: LLMGenerator,
        request: GenerationRequest,
        schema: Schema,
        seed: int,
        cassette: TestCassette | None,
    ) -> None:
        self.owner = owner
        self.request = request
        self.schema = schema
        self.seed = seed
        self.cassette = cassette
        self.call = 0
        """Which occurrence of this generation in the test (matched in the cassette)."""
        self.chunk_index = 0
        self.record_schema = record_schema(schema, request.constraints)
        self.id_paths = uuid_paths(schema)
        self.validator = validator_for(schema, request.constraints)
        self.scorer = scorer_for(schema)
        self.down: dict[str, str] = {}
        self.used: Provider | None = None
        self.template = ""
        self.problems: list[str] = []
        self.details: dict[str, Any] = {
            "model_requests": 0,
            "tokens_in": 0,
            "tokens_out": 0,
            "tokens": 0,
            "repaired": 0,
            "fallback": 0,
            "provider_errors": 0,
        }

    # one chunk -------------------------------------------------------------------------------------------
    def chunk(self, names: list[str], index: int, n: int) -> list[Record]:
        chunk_seed = derive_seed(self.seed, "chunk", index)
        self.chunk_index = index
        for name in names:
            if name in self.down:
                continue
            try:
                provider = self.owner.provider(name, self.request.options.get("model"))
                got = self._generate(provider, chunk_seed, n)
            except ProviderError as exc:
                self.down[name] = str(exc)
                self.details["provider_errors"] += 1
                continue
            except ImportError as exc:  # a provider's optional package is missing
                self.down[name] = str(exc)
                continue
            self.used = self.used or provider
            missing = [i for i, r in enumerate(got) if r is None]
            if missing:
                extra = self.owner.traditional(
                    self.request, self.schema, len(missing), derive_seed(chunk_seed, "fallback")
                )
                for i, record in zip(missing, extra, strict=True):
                    got[i] = record
                self.details["fallback"] += len(missing)
            return [r for r in got if r is not None]
        self.details["fallback"] += n
        return self.owner.traditional(self.request, self.schema, n, derive_seed(chunk_seed, "fallback"))

    def _generate(self, provider: Provider, chunk_seed: int, n: int) -> list[Record | None]:
        collected: list[Record] = []
        for attempt in range(1 + FOLLOW_UPS):
            need = n - len(collected)
            if need <= 0:
                break
            prompt = self._prompt(need)
            reply = self._send(provider, prompt, ("attempt", attempt), need)
            found, problem = parse_records(reply.data, reply.text)
            if reply.truncated:
                problem = f"answer cut at the token limit after {len(found)} complete record(s)"
            if problem:
                self.problems.append(problem)
            collected += [r for r in found if isinstance(r, dict)][:need]
        records: list[Record] = []
        for i, record in enumerate(collected):
            assign_ids(record, self.id_paths, random.Random(derive_seed(chunk_seed, "ids", i)))
            records.append(record)
        repaired = self._repair(provider, chunk_seed, records)
        out: list[Record | None] = [r if not self.validator.validate([r]) else None for r in repaired]
        return out + [None] * (n - len(out))

    def _repair(self, provider: Provider, chunk_seed: int, records: list[Record]) -> list[Record]:
        attempts = max(0, int(providers.setting(self.owner.host.options, "llm_repair_attempts")))
        for round_ in range(attempts):
            bad = [(i, self._problems(r)) for i, r in enumerate(records)]
            bad = [(i, p) for i, p in bad if p]
            if not bad:
                break
            shown = [(self._without_ids(records[i]), problems) for i, problems in bad]
            prompt = prompts.repair_prompt(
                self.schema, shown, constraints=self.request.constraints, record_schema=self.record_schema
            )
            reply = self._send(provider, prompt, ("repair", round_), len(bad))
            fixed, problem = parse_records(reply.data, reply.text)
            if problem:
                self.problems.append(f"repair: {problem}")
            for (i, _), candidate in zip(bad, fixed, strict=False):  # a short answer repairs fewer
                if not isinstance(candidate, dict):
                    continue
                assign_ids(candidate, self.id_paths, random.Random(derive_seed(chunk_seed, "ids", i)))
                if self._rank(candidate) < self._rank(records[i]):
                    records[i] = candidate
                    self.details["repaired"] += not self._problems(candidate)
        return records

    # helpers ---------------------------------------------------------------------------------------------
    def _prompt(self, count: int) -> prompts.Prompt:
        examples = self.request.options.get("patterns")
        if examples:
            return prompts.pattern_guided_prompt(
                self.schema,
                count,
                list(examples),
                constraints=self.request.constraints,
                record_schema=self.record_schema,
                context=self.request.context,
            )
        return prompts.generation_prompt(
            self.schema,
            count,
            constraints=self.request.constraints,
            record_schema=self.record_schema,
            context=self.request.context,
            edge_cases="edge_cases" in self.request.hints,
            coverage=coverage_of(self.request.options, self.request.hints),
        )

    def _send(self, provider: Provider, prompt: prompts.Prompt, step: tuple[str, int], count: int) -> LLMReply:
        if not prompt.template.startswith("repair"):
            self.template = prompt.template
        answer = answer_schema(self.record_schema, count)
        # The model's sampling seed comes from what the model sees (and which chunk and step this is), never
        # from the session seed: the request body, and so the cassette, is the same on every run.
        seed = derive_seed("model", digest([prompt.system, prompt.user, answer]), self.chunk_index, *step)
        header = inputs_header(
            schema=self.schema.key,
            template=prompt.template,
            provider=provider.name,
            model=provider.model,
            count=count,
            context=self.request.context,
            constraints={k: v.as_dict() for k, v in sorted(self.request.constraints.items())},
        )
        call = LLMCall(
            system=prompt.system,
            user=prompt.user,
            schema=answer,
            seed=seed,
            headers={"x-testdata-inputs": header, CALL_HEADER: str(self.call)},
            scope=self.cassette.scope if self.cassette else "",
            cassette=self.cassette,
        )
        reply = provider.complete(call)  # inside the cassette's HTTP patches when there is a cassette
        self.details["model_requests"] += 1
        self.details["tokens_in"] += reply.input_tokens
        self.details["tokens_out"] += reply.output_tokens
        self.details["tokens"] += reply.input_tokens + reply.output_tokens
        return reply

    def _problems(self, record: Record) -> list[str]:
        found = [f"{v.field}: {v.message}" for v in self.validator.validate([record])]
        return found + [f"breaks the rule: {rule}" for rule in self.scorer.failed_rules(record)]

    def _rank(self, record: Record) -> tuple[int, int]:
        return len(self.validator.validate([record])), len(self.scorer.failed_rules(record))

    def _without_ids(self, record: Record) -> Record:
        copy = deep_copy(record)
        for path in self.id_paths:
            _drop(copy, path.split("."))
        return copy

    # result ----------------------------------------------------------------------------------------------
    def output(self, records: list[Record], strict: bool) -> GeneratorOutput:
        details = dict(self.details)
        details["template"] = self.template
        if self.problems:
            details["output_problems"] = self.problems
        reasons = [f"{name} unavailable: {why}" for name, why in self.down.items()]
        if reasons:
            details["fallback_reasons"] = reasons
        count = len(records)
        if self.used is None:
            message = (
                f"strategy 'llm' for {self.schema.name!r}: every provider failed ({'; '.join(reasons)}); "
                f"fell back to traditional for all {count} records"
            )
            if strict:
                raise GenerationError(message + ". --testdata-llm-strict forbids the fallback.")
            warn(self.request, LLMFallbackWarning(message), details, stacklevel=3)
            return GeneratorOutput(records, reason=message, strategy="traditional", details=details)
        reason = None
        if reasons:
            reason = f"{'; '.join(reasons)}; {self.used.name} answered instead"
            warn(self.request, LLMFallbackWarning(f"strategy 'llm' for {self.schema.name!r}: {reason}"), details,
                 stacklevel=3)
        if count and details["fallback"] >= count:
            # The model answered, but not one of its records survived validation and repair: every record
            # came from the traditional strategy, and the metadata says so.
            why = "; ".join(self.problems[-3:]) or "its records were invalid after repair"
            message = (
                f"strategy 'llm' for {self.schema.name!r}: {self.used.name}:{self.used.model} answered, but every "
                f"one of the {count} records was invalid or missing after repair ({why}); fell back to "
                f"traditional for all {count} records"
            )
            if strict:
                raise GenerationError(message + ". --testdata-llm-strict forbids the fallback.")
            warn(self.request, LLMFallbackWarning(message), details, stacklevel=3)
            details["fallback_reasons"] = [*reasons, message]
            return GeneratorOutput(records, reason=message, strategy="traditional", provider=self.used.name,
                                   model=self.used.model,
                                   cassette=str(self.cassette.path) if self.cassette else None, details=details)
        if details["fallback"]:
            note = (
                f"{details['fallback']} of {count} records fell back to traditional (invalid or missing after repair)"
            )
            reason = f"{reason}; {note}" if reason else f"llm ({self.used.name}:{self.used.model}); {note}"
            details["fallback_note"] = note
        return GeneratorOutput(
            records,
            reason=reason,
            provider=self.used.name,
            model=self.used.model,
            cassette=str(self.cassette.path) if self.cassette else None,
            details=details,
        )


def _identity(request: GenerationRequest, schema: Schema) -> str:
    """What makes two generations of a test the same one (everything the model sees; not the seed)."""
    material = request.key_material()
    material.pop("seed", None)
    return digest([schema.key, material])


def _drop(node: Any, parts: list[str]) -> None:
    if not isinstance(node, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    if not rest:
        node.pop(head, None)
    elif rest[0] == "*":
        for item in node.get(head) or []:
            _drop(item, rest[1:])
    else:
        _drop(node.get(head), rest)
