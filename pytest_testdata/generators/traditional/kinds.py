"""Value kinds: what the field-name table (and ``x-gen``) names, and how a kind meets a field's constraints.

A :class:`Kind` is a named source of realistic values: string kinds have one or more *forms* (drawers, in
order of preference), number kinds a plausible range. :func:`kind_drawer` turns a kind into the drawer for
one field: without constraints, the first form; with a ``pattern``, ``minLength``/``maxLength``, a
``format`` or a caller's constraint, the first form whose values satisfy them (each form is tried on a few
values drawn at compile time), redrawn at run time when a value misses, and the field's generic drawer
when no form fits at all (a ``currency`` field with ``maxLength: 2`` gets generic strings of at most two
characters, never a value its schema rejects).

Users add kinds with :func:`register_kind` (or the ``pytest_testdata_register_value_kinds`` hook) and map
field names to any kind with :func:`map_field_names`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.frozen import Frozen
from pytest_testdata.generators.traditional import context_texts as ct
from pytest_testdata.generators.traditional import kind_values as kv
from pytest_testdata.generators.traditional.drawers import (
    NAMED_DRAWERS,
    Draw,
    RecordState,
    _address,
    _company,
    _email,
    _phone,
    _product_name,
    _sentence,
    _url,
    _uuid,
    _uuid_for,
    uuid_stream,
)
from pytest_testdata.generators.traditional.fastrand import below, pick
from pytest_testdata.generators.traditional.field_names import FieldName, add_field_names, remove_field_names
from pytest_testdata.types import FieldConstraint

SAMPLES = 24
"""Values of each form drawn at compile time to see whether the form can meet a field's constraints."""
REDRAWS = 24
"""Draws of a fitting form at run time before the field's generic drawer is used for that value."""


class NumberRange(Frozen):
    """A number kind: values ``typical`` most of the time, never outside ``plausible``.

    Subclasses shape the open range (no bounds) their own way, within ``typical``; given bounds, they draw as
    this class does, so a caller's bounds always hold."""

    __slots__ = ("plausible", "typical", "places")  # noqa: RUF023 (in field order: Frozen)

    plausible: tuple[float, float]
    typical: tuple[float, float]
    places: int
    """Decimal places of a ``number`` value (integers are whole)."""

    def __init__(self, plausible: tuple[float, float], typical: tuple[float, float], places: int = 0) -> None:
        setter = object.__setattr__
        setter(self, "plausible", plausible)
        setter(self, "typical", typical)
        setter(self, "places", places)

    def open(self, low: float | None, high: float | None) -> bool:
        """Whether bounds ``[low, high]`` (None: open) leave the typical range whole: a field bounded only by
        what its type says (a model's ``Float`` price is at least 0) is drawn as the kind's own values are."""
        return (low is None or low <= self.typical[0]) and (high is None or high >= self.typical[1])

    def drawer(self, low: float | None, high: float | None, integer: bool) -> Draw | None:
        """Values within ``[low, high]`` (None: open), or None when the kind has no plausible value there."""
        for lo, hi in (self.typical, self.plausible):
            lo = lo if low is None else max(lo, low)
            hi = hi if high is None else min(hi, high)
            if integer:
                lo, hi = math.ceil(lo), math.floor(hi)
            if lo <= hi:
                return _uniform(lo, hi, integer, self.places)
        return None


class Money(NumberRange):
    """Amounts as price lists write them: log-uniform (many small amounts, few large), half of them ending
    in .99, two decimals (whole numbers for an integer field, as amounts in cents are)."""

    __slots__ = ()

    def drawer(self, low: float | None, high: float | None, integer: bool) -> Draw | None:
        if not self.open(low, high):
            return super().drawer(low, high, integer)  # bounded: uniform within the bounds, as NumberRange
        lo, hi = self.typical
        log_lo, log_hi = math.log(lo), math.log(hi)
        exp, floor = math.exp, math.floor

        def draw(state: RecordState) -> float | int:
            value = exp(log_lo + (log_hi - log_lo) * state.rng.random())
            if integer:
                return int(value)
            ninety_nine = floor(value) + 0.99
            return ninety_nine if state.rng.random() < 0.5 and ninety_nine <= hi else round(value, 2)
        return draw


