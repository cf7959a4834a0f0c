"""User-supplied regular expressions, made safe: checked against a budget, matched in linear time.

A caller's ``regex`` constraint and a user schema's ``pattern`` are untrusted input: with Python's
backtracking ``re`` a 40-character pattern such as ``^(([a-z0-9._@]|[a-z0-9._@])*)*!$`` runs for
longer than the universe on a 30-character value while holding the interpreter lock. Every user
pattern therefore goes through :func:`compile_user_regex`, which

1. checks the pattern against the budget below *before any work starts* (Python's parser, which is
   linear, gives the structure);
2. compiles it with RE2 (the ``google-re2`` binding), whose matching time is linear in the length of
   the text whatever the pattern;
3. generates values from it with a bounded generator (rstr's, with repetition capped).

The budget (:data:`BUDGET`), documented in docs/usage.md:

- at most ``MAX_PATTERN_CHARS`` characters;
- every counted repetition ``{n}``, ``{n,m}`` at most ``MAX_REPEAT``, and nested counted repetitions
  multiply to at most ``MAX_REPEAT`` (``((a{10}){10}){10}`` is fine, ``((a{100}){100}){100}`` is not);
- a generated value is at most ``MAX_GENERATED_CHARS`` long (``*``, ``+`` and ``{n,}`` draw at most
  ``max(n, STAR_LIMIT)`` repetitions, ``max(n, NESTED_STAR_LIMIT)`` inside another repetition).

Patterns use the syntax both engines share. Refused, each with its own message: lookarounds
(``(?=``, ``(?!``, ``(?<=``, ``(?<!``), backreferences (``\\1``, ``(?P=name)``), conditionals, atomic
groups, possessive quantifiers, the ``x``/``a``/``L`` flags, POSIX classes (``[[:alpha:]]``) and
``{,n}`` (write ``{0,n}``). Matching follows RE2: ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII and
``$`` matches only at the very end of the value.
"""

from __future__ import annotations

import functools
import random
import re
import string
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_testdata.errors import RegexRefused as RegexRefused  # re-exported; its home is errors.py
from pytest_testdata.quality.linear import linear_matcher, newline_free_test

if sys.version_info >= (3, 11):
    from re import _parser  # the parser re itself uses (linear time); rstr walks the same tree
else:  # pragma: no cover - Python 3.10
    import sre_parse as _parser

MAX_PATTERN_CHARS = 1000
MAX_REPEAT = 1000
MAX_GENERATED_CHARS = 10_000
STAR_LIMIT = 100
"""Most repetitions a generated value draws for ``*`` and ``+`` (as rstr does)..."""
NESTED_STAR_LIMIT = 10
"""...and for a ``*`` or ``+`` inside another repetition (``([a-z]+\\.)*``), so nesting stays small."""
RE2_MAX_MEM = 8 << 20
BUDGET = (f"at most {MAX_PATTERN_CHARS} characters; each {{n,m}} count at most {MAX_REPEAT}, and nested "
          f"counts multiplying to at most {MAX_REPEAT}; generated values at most {MAX_GENERATED_CHARS:,} "
          f"characters, with * and + drawing up to {STAR_LIMIT} repetitions ({NESTED_STAR_LIMIT} when nested)")
SHOWN_CHARS = 80

_REFUSED_OPS = {
    "ASSERT": "lookarounds ((?=...), (?<=...)) are not supported",
    "ASSERT_NOT": "negative lookarounds ((?!...), (?<!...)) are not supported",
    "GROUPREF": "backreferences (\\1, (?P=name)) are not supported",
    "GROUPREF_EXISTS": "conditional groups ((?(1)...)) are not supported",
    "ATOMIC_GROUP": "atomic groups ((?>...)) are not supported",
    "POSSESSIVE_REPEAT": "possessive quantifiers (*+, ++, ?+) are not supported",
}
_REFUSED_FLAGS = {re.VERBOSE: "x (verbose)", re.ASCII: "a (ASCII)", re.LOCALE: "L (locale)"}
_EMPTY_LOWER = re.compile(r"(?<!\\)\{,\d")


