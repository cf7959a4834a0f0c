"""Which user patterns Python's own ``re`` matches in linear time, with RE2's meaning.

:mod:`pytest_testdata.quality.regex` matches user patterns with RE2, whose time is linear whatever the
pattern. Calling RE2 through its Python binding costs several microseconds a call (the text is encoded
to UTF-8 and offsets are converted back), about ten times what ``re`` takes for a short value; the
validator calls it for every pattern field of every record (four SKUs in a cart). Most schema patterns
are of a shape that a backtracking engine also matches in linear time: anchored at the start, a sequence
of single characters and repetitions of single characters, where no unbounded repetition can give a
character back to what follows it. For those (and only those) :func:`linear_matcher` returns a
``re``-based matcher that gives the same answer as RE2.

The shape accepted, on the parse tree of ``re``'s own (linear) parser:

- the pattern starts with ``^`` (or ``\\A``) and may end with ``$`` (or ``\\Z``): nothing else is an anchor;
- no flags (inline or global), no alternation, no lazy repetition, groups only without repetition;
- items are a literal, ``.``, a class of literals, ranges and ``\\d``/``\\w`` (negated or not), or a greedy
  repetition of one of those;
- a repetition without an upper bound is last, or is followed by a required item that cannot match any
  character it can (``[a-z]+@``): giving characters back then fails at once, so the match is linear;
- bounded repetitions of variable length multiply the ways to try the rest by at most
  :data:`MAX_CHOICES` (``[0-9 -]{6,18}`` counts 13).

Meaning, the same as RE2's: classes are ASCII (compiled with ``re.ASCII``, which is what RE2's ``\\d``
and ``\\w`` are). A text with a newline goes to RE2, since ``$``, ``.`` and negated classes differ on
newlines between the engines; a text RE2 cannot encode (a lone surrogate) goes to ``re``, which reads it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

if sys.version_info >= (3, 11):
    from re import _constants as _c
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c

MAX_CHOICES = 256
"""Most combinations of bounded variable repetitions a pattern may have (backtracking tries each once)."""
_EXPANDED = 20_000
"""Character sets larger than this are not expanded for the disjointness test (then assumed to overlap)."""

Matcher = Callable[[str], bool]
CharSet = tuple[bool, frozenset[str] | None]
"""(negated, members); members None when the set is too large to list (it may overlap anything)."""

_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_DIGIT = frozenset("0123456789")
_CATEGORIES = {_c.CATEGORY_DIGIT: (False, _DIGIT), _c.CATEGORY_NOT_DIGIT: (True, _DIGIT),
               _c.CATEGORY_WORD: (False, _WORD), _c.CATEGORY_NOT_WORD: (True, _WORD)}
_FLAGS_ALLOWED = re.UNICODE  # what a str pattern always carries
_STARTS = ((_c.AT, _c.AT_BEGINNING), (_c.AT, _c.AT_BEGINNING_STRING))
_ENDS = ((_c.AT, _c.AT_END), (_c.AT, _c.AT_END_STRING))


def linear_matcher(pattern: str, parsed: Any, fallback: Matcher) -> Matcher | None:
    """A ``re`` matcher equal to RE2's search for ``pattern`` when the shape above holds, else None.

    ``parsed`` is ``re``'s parse tree of the pattern; ``fallback`` (RE2's search) answers for texts
    with a newline.
    """
    if parsed.state.flags & ~_FLAGS_ALLOWED:
        return None
    items = _flatten(list(parsed))
    if not items or items[0] not in _STARTS:
        return None
    body = items[1:]
    if body and body[-1] in _ENDS:
        body = body[:-1]
    elements = []
    for op, av in body:
        if op in (_c.MAX_REPEAT,):
            low, high, sub = av
            inner = list(sub)
            if len(inner) != 1:
                return None
            chars = _charset(*inner[0])
            if chars is None:
                return None
            elements.append((low, None if high == _c.MAXREPEAT else high, chars))
            continue
        chars = _charset(op, av)
        if chars is None:
            return None
        elements.append((1, 1, chars))
    choices = 1
    for index, (low, high, chars) in enumerate(elements):
        if high is None:
            if index + 1 < len(elements):
                next_low, _, next_chars = elements[index + 1]
                if next_low < 1 or not _disjoint(chars, next_chars):
                    return None
        elif high > low:
            choices *= high - low + 1
            if choices > MAX_CHOICES:
                return None
    try:
        match = re.compile(pattern, re.ASCII).match
    except re.error:  # pragma: no cover - the pattern parsed already
        return None

    def matcher(text: str) -> bool:
        if "\n" in text:
            return fallback(text)
        return match(text) is not None
    return matcher


def newline_free_test(pattern: str, parsed: Any) -> Callable[[str], object] | None:
    """For a pattern of the shape above whose every item is a positive class without a newline (no ``.``,
    no negated class): ``re``'s own ``fullmatch`` (pattern ending in ``$``) or ``match`` (a prefix
    pattern), whose truth is RE2's answer for every text, newlines included, with no Python call around it.

    No item can match a newline, so a text with one cannot be matched whole (``fullmatch``, where RE2's
    ``$`` is the end of the text and ``re``'s would also allow a final newline), and a prefix match never
    reaches one (``^`` is the start of the text in both engines). Compiled validators call it for every
    value (a cart's four SKUs): it saves the wrapper :func:`linear_matcher` needs for other shapes.
    """
    if linear_matcher(pattern, parsed, _never) is None:
        return None
    items = _flatten(list(parsed)) or []
    body = items[1:]
    anchored_end = bool(body) and body[-1] in _ENDS
    for op, av in body[:-1] if anchored_end else body:
        inner = list(av[2]) if op is _c.MAX_REPEAT else [(op, av)]
        chars = _charset(*inner[0]) if len(inner) == 1 else None
        if chars is None or chars[0] or chars[1] is None or "\n" in chars[1]:
            return None
    compiled = re.compile(pattern, re.ASCII)
    return compiled.fullmatch if anchored_end else compiled.match


def _never(text: str) -> bool:  # pragma: no cover - only a placeholder fallback for the shape test
    return False


def _flatten(items: list[Any]) -> list[Any] | None:
    """Items with plain groups opened up; None for a group with flags of its own or an alternation."""
    out: list[Any] = []
    for op, av in items:
        if op is _c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return None
            inner = _flatten(list(sub))
            if inner is None:
                return None
            out.extend(inner)
        elif op is _c.AT and av not in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_END, _c.AT_END_STRING):
            return None
        else:
            out.append((op, av))
    # Anchors other than a first ^ and a last $ would need RE2's reading: refuse them.
    for position, (op, av) in enumerate(out):
        if op is _c.AT and not (position == 0 and av in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING)) and not (
                position == len(out) - 1 and av in (_c.AT_END, _c.AT_END_STRING)):
            return None
    return out


def _charset(op: Any, av: Any) -> CharSet | None:
    """The characters one item matches, or None when the item is not a single character."""
    if op is _c.LITERAL:
        return False, frozenset(chr(av))
    if op is _c.NOT_LITERAL:
        return True, frozenset(chr(av))
    if op is _c.ANY:
        return True, frozenset()
    if op is _c.IN:
        negated = False
        members: set[str] | None = set()
        positive_categories: list[frozenset[str]] = []
        for index, (kind, value) in enumerate(av):
            if kind is _c.NEGATE and index == 0:
                negated = True
            elif kind is _c.LITERAL:
                if members is not None:
                    members.add(chr(value))
            elif kind is _c.RANGE:
                low, high = value
                if members is not None and high - low < _EXPANDED:
                    members.update(chr(c) for c in range(low, high + 1))
                else:
                    members = None
            elif kind is _c.CATEGORY and value in _CATEGORIES:
                cat_negated, cat_members = _CATEGORIES[value]
                if cat_negated:
                    members = None  # [\D...] is almost everything: too large to list
                else:
                    positive_categories.append(cat_members)
            else:
                return None
        if members is not None:
            for extra in positive_categories:
                members |= extra
        return negated, frozenset(members) if members is not None else None
    if op is _c.CATEGORY and av in _CATEGORIES:
        return _CATEGORIES[av]
    return None


def _disjoint(a: CharSet, b: CharSet) -> bool:
    """True only when no character is in both sets (False whenever that cannot be shown)."""
    a_negated, a_members = a
    b_negated, b_members = b
    if a_members is None or b_members is None or (a_negated and b_negated):
        return False
    if not a_negated and not b_negated:
        return not (a_members & b_members)
    inside, outside = (b_members, a_members) if a_negated else (a_members, b_members)
    return inside <= outside  # the positive set lies wholly within what the negated one excludes
