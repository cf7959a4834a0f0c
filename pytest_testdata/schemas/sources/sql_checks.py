"""A model's ``CHECK`` constraints read as JSON Schema keywords, so records keep them before the database does.

The forms read, joined by ``AND`` (each name a column of the table, quoted or not, table prefix allowed):

- ``age >= 18``, ``18 <= age``, ``price > 0``, ``rating BETWEEN 1 AND 5``, ``status = 'open'``: bounds of a
  number (``minimum``, ``exclusiveMinimum``...; an integer's are made inclusive) or a single value;
- ``status IN ('open', 'closed')``: ``enum`` (with an ``Enum`` column's own values: those in both);
- ``length(code) = 8``, ``char_length(name) >= 2``: ``minLength``/``maxLength``;
- ``name <> ''``: ``minLength`` 1;
- ``note IS NOT NULL``: the column is required and never null;
- ``ends >= starts`` (or ``starts <= ends``) for two date, two date-time or two integer columns: an ``ordered``
  coherence rule (``x-coherence``); ``ends > starts``, a strict one (``"strict": true``: a tie is moved on to
  the next day, second or integer);
- ``from_id <> to_id`` for two foreign keys to one table (a ``different`` rule: the dataset points them at
  different records), or two integer, date or date-time columns (a tie moved on).

A constraint read back from PostgreSQL (a reflected table) is read the same: the server writes casts
(``(code)::text``) and ``IN`` lists as ``= ANY (ARRAY[...])``, which are put back in these forms first.

Any other form would let records break the constraint where the database then refuses them, so it is an
error naming the constraint and its text. A constraint the database alone should keep (rows that break it are
then refused at load, naming the record) is marked so on the model: ``CheckConstraint(..., info={"testdata":
"database"})``. Constraints that SQLAlchemy makes for a type (``Enum``, ``Boolean`` with
``create_constraint=True``) say what the column's type says already, and are left out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CheckConstraint, Table, types

from pytest_testdata.errors import TestdataUsageError

DATABASE_ONLY = "database"
"""``CheckConstraint(..., info={"testdata": DATABASE_ONLY})``: not read; the database alone keeps it."""
FORMS = ("col >= n (>, <=, <, =)", "col BETWEEN a AND b", "col IN ('a', 'b')", "length(col) <= n",
         "col <> ''", "col IS NOT NULL", "col_b >= col_a (or >) for two dates, date-times or integers",
         "col_a <> col_b for two foreign keys to one table, integers, dates or date-times", "joined by AND")

_NAME = r'(?:[\w]+\.)?(?:"(?P<{0}q>[^"]+)"|`(?P<{0}b>[^`]+)`|\[(?P<{0}s>[^\]]+)\]|(?P<{0}p>[A-Za-z_]\w*))'
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LITERAL = rf"(?:'(?:[^']|'')*'|{_NUMBER})"
_OPS = (">=", "<=", "<>", "!=", ">", "<", "==", "=")
_OP = "|".join(re.escape(op) for op in _OPS)
_COLUMN_OP = re.compile(rf"^{_NAME.format('a')}\s*(?P<op>{_OP})\s*(?P<lit>{_LITERAL})$", re.I)
_OP_COLUMN = re.compile(rf"^(?P<lit>{_LITERAL})\s*(?P<op>{_OP})\s*{_NAME.format('a')}$", re.I)
_LENGTH = re.compile(rf"^(?:length|char_length|character_length)\s*\(\s*{_NAME.format('a')}\s*\)\s*(?P<op>{_OP})"
                     rf"\s*(?P<lit>{_NUMBER})$", re.I)
_IN = re.compile(rf"^{_NAME.format('a')}\s+IN\s*\((?P<items>.*)\)$", re.I | re.S)
_TWO_COLUMNS = re.compile(rf"^{_NAME.format('a')}\s*(?P<op>{_OP})\s*{_NAME.format('c')}$", re.I)
_NOT_NULL = re.compile(rf"^{_NAME.format('a')}\s+IS\s+NOT\s+NULL$", re.I)
_BETWEEN = re.compile(rf"{_NAME.format('a')}\s+BETWEEN\s+(?P<lo>{_LITERAL})\s+AND\s+(?P<hi>{_LITERAL})", re.I)
_QUOTED = re.compile(r"'(?:[^']|'')*'")
"""A quoted text literal (its words are no SQL's)."""
_ITEM = re.compile(rf"\s*({_LITERAL})\s*(?:,|$)")
_FLIPPED = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "=", "==": "==", "<>": "<>", "!=": "!="}


class _Unreadable(Exception):
    """A CHECK constraint (or a part of one) in a form :func:`read_checks` does not read."""