class Ratings(NumberRange):
    """Star ratings as shops see them: mostly fives and fours, few ones (a J-shaped curve); averages (a
    ``number`` field) between 3 and 5 with one decimal."""

    __slots__ = ()

    def drawer(self, low: float | None, high: float | None, integer: bool) -> Draw | None:
        if not self.open(low, high):
            return super().drawer(low, high, integer)
        if integer:
            stars = (5, 5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1, 1)
            return lambda s: pick(s.rng, stars)
        return lambda s: round(3.0 + 2.0 * s.rng.random(), 1)


class FewItems(NumberRange):
    """Quantities: most are one or two, a few up to the typical top (the drawer of a bounded ``quantity``
    field, an exponential tail, over the typical range)."""

    __slots__ = ()

    def drawer(self, low: float | None, high: float | None, integer: bool) -> Draw | None:
        from pytest_testdata.generators.traditional.drawers import _number_drawer

        if not self.open(low, high):
            return super().drawer(low, high, integer)
        lo, hi = self.typical
        return _number_drawer({"minimum": lo, "maximum": hi}, "quantity", None, True)


class Identifiers(NumberRange):
    """Integer record identifiers: uniform over ``typical`` where the range is open, in a stream of their own
    per entity and field, so the same seed gives a pet and an order different ids (as UUIDs are)."""

    __slots__ = ()

    def open(self, low: float | None, high: float | None) -> bool:
        """Only with no bound at all: a key bounded at all (a model's key is at least 1) is drawn by the field's
        own drawer, small numbers as a table's sequence gives them."""
        return low is None and high is None

    def named(self, name: str) -> Draw:
        """The open range's drawer for field ``name``."""
        lo, hi = int(self.typical[0]), int(self.typical[1])
        span = hi - lo + 1
        last: list[Any] = [None, 0]  # the entity last drawn for and its offset (one plan, one entity)

        def draw(state: RecordState) -> int:
            entity = state.entity
            if entity is not last[0]:
                last[0], last[1] = entity, uuid_stream(entity, name) % span
            return lo + (below(state.rng, span) + int(last[1])) % span
        return draw


def _uniform(lo: float, hi: float, integer: bool, places: int) -> Draw:
    if integer:
        ilo, ihi = int(lo), int(hi)
        return lambda s: ilo + int(s.rng.random() * (ihi - ilo + 1))

    def draw(state: RecordState) -> float:
        value = round(lo + (hi - lo) * state.rng.random(), places)
        return min(max(value, lo), hi)
    return draw


class Kind(Frozen):
    """A named kind of value: string forms, or a number range (or both, for coordinates)."""

    __slots__ = ("name", "forms", "numbers", "refines", "example", "builtin", "text_places", "open_range")  # noqa: RUF023 (in field order: Frozen)

    name: str
    forms: tuple[Draw, ...]
    numbers: NumberRange | None
    refines: frozenset[str]
    """Formats this kind's values satisfy and improve on (``birth_date`` is a better ``date``)."""
    example: str
    builtin: bool
    text_places: int
    """Decimal places when a number kind's value is written as a string."""
    open_range: bool
    """Serves number fields with no bounds, or a bound on one side that leaves the kind's typical range whole
    (:meth:`NumberRange.open`: a model's ``Float`` price is at least 0); within a range the field's own drawer
    is already realistic (skewed counts and quantities, log-uniform prices)."""

    def __init__(self, name: str, forms: tuple[Draw, ...] = (), numbers: NumberRange | None = None,
                 refines: frozenset[str] = frozenset(), example: str = "", builtin: bool = True,
                 text_places: int = 6, open_range: bool = False) -> None:
        setter = object.__setattr__
        setter(self, "name", name)
        setter(self, "forms", forms)
        setter(self, "numbers", numbers)
        setter(self, "refines", refines)
        setter(self, "example", example)
        setter(self, "builtin", builtin)
        setter(self, "text_places", text_places)
        setter(self, "open_range", open_range)


def _forms(*draws: Draw) -> tuple[Draw, ...]:
    return draws