def shown(value: str, limit: int = SHOWN_CHARS) -> str:
    """``repr`` of a value, cut to about ``limit`` characters (error messages must stay short)."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value):,} characters)"


@dataclass(frozen=True, eq=False)
class UserRegex:
    """A user pattern that passed the budget: linear-time :meth:`search`, bounded :meth:`generate`."""

    pattern: str
    max_length: int
    """The longest value :meth:`generate` can return."""
    _compiled: Any = field(repr=False)
    _parsed: Any = field(repr=False)
    searcher: Callable[[str], bool] = field(repr=False)
    """:meth:`search` as a plain function (what compiled validators call): RE2's answer, given by Python's
    ``re`` for the patterns :mod:`pytest_testdata.quality.linear` shows it matches in linear time."""

    test: Callable[[str], object] | None = field(default=None, repr=False)
    """:attr:`searcher` or a function whose truth is the same answer (``re``'s own ``fullmatch`` for a
    pattern :func:`~pytest_testdata.quality.linear.newline_free_test` allows): what the acceptor calls."""

    def __post_init__(self) -> None:
        if self.test is None:
            object.__setattr__(self, "test", self.searcher)  # frozen: set once, here

    def search(self, text: str) -> bool:
        """True when the pattern matches somewhere in ``text`` (linear in ``len(text)``)."""
        return self.searcher(text)

    def fullmatch(self, text: str) -> bool:
        """True when the pattern matches the whole of ``text``."""
        return self._compiled.fullmatch(text) is not None

    def generate(self, rng: random.Random) -> str:
        """A value drawn from the pattern with ``rng`` (at most :attr:`max_length` characters)."""
        return _BoundedXeger(rng).build(self._parsed)


def compile_user_regex(pattern: object, where: str) -> UserRegex:
    """Check ``pattern`` against the budget and compile it; ``where`` names it in errors.

    Raises :class:`RegexRefused` (a :class:`TestdataUsageError`) saying what is wrong and how to fix it,
    e.g. ``where="constraints['email']['regex']"`` or ``where="user.schema.json: properties.code.pattern"``.
    """
    if not isinstance(pattern, str):
        raise RegexRefused(f"{where}: expected a pattern string, got {type(pattern).__name__} "
                           f"{repr(pattern)[:SHOWN_CHARS]}.")
    try:
        return _compile(pattern)
    except _Refusal as refusal:
        raise RegexRefused(f"{where}: {shown(pattern)} {refusal}") from None


class _Refusal(Exception):
    pass


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> UserRegex:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise _Refusal(f"is longer than the {MAX_PATTERN_CHARS} characters a pattern may have. "
                       "Shorten it.")
    if _EMPTY_LOWER.search(pattern):
        raise _Refusal("uses {,n}, which the two regex engines read differently. Write {0,n} instead.")
    parsed = _python_parse(pattern)
    for bit, name in _REFUSED_FLAGS.items():
        if parsed.state.flags & bit:
            raise _Refusal(f"sets the {name} flag, which is not supported. Remove it. {_ALLOWED}")
    max_length = _walk(parsed, 1, False)
    if pattern in SHIPPED_PATTERNS:
        # RE2 accepts it and re matches it as RE2 does (both proven by tests/test_regex_budget.py): RE2 is
        # compiled (its module imported) only for a text re does not answer, or for fullmatch.
        later = _Re2Later(pattern)
        matcher = linear_matcher(pattern, parsed, later.search)
        if matcher is not None:
            return UserRegex(pattern, max_length, later, parsed, matcher, newline_free_test(pattern, parsed))
    compiled = _re2_compile(pattern)
    re2_search = _re2_searcher(compiled)
    return UserRegex(pattern, max_length, compiled, parsed, linear_matcher(pattern, parsed, re2_search) or re2_search,
                     newline_free_test(pattern, parsed))


SHIPPED_PATTERNS = frozenset((r"^[A-Z]{3}-[0-9]{5}$", r"^[0-9]{4}$", r"^\+[0-9][0-9 -]{6,18}[0-9]$"))
"""The patterns of the built-in schemas (a SKU, a card's last four digits, a phone number). Each is within the
budget, accepted by RE2 and of the shape :mod:`~pytest_testdata.quality.linear` matches with ``re`` exactly as
RE2 does (tests/test_regex_budget.py checks all three and that the set is the shipped schemas' patterns), so
compiling RE2 for them can wait until a text needs it: importing and compiling RE2 was some 9 million
instructions of every fresh process's first built-in record. Any other pattern is compiled at once, so that
one RE2 refuses is refused when it is met."""


class _Re2Later:
    """RE2's compiled form of a :data:`SHIPPED_PATTERNS` pattern, compiled on its first use."""

    __slots__ = ("_compiled", "_search", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: Any = None
        self._search: Callable[[str], bool] | None = None

    def compiled(self) -> Any:
        if self._compiled is None:
            self._compiled = _re2_compile(self.pattern)
        return self._compiled

    def search(self, text: str) -> bool:
        if self._search is None:
            self._search = _re2_searcher(self.compiled())
        return self._search(text)

    def fullmatch(self, text: str) -> Any:
        return self.compiled().fullmatch(text)


_ALLOWED = ("Patterns may use literals, classes [...], ., \\d \\w \\s \\b, anchors ^ $, groups, | and "
            "the quantifiers * + ? {n} {n,m}, with the flags i, m and s.")


def _python_parse(pattern: str) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)  # "[[:alpha:]]" and friends
            return _parser.parse(pattern)
    except FutureWarning:
        raise _Refusal("looks like a POSIX class or a nested set ([[:alpha:]], [[...]), which the two regex "
                       "engines read differently. Use [a-zA-Z], \\d... or escape the inner '['.") from None
    except (re.error, OverflowError, RecursionError) as exc:
        raise _Refusal(f"is not a valid regular expression ({exc}). Fix the pattern; remember to escape "
                       "literal dots and brackets.") from None


def _walk(items: Any, repeat_product: int, nested: bool) -> int:
    """The longest generated value of a parsed sequence; raises :class:`_Refusal` above the budget."""
    total = 0
    for op, value in items:
        name = op.name
        if name in _REFUSED_OPS:
            raise _Refusal(f"uses a construct outside the supported syntax: {_REFUSED_OPS[name]}. {_ALLOWED}")
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = value
            bounded = high != _parser_maxrepeat()
            for count in (low, high) if bounded else (low,):
                if count > MAX_REPEAT:
                    raise _Refusal(f"repeats {count:,} times; the most one repetition may count is "
                                   f"{MAX_REPEAT}. Use a smaller count.")
            product = repeat_product * max(high if bounded else low, 1)  # * + ? count as 1, like RE2
            if product > MAX_REPEAT:
                raise _Refusal(f"nests counted repetitions that multiply to {product:,}; the budget is "
                               f"{MAX_REPEAT}. Flatten or shrink the nested counts.")
            total += _most_times(low, high, nested) * _walk(body, product, True)
        elif name == "SUBPATTERN":
            total += _walk(value[-1], repeat_product, nested)
        elif name == "BRANCH":
            total += max((_walk(branch, repeat_product, nested) for branch in value[1]), default=0)
        elif name != "AT":
            total += 1
        if total > MAX_GENERATED_CHARS:
            raise _Refusal(f"can generate values longer than {MAX_GENERATED_CHARS:,} characters (each * and + "
                           f"counts as up to {STAR_LIMIT} repetitions, {NESTED_STAR_LIMIT} when nested). Bound "
                           "the repetitions, e.g. {1,20} instead of +, and nest fewer of them.")
    return total


def _most_times(low: int, high: int, nested: bool) -> int:
    """Most repetitions a generated value draws: ``high`` up to the star limit (as rstr), else ``low``."""
    return min(high, max(NESTED_STAR_LIMIT if nested else STAR_LIMIT, low))


def _parser_maxrepeat() -> int:
    return int(_parser.MAXREPEAT)


def _re2_compile(pattern: str) -> Any:
    import re2  # imported on first use: loading the plugin stays light

    options = re2.Options()
    options.log_errors = False
    options.max_mem = RE2_MAX_MEM
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise _Refusal(f"is not accepted by the linear-time regex engine (RE2: {detail}). {_ALLOWED}") from None


def _re2_searcher(compiled: Any) -> Callable[[str], bool]:
    """RE2's unanchored search as a yes/no function.

    The binding's ``search`` builds a match object and maps byte offsets back to characters (about 5
    microseconds); a yes/no answer needs one call of the compiled program on the UTF-8 text (about 1).
    Without that program (another binding version) the binding's own search answers.
    """
    regexp = getattr(compiled, "_regexp", None)
    match = getattr(regexp, "Match", None)
    anchor = getattr(getattr(regexp, "Anchor", None), "UNANCHORED", None)
    if match is None or anchor is None:
        return lambda text: compiled.search(text) is not None
    no_match = (-1, -1)

    def search(text: str) -> bool:
        if type(text) is not str:
            return compiled.search(text) is not None
        encoded = text.encode("utf-8")
        return bool(match(anchor, encoded, 0, len(encoded))[0] != no_match)
    return search


_RE2_SPACE = " \t\n\r\f"
_OUTSIDE = "".join(c for c in string.printable if c not in "\x0b\x0c")
"""What ``[^...]`` draws from, in a fixed order (rstr used a set: its order changed with the hash seed)."""


_SETS: dict[int, tuple[Any, list[Any]]] = {}
"""The characters of each character set of a parsed pattern (patterns are parsed once and kept), listed once
instead of once per character drawn."""


class _BoundedXeger:
    """rstr's generator over a pattern parsed once, with ``{n,m}`` above ``STAR_LIMIT`` handled.

    Negated sets draw from printable characters without ``\\v`` and ``\\f`` (which Python's ``\\s``
    matches and RE2's does not) in a fixed order, so a seed gives the same value in every process.

    rstr caps every repetition at 100 draws, so ``{150}`` fails there with an empty range. Here a
    repetition draws from ``[low, _most_times(low, high)]``; for counts up to 100 that is rstr's own
    draw, so values made from such patterns are the ones rstr made for the same seed.
    """

    def __init__(self, rng: random.Random) -> None:
        import rstr

        xeger = rstr.Rstr(rng, whitespace=_RE2_SPACE)  # RE2's \s has no \v: draw what it matches
        cases = dict(xeger._cases)
        cases["max_repeat"] = cases["min_repeat"] = self._repeat
        cases["in"] = self._in
        cases["not_literal"] = lambda x: rng.choice(_OUTSIDE.replace(chr(x), ""))
        xeger._cases = cases
        self._xeger = xeger
        self._rng = rng
        self._depth = 0

    def build(self, parsed: Any) -> str:
        try:
            return str(self._xeger._build_string(parsed))
        finally:
            self._xeger._cache.clear()

    def _in(self, value: Any) -> str:
        known = _SETS.get(id(value))
        candidates: list[Any]
        if known is not None and known[0] is value:
            candidates = known[1]
        else:
            handle = self._xeger._handle_state  # literals, ranges and categories: no draw, the same every time
            candidates = [c for item in value for c in handle(item)]
            if candidates and candidates[0] is False:  # a negated set: any printable character outside it
                excluded = set(candidates[1:])
                candidates = [c for c in _OUTSIDE if c not in excluded]
            if len(_SETS) >= 4096:
                _SETS.clear()
            _SETS[id(value)] = (value, candidates)  # the parsed set is held, so its id stays its own
        return str(self._rng.choice(candidates))

    def _repeat(self, value: Any) -> str:
        low, high, body = value
        times = self._rng.randint(low, _most_times(low, high, self._depth > 0))
        handle = self._xeger._handle_state
        self._depth += 1
        try:
            return "".join("".join(handle(item) for item in body) for _ in range(times))
        finally:
            self._depth -= 1