@dataclass
class Checks:
    """What a table's CHECK constraints say about its records."""

    keywords: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per column: JSON Schema keywords (``minimum``, ``enum``, ``maxLength``...)."""
    not_null: set[str] = field(default_factory=set)
    """Columns that are never null."""
    different: list[tuple[str, str]] = field(default_factory=list)
    """Pairs of columns that never hold the same value (``different`` coherence rules)."""
    ordered: list[tuple[str, str, bool]] = field(default_factory=list)
    """Pairs of columns, the first never after the second (``ordered`` coherence rules), and whether the
    second is always after the first (a strict order)."""


def read_checks(table: Table, where: str) -> Checks:
    """What the table's CHECK constraints say (see the module docstring). An unreadable constraint is a
    :class:`TestdataUsageError` naming it."""
    found = Checks()
    for constraint in _checks(table, where):
        text = _text(constraint)
        try:
            for part in _conjuncts(_strip(_between(_as_written(text)))):
                _read(part, table, found)
        except _Unreadable as exc:
            label = f"CHECK constraint {constraint.name!r}" if constraint.name else "a CHECK constraint"
            raise TestdataUsageError(
                f"{where}: {label} ({text}) cannot be read as a rule for the records ({exc}), so records could "
                f"break it and the database would refuse them. Forms read: {'; '.join(FORMS)}. Write it in "
                f"these forms, or let the database alone keep it: CheckConstraint(..., info={{'testdata': "
                f"'database'}}) (a record that breaks it is then refused at load, naming the record)."
            ) from None
    return found


_CAST = re.compile(r"::\s*[a-z_]+(?:\s+(?:varying|precision|without\s+time\s+zone|with\s+time\s+zone))?"
                   r"(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?", re.I)
_WRAPPED = re.compile(rf"(?<![\w])\(\s*([A-Za-z_]\w*|{_NUMBER}|'(?:[^']|'')*')\s*\)")
"""A name or literal alone in parentheses (not a function's argument: ``length(code)`` stays)."""
_ANY_ARRAY = re.compile(r"=\s*ANY\s*(?P<open>\(+)\s*ARRAY\s*\[(?P<items>[^\]]*)\]", re.I)


def _as_written(text: str) -> str:
    """A constraint as PostgreSQL reflects it, back in the forms read: casts dropped (``(status)::text``,
    ``'a'::character varying``), a name or literal unwrapped from its parentheses, and ``= ANY (ARRAY[...])``
    as ``IN (...)`` (``status IN ('a', 'b')`` comes back as ``((status)::text = ANY ((ARRAY['a'::character
    varying, ...])::text[]))``). Text already in those forms is unchanged."""
    if "::" not in text and "ARRAY" not in text.upper():
        return text
    plain = _CAST.sub("", text)
    while True:
        unwrapped = _WRAPPED.sub(r"\1", plain)
        if unwrapped == plain:
            break
        plain = unwrapped
    while found := _ANY_ARRAY.search(plain):
        end = found.end()
        for _ in found["open"]:  # the parentheses ANY opened, closed after the array
            end = len(plain) - len(plain[end:].lstrip())
            if plain[end:end + 1] != ")":
                return plain  # (not the shape PostgreSQL writes: left to be refused as it is)
            end += 1
        plain = f"{plain[:found.start()]}IN ({found['items']}){plain[end:]}"
    return plain


def _checks(table: Table, where: str) -> list[CheckConstraint]:
    """The table's CHECK constraints, in the order they were declared. SQLAlchemy keeps a table's (and a
    column's) constraints in a set, whose order follows the objects' addresses and differs between
    processes: the rules read from them, in that order, would differ between xdist workers and the agent."""
    def declared(constraints: Any) -> list[CheckConstraint]:
        return sorted((c for c in constraints if isinstance(c, CheckConstraint)),
                      key=lambda c: getattr(c, "_creation_order", 0))  # (what Table._sorted_constraints sorts by)

    found = declared(table.constraints)
    found += [c for column in table.columns for c in declared(column.constraints) if c not in found]
    return [c for c in found if not getattr(c, "_type_bound", False) and not left_to_database(c, where)]


def left_to_database(item: Any, where: str) -> bool:
    """Whether a constraint or index is marked ``info={"testdata": "database"}`` (the database alone keeps it).
    Any other value there is an error naming it: a mark that is not read would leave the constraint read
    without a word."""
    mark = (getattr(item, "info", None) or {}).get("testdata")
    if mark is None:
        return False
    if mark == DATABASE_ONLY:
        return True
    kind = type(item).__name__
    name = f" {item.name!r}" if getattr(item, "name", None) else ""
    raise TestdataUsageError(f"{where}: {kind}{name} has info={{'testdata': {mark!r}}}; the one value read there is "
                             f"{DATABASE_ONLY!r} (the database alone keeps it, and records are not held to it).")


def _text(constraint: CheckConstraint) -> str:
    sql = constraint.sqltext
    text = str(sql.compile(compile_kwargs={"literal_binds": True})) if not hasattr(sql, "text") else sql.text
    return " ".join(str(text).split())


def _strip(text: str) -> str:
    """Without parentheses around the whole text."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _closing(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing(text: str, start: int) -> int:
    depth, quoted = 0, False
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _between(text: str) -> str:
    """``x BETWEEN a AND b`` as ``x >= a AND x <= b`` (so that the AND is not a conjunction's)."""
    return _BETWEEN.sub(lambda m: f"{_group(m)} >= {m['lo']} AND {_group(m)} <= {m['hi']}", text)


def _conjuncts(text: str) -> list[str]:
    """The parts of ``a AND b AND c`` (outside parentheses and quotes), each without outer parentheses."""
    parts, depth, quoted, start = [], 0, False, 0
    upper = text.upper()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and upper.startswith(" AND ", i):
            parts.append(text[start:i])
            start = i + 5
            i += 4
        i += 1
    parts.append(text[start:])
    out = []
    for part in parts:
        part = _strip(part)
        if re.search(r"\b(OR|NOT)\b", _QUOTED.sub("''", part), re.I) and not _NOT_NULL.match(part):
            raise _Unreadable(f"{part!r} is not one of the forms")
        out.append(part)
    return out


def _group(match: re.Match[str], side: str = "a") -> str:
    """The name a :data:`_NAME` group matched (``side``: its prefix, ``a`` or ``c`` for the right column)."""
    return next(match[f"{side}{k}"] for k in "qbsp" if match[f"{side}{k}"] is not None)


def _column(match: re.Match[str], table: Table, side: str = "a") -> str:
    name = _group(match, side)
    if name not in table.c:
        raise _Unreadable(f"{name!r} is not a column of {table.name!r}")
    return name


def _literal(text: str) -> Any:
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    number = float(text)
    return int(number) if re.fullmatch(r"[-+]?\d+", text) else number


def _read(part: str, table: Table, checks: Checks) -> None:
    keywords = checks.keywords
    if found := _NOT_NULL.match(part):
        checks.not_null.add(_column(found, table))
        return
    if found := _TWO_COLUMNS.match(part):
        _two_columns(part, _column(found, table), found["op"], _column(found, table, "c"), table, checks)
        return
    if found := _LENGTH.match(part):
        _length(keywords.setdefault(_column(found, table), {}), found["op"], int(float(found["lit"])), part)
        return
    if found := _IN.match(part):
        items, rest, pos = [], found["items"].strip(), 0
        while pos < len(rest):
            item = _ITEM.match(rest, pos)
            if item is None:
                raise _Unreadable(f"{part!r} lists something other than literals")
            items.append(_literal(item.group(1)))
            pos = item.end()
        _enum(keywords.setdefault(_column(found, table), {}), items)
        return
    found = _COLUMN_OP.match(part)
    op = found["op"] if found else None
    if found is None and (found := _OP_COLUMN.match(part)):
        op = _FLIPPED[found["op"]]
    if found is None or op is None:
        raise _Unreadable(f"{part!r} is not one of the forms")
    column = _column(found, table)
    value = _literal(found["lit"])
    into = keywords.setdefault(column, {})
    if op in ("=", "=="):
        _enum(into, [value])
    elif op in ("<>", "!="):
        if value != "":
            raise _Unreadable(f"{part!r}: only <> '' (not empty) is read")
        into["minLength"] = max(into.get("minLength", 0), 1)
    elif isinstance(value, str):
        raise _Unreadable(f"{part!r} compares with text")
    else:
        _bound(into, op, value, whole_numbers(table.c[column]))


def _two_columns(part: str, left: str, op: str, right: str, table: Table, checks: Checks) -> None:
    """``left op right``: an order of two date, date-time or integer columns, or two columns that differ."""
    if op in ("<>", "!="):
        _differ(part, left, right, table, checks)
        return
    if op not in (">=", "<=", ">", "<"):
        raise _Unreadable(f"{part!r} compares two columns with {op}")
    kinds = []
    for name in (left, right):
        kind = _stepped_kind(table.c[name])
        if kind is None:
            raise _Unreadable(f"{part!r}: only dates, date-times and integers are ordered, and {name!r} is "
                              f"{table.c[name].type!r}")
        kinds.append(kind)
    if kinds[0] is not kinds[1]:  # the rule may swap the two values: each must fit the other's column
        raise _Unreadable(f"{part!r} orders a {kinds[0].__name__} column and a {kinds[1].__name__} one; only two "
                          "columns of one kind are ordered")
    first, second = (left, right) if op in ("<=", "<") else (right, left)
    checks.ordered.append((first, second, op in ("<", ">")))


def _differ(part: str, left: str, right: str, table: Table, checks: Checks) -> None:
    """``left <> right``: two foreign keys to one table (a transfer's two accounts), kept apart as the dataset
    assigns them, or two integer, date or date-time columns, a tie moved on by the ``different`` rule."""
    targets = [{fk.column.table.name for fk in table.c[name].foreign_keys} for name in (left, right)]
    same_table = len(targets[0]) == 1 and targets[0] == targets[1]
    stepped = not any(targets) and all(_stepped_kind(table.c[name]) is not None for name in (left, right))
    if not (same_table or stepped):
        raise _Unreadable(f"{part!r}: only two foreign keys to one table, or two integer, date or date-time "
                          "columns, are kept apart")
    checks.different.append((left, right))


def _stepped_kind(column: Any) -> type | None:
    """A column's type among those a value of which has a next one (date-time, date, integer), or None."""
    return next((k for k in (types.DateTime, types.Date, types.Integer) if isinstance(column.type, k)), None)


def whole_numbers(column: Any) -> bool:
    """Whether a column holds whole numbers (its type's Python type is ``int``)."""
    try:
        return bool(column.type.python_type is int)
    except NotImplementedError:  # a type that names no Python type
        return False


def _bound(into: dict[str, Any], op: str, value: float, integer: bool) -> None:
    if integer and op in (">", "<"):  # an integer's strict bound as an inclusive one
        value, op = (math.floor(value) + 1, ">=") if op == ">" else (math.ceil(value) - 1, "<=")
    key = {">=": "minimum", ">": "exclusiveMinimum", "<=": "maximum", "<": "exclusiveMaximum"}[op]
    if integer and key == "minimum":
        value = math.ceil(value)
    elif integer and key == "maximum":
        value = math.floor(value)
    keep = max if key in ("minimum", "exclusiveMinimum") else min
    into[key] = keep(into[key], value) if key in into else value


def _length(into: dict[str, Any], op: str, n: int, part: str) -> None:
    if op in ("=", "=="):
        _length(into, ">=", n, part)
        _length(into, "<=", n, part)
    elif op in (">=", ">"):
        into["minLength"] = max(into.get("minLength", 0), n + (op == ">"))
    elif op in ("<=", "<"):
        into["maxLength"] = min(into.get("maxLength", n), n - (op == "<"))
    else:
        raise _Unreadable(f"{part!r}: a length compared with {op}")


def _enum(into: dict[str, Any], values: list[Any]) -> None:
    if "enum" in into:
        values = [v for v in into["enum"] if v in values]
    into["enum"] = values


def apply_checks(document: dict[str, Any], checks: Checks, where: str) -> None:
    """Merge what :func:`read_checks` read (or a model's field constraints) into the table's schema: each
    column's property (the tighter bound wins; an enum keeps the values both allow), ``required``, and
    ``x-coherence``."""
    props, required = document["properties"], document["required"]
    for column, found in checks.keywords.items():
        prop = props[column]
        for key, value in found.items():
            if key == "enum":
                value = [v for v in prop["enum"] if v in value] if "enum" in prop else value
                if not value:
                    raise TestdataUsageError(f"{where}: column {column!r}: its CHECK constraints and its type "
                                             "allow no value in common. Fix the constraint.")
            elif key == "pattern" and prop.get(key, value) != value:
                raise TestdataUsageError(f"{where}: column {column!r} has two patterns ({prop[key]!r} and "
                                         f"{value!r}); give it one.")
            elif key in prop and key != "pattern":
                keep = max if key in ("minimum", "exclusiveMinimum", "minLength") else min
                value = keep(prop[key], value)
            prop[key] = value
    for column in sorted(checks.not_null):
        prop = props[column]
        if isinstance(prop.get("type"), list):
            prop["type"] = next(t for t in prop["type"] if t != "null")
        if column not in required:
            required.append(column)
    for first, second, strict in checks.ordered:
        # The rule sorts a pair drawn out of order, so each value may end up in the other column: the second
        # never goes below the first's least, the first never above the second's most. A strict order moves a
        # tie's second value on by one (an integer's bounds: the only ones read for ordered columns), so the
        # second starts one above the first's least, and the first stops one below the second's most.
        low, high, step = props[first], props[second], int(strict)
        if "minimum" in low:
            high["minimum"] = max(high.get("minimum", low["minimum"] + step), low["minimum"] + step)
        if "maximum" in high:
            low["maximum"] = min(low.get("maximum", high["maximum"] - step), high["maximum"] - step)
    if checks.ordered:
        document.setdefault("x-coherence", []).extend(
            {"kind": "ordered", "fields": [first, second], **({"strict": True} if strict else {})}
            for first, second, strict in checks.ordered)
    if checks.different:
        document.setdefault("x-coherence", []).extend(
            {"kind": "different", "fields": [first, second]} for first, second in checks.different)