_BUILTIN: tuple[Kind, ...] = (
    Kind("person.first_name", _forms(kv.first_name)),
    Kind("person.last_name", _forms(kv.last_name)),
    Kind("person.name", _forms(kv.person_name)),
    Kind("username", _forms(kv.username)),
    Kind("job_title", _forms(kv.job_title)),
    Kind("company", _forms(_company)),
    Kind("product.name", _forms(_product_name)),
    Kind("pet.name", _forms(ct.pet_name)),
    Kind("issue.title", _forms(ct.issue_title)),
    Kind("milestone.title", _forms(ct.milestone_title)),
    Kind("headline", _forms(ct.headline)),
    Kind("repo.name", _forms(ct.repo_name)),
    Kind("repo.full_name", _forms(ct.repo_full_name)),
    Kind("branch", _forms(ct.branch)),
    Kind("github.node_id", _forms(ct.github_node_id)),
    Kind("package_url", _forms(ct.package_url)),
    Kind("app.name", _forms(ct.app_name)),
    Kind("team.name", _forms(ct.team_name)),
    Kind("department.name", _forms(ct.department_name)),
    Kind("role.name", _forms(ct.role_name)),
    Kind("dish.name", _forms(ct.dish_name)),
    Kind("ingredient.name", _forms(ct.ingredient_name)),
    Kind("unit.name", _forms(ct.unit_name)),
    Kind("thing.name", _forms(ct.thing_name)),
    Kind("workflow.name", _forms(ct.workflow_name)),
    Kind("license.name", _forms(ct.license_name)),
    Kind("license.key", _forms(ct.license_key)),
    Kind("license.spdx_id", _forms(ct.license_spdx)),
    Kind("age", numbers=NumberRange((0, 120), (18, 80))),
    Kind("birth_date", _forms(kv.birth_date), refines=frozenset({"date"})),
    Kind("currency", _forms(kv.currency, lambda s: kv.currency(s).lower())),
    Kind("iban", _forms(kv.iban, kv.iban_grouped)),
    Kind("card.number", _forms(kv.card_number, kv.card_grouped)),
    Kind("card.last_four", _forms(kv.card_last_four)),
    Kind("timestamp", _forms(kv.timestamp, kv.date)),
    Kind("date", _forms(kv.date)),
    Kind("time", _forms(kv.time_with_offset, kv.time_plain, kv.time_short)),
    Kind("address.street", _forms(NAMED_DRAWERS["address.street"])),
    Kind("address.line2", _forms(kv.address_line2)),
    Kind("address.city", _forms(NAMED_DRAWERS["address.city"])),
    Kind("address.state", _forms(NAMED_DRAWERS["address.state"])),
    Kind("address.postal_code", _forms(NAMED_DRAWERS["address.postal_code"])),
    Kind("address.country", _forms(NAMED_DRAWERS["address.country"], kv.country_alpha3, kv.country_name)),
    Kind("latitude", numbers=NumberRange((-90, 90), (-60, 70), places=6)),
    Kind("longitude", numbers=NumberRange((-180, 180), (-180, 180), places=6)),
    Kind("timezone", _forms(kv.timezone)),
    Kind("language", _forms(kv.language)),
    Kind("locale", _forms(kv.locale_bcp47, kv.locale_posix, kv.language)),
    Kind("email", _forms(_email)),
    Kind("phone", _forms(_phone, NAMED_DRAWERS["phone.e164"], NAMED_DRAWERS["phone.national"])),
    Kind("url", _forms(_url)),
    Kind("domain", _forms(kv.domain), refines=frozenset({"hostname", "idn-hostname"})),
    Kind("ip", _forms(kv.ip, kv.ipv4)),
    Kind("ipv4", _forms(kv.ipv4), refines=frozenset({"ipv4"})),
    Kind("ipv6", _forms(kv.ipv6), refines=frozenset({"ipv6"})),
    Kind("mac_address", _forms(kv.mac_address)),
    Kind("user_agent", _forms(kv.user_agent)),
    Kind("slug", _forms(kv.slug)),
    Kind("version", _forms(kv.version, kv.version_v)),
    Kind("file.name", _forms(kv.file_name)),
    Kind("file.path", _forms(kv.file_path)),
    Kind("mime_type", _forms(kv.mime_type)),
    Kind("hash.sha1", _forms(kv.hex_digest(40))),
    Kind("hash.sha256", _forms(kv.hex_digest(64))),
    Kind("hash.md5", _forms(kv.hex_digest(32))),
    Kind("uuid", _forms(_uuid)),
    Kind("identifier", numbers=Identifiers((1, 2**31 - 1), (1, 999_999)), open_range=True),
    Kind("password", _forms(kv.password)),
    Kind("token", _forms(kv.token)),
    Kind("year", numbers=NumberRange((1900, 2100), (1990, 2026))),
    # Seconds since 1970: 2020 to 2026 where the range is open, never before 1970 or after 2100.
    Kind("unix_time", numbers=NumberRange((0, 4_102_444_800), (1_577_836_800, 1_798_761_600))),
    Kind("percent", numbers=NumberRange((0, 100), (0, 100), places=1)),
    Kind("port", numbers=NumberRange((1, 65535), (1024, 49151))),
    Kind("status", _forms(kv.status)),
    Kind("programming_language", _forms(kv.programming_language)),
    Kind("colour", _forms(kv.hex_colour, kv.hex_colour_bare, kv.colour_name)),
    Kind("sentence", _forms(_sentence)),
    # Number kinds for fields whose schema leaves the range open (see :attr:`Kind.open_range`).
    Kind("money", numbers=Money((0, 1_000_000), (1, 500), places=2), text_places=2, open_range=True),
    Kind("quantity", numbers=FewItems((0, 10_000), (1, 10)), open_range=True),
    Kind("rating", numbers=Ratings((0, 10), (1, 5), places=1), text_places=1, open_range=True),
    Kind("weight", numbers=NumberRange((0, 100_000), (0.1, 30), places=2), text_places=2, open_range=True),
    Kind("sku", _forms(NAMED_DRAWERS["sku"], kv.code_compact)),
    Kind("code", _forms(kv.code, kv.code_compact)),
    Kind("promo_code", _forms(kv.promo_code, kv.code_compact)),
    Kind("reference", _forms(kv.reference, kv.code_compact)),
    Kind("house_number", _forms(kv.house_number)),
    Kind("category", _forms(kv.category, kv.category_title)),
    Kind("tag", _forms(kv.tag)),
    Kind("country_name", _forms(kv.country_name)),
)
KINDS: dict[str, Kind] = {k.name: k for k in _BUILTIN}
"""Every kind by name: the built-in ones and those a user registered."""
OBJECT_KINDS: dict[str, Draw] = {"address": _address}
"""Kinds of whole objects (``x-gen: "address"``)."""


def kind_names() -> list[str]:
    """The names ``x-gen`` accepts for a kind (sorted)."""
    return sorted(KINDS)


# -- fitting a kind to a field ---------------------------------------------------------------------------------


def _string_check(node: Mapping[str, Any], constraint: FieldConstraint | None) -> Callable[[Any], bool] | None:
    """A check of the field's string constraints, or None when it has none."""
    lo = node.get("minLength")
    hi = node.get("maxLength")
    patterns = [str(node["pattern"])] if isinstance(node.get("pattern"), str) else []
    if constraint is not None:
        lo = constraint.min_length if constraint.min_length is not None else lo
        hi = constraint.max_length if constraint.max_length is not None else hi
        if constraint.regex:
            patterns.append(constraint.regex)
    regexes = []
    if patterns:
        from pytest_testdata.quality.regex import compile_user_regex

        regexes = [compile_user_regex(p, "pattern") for p in patterns]
    fmt = node.get("format")
    format_ok = _format_check(fmt) if isinstance(fmt, str) else None
    if lo is None and hi is None and not regexes and format_ok is None:
        return None

    # Each pattern's ``test``: the truth of its ``search`` (re's own fullmatch where that is the same answer,
    # as the validator's acceptor asks it); a drawn card's last four digits are checked on every draw.
    tests = [r.test or r.search for r in regexes]

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
            return False
        for test in tests:
            if not test(value):
                return False
        return format_ok is None or bool(format_ok(value))
    return check


@lru_cache(maxsize=128)
def _format_check(fmt: str) -> Callable[[Any], bool]:
    """``jsonschema``'s check of one format (a validator of ``{"format": fmt}``, built once per format)."""
    from pytest_testdata.quality.standard import subschema_check

    return subschema_check({"format": fmt})


def _sample_state(seed: str) -> RecordState:
    return RecordState(random.Random(seed), "US")


def _fit_forms(forms: Sequence[Draw], check: Callable[[Any], bool], seed: str) -> tuple[Draw, bool] | None:
    """The first form whose sampled values all pass (no run-time check needed), else the form passing most
    often (with a check), else None."""
    best: tuple[int, Draw] | None = None
    for form in forms:
        state = _sample_state(seed)
        passed = 0
        for _ in range(SAMPLES):
            state.record, state.place, state.place_used = {}, None, False
            passed += bool(check(form(state)))
        if passed == SAMPLES:
            return form, True
        if passed and (best is None or passed > best[0]):
            best = (passed, form)
    return (best[1], False) if best is not None else None


def _made_to_pass(form: Draw, node: Mapping[str, Any], constraint: FieldConstraint | None) -> bool:
    """Whether every value of ``form`` passes the check :func:`_string_check` makes of the field, by what the
    form says each value is (its ``makes_value``, read as :func:`~.vouch.implies` reads it): a card's last
    four digits drawn for ``^[0-9]{4}$`` need no test of each value. Without a tag, with a caller's
    constraint, or with anything the tag does not say: no (the value is checked)."""
    tag = getattr(form, "makes_value", None)
    if tag is None or constraint is not None:
        return False
    from pytest_testdata.generators.traditional.vouch import implies

    checked = {key: node[key] for key in ("minLength", "maxLength", "pattern", "format") if key in node}
    return implies(tag, {"type": "string", **checked})


def _with_fallback(form: Draw, check: Callable[[Any], bool], fallback: Draw) -> Draw:
    def draw(state: RecordState) -> Any:
        for _ in range(REDRAWS):
            value = form(state)
            if check(value):
                return value
        return fallback(state)
    return draw


def _bounds(node: Mapping[str, Any], constraint: FieldConstraint | None) -> tuple[float | None, float | None]:
    low, high = node.get("minimum"), node.get("maximum")
    ex_lo, ex_hi = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if isinstance(ex_lo, (int, float)) and not isinstance(ex_lo, bool):
        low = ex_lo + 1e-6 if low is None or ex_lo >= low else low
    if isinstance(ex_hi, (int, float)) and not isinstance(ex_hi, bool):
        high = ex_hi - 1e-6 if high is None or ex_hi <= high else high
    if constraint is not None:
        if constraint.minimum is not None:
            low = constraint.minimum if low is None else max(low, constraint.minimum)
        if constraint.maximum is not None:
            high = constraint.maximum if high is None else min(high, constraint.maximum)
    return low, high


def kind_drawer(kind: Kind, node: Mapping[str, Any], name: str, constraint: FieldConstraint | None,
                json_type: str, fallback: Draw | None = None) -> Draw | None:
    """The drawer of ``kind`` for a field of ``json_type``, meeting the field's constraints; None when the
    kind cannot (the caller uses its generic drawer)."""
    if json_type in ("integer", "number"):
        if kind.numbers is None or node.get("multipleOf") is not None:
            return None
        low, high = _bounds(node, constraint)
        if kind.open_range and ((low is not None and high is not None) or not kind.numbers.open(low, high)):
            return None
        if isinstance(kind.numbers, Identifiers) and json_type == "integer":
            return kind.numbers.named(name)
        return kind.numbers.drawer(low, high, json_type == "integer")
    if json_type != "string":
        return None
    forms = kind.forms
    if not forms and kind.numbers is not None:
        number = kind.numbers.drawer(None, None, False)
        places = kind.text_places
        forms = (kv.as_text(number, lambda v: f"{v:.{places}f}"),) if number is not None else ()
    # Kinds whose values follow the field's own name: its UUID stream, its reference prefix (``INV-``).
    forms = tuple(_uuid_for(name) if f is _uuid else kv.reference_for(name) if f is kv.reference else f
                  for f in forms)
    if not forms:
        return None
    check = _string_check(node, constraint)
    if check is None:
        return forms[0]
    fitted = _fit_forms(forms, check, f"{kind.name}\x1f{name}")
    if fitted is None:
        return None
    form, always = fitted
    if always:
        if fallback is None or _made_to_pass(form, node, constraint):
            return form
        return _with_fallback(form, check, fallback)
    return _with_fallback(form, check, fallback) if fallback is not None else None


# -- the user's kinds ------------------------------------------------------------------------------------------


def register_kind(name: str, draw: Callable[[random.Random], Any] | None = None, *,
                  values: Sequence[Any] | None = None, field_names: Iterable[str] = (),
                  parents: Iterable[str] = (), siblings: Iterable[str] = (), types: Iterable[str] = ("string",),
                  example: str = "") -> Kind:
    """Add a kind of value (or replace one): ``draw(rng)`` returns one value from the seeded
    ``random.Random`` it is given, or ``values`` lists them. ``field_names`` (patterns such as
    ``ticketId`` or ``*_ticket``, any spelling) map fields to it, in ``parents`` if given (words of the
    parent object's name) or beside ``siblings``; ``x-gen: <name>`` names it on any field."""
    if not isinstance(name, str) or not name or any(ch.isspace() for ch in name):
        raise TestdataUsageError(f"register_kind: the kind name {name!r} must be a non-empty word such as "
                                 "'ticket_id' or 'acme.sku'.")
    if (draw is None) == (values is None):
        raise TestdataUsageError(f"register_kind({name!r}): give either draw=(a function of a random.Random) "
                                 "or values=(a list of values), exactly one of them.")
    if values is not None:
        choices = tuple(values)
        if not choices:
            raise TestdataUsageError(f"register_kind({name!r}): values is empty; give at least one value.")

        def from_values(state: RecordState) -> Any:
            return pick(state.rng, choices)
        form: Draw = from_values
    else:
        if not callable(draw):
            raise TestdataUsageError(f"register_kind({name!r}): draw must be callable as draw(rng), got {draw!r}.")
        user = draw

        def from_draw(state: RecordState) -> Any:
            return user(state.rng)
        form = from_draw
    type_list = tuple(types)
    numeric = {"integer", "number"} & set(type_list)
    if numeric and "string" not in type_list:
        raise TestdataUsageError(f"register_kind({name!r}): a kind of your own holds strings (types=('string',)); "
                                 "map number fields with map_field_names to a built-in number kind instead.")
    kind = Kind(name, (form,), builtin=False, example=example)
    KINDS[name] = kind
    if field_names:
        map_field_names(name, field_names, parents=parents, siblings=siblings, types=type_list, example=example)
    _plans_changed()
    return kind


def map_field_names(kind: str, field_names: Iterable[str], *, parents: Iterable[str] = (),
                    siblings: Iterable[str] = (), types: Iterable[str] = ("string",), example: str = "") -> None:
    """Give fields named like ``field_names`` (in ``parents``, or beside ``siblings``) values of ``kind``,
    before the built-in rows of the table."""
    if kind not in KINDS:
        raise TestdataUsageError(f"map_field_names: unknown kind {kind!r}. Known kinds: {', '.join(kind_names())}; "
                                 "or register it first with register_kind.")
    from pytest_testdata.generators.traditional.field_names import parent_words, snake_pattern

    names = tuple(snake_pattern(n) for n in field_names)
    if not names or not all(names):
        raise TestdataUsageError(f"map_field_names({kind!r}): give at least one field name pattern, such as "
                                 "'ticketId' or '*_ticket'.")
    words = frozenset(w for p in parents for w in parent_words(p)[:1])
    add_field_names([FieldName(kind, names, words, tuple(snake_pattern(s) for s in siblings), tuple(types),
                               example)])
    _plans_changed()


def unregister_kind(name: str) -> None:
    """Remove a kind a user registered (and the field names mapped to it); built-in kinds stay."""
    found = KINDS.get(name)
    if found is not None and not found.builtin:
        del KINDS[name]
    remove_field_names([name])
    _plans_changed()


class ValueKinds:
    """What ``pytest_testdata_register_value_kinds`` receives: :func:`register_kind` and
    :func:`map_field_names`, remembered so that the session can take them back when it ends."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    def register(self, name: str, draw: Callable[[random.Random], Any] | None = None, *,
                 values: Sequence[Any] | None = None, field_names: Iterable[str] = (), parents: Iterable[str] = (),
                 siblings: Iterable[str] = (), types: Iterable[str] = ("string",), example: str = "") -> Kind:
        """:func:`register_kind`."""
        kind = register_kind(name, draw, values=values, field_names=field_names, parents=parents,
                             siblings=siblings, types=types, example=example)
        self.kinds.append(name)
        return kind

    def map(self, kind: str, field_names: Iterable[str], *, parents: Iterable[str] = (),
            siblings: Iterable[str] = (), types: Iterable[str] = ("string",)) -> None:
        """:func:`map_field_names`."""
        map_field_names(kind, field_names, parents=parents, siblings=siblings, types=types)
        self.kinds.append(kind)

    def undo(self) -> None:
        """Remove every kind and mapping made through this object."""
        for name in reversed(self.kinds):
            unregister_kind(name)
        self.kinds.clear()


def _plans_changed() -> None:
    """Compiled plans hold drawers chosen from the table: forget them when it changes."""
    from pytest_testdata.generators.traditional import plan

    plan._cached_plan.cache_clear()
    plan.forget_object_drawers()


__all__ = ["KINDS", "OBJECT_KINDS", "Kind", "NumberRange", "ValueKinds", "kind_drawer", "kind_names",
           "map_field_names", "register_kind", "unregister_kind"]
