"""Compile a schema's coherence rules into one Python function that says whether a record satisfies them all.

Why: the scorer checks every record of every batch, and generated records nearly always satisfy every
rule. Checking them rule by rule (a method call, compiled path readers, ``_num`` per value, a ``round`` per
total) cost as much as validating the record. So :class:`~pytest_testdata.quality.coherence.CoherenceScorer`
first asks this *rule acceptor*; when it says yes the score is 1.0 (no rule fails: each holds or does not
apply) and no rule is reported, and otherwise the rules are checked one by one as before, which alone
decide the score and what is reported.

The acceptor must therefore never say yes to a record for which a rule's ``check`` returns False (or
raises: the scorer counts that as False). Saying no to a record whose rules all hold is harmless (it only
costs the plain path), which is why every shape this module does not handle exactly (a dict subclass on the
way, a bool where a number goes, an unusual rule spec) gives no. Rule kinds without an emitter here call
their own ``check`` and want True or None.

The function is generated as Python source once per schema (:attr:`RuleAcceptor.source` shows it), the
way :mod:`pytest_testdata.quality.acceptor` is for validation; ``tests/test_fast_paths.py`` compares the
two paths on generated, broken and malformed records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from pytest_testdata.locales.countries import CALLING_CODES, NANP, POSTAL_CODES
from pytest_testdata.locales.gazetteer import phone_fits_region
from pytest_testdata.quality.money import round_cents
from pytest_testdata.quality.paths import _plain_parts
from pytest_testdata.quality.rules import TOLERANCE, Rule, fold, fold_name, latin_name, leans

MARGIN = 0.0051
"""A total is compared without rounding it to cents when it is this much inside the tolerance: rounding
moves it by at most 0.005 (plus float error, below 1e-6 for totals under 1e9)."""
LIMIT = 1e9
"""Totals at most this large take the no-rounding comparison (their float errors are far below the margin)."""


@lru_cache(maxsize=256)
def _code(source: str) -> Any:
    """The compiled code of an acceptor's source, shared by every schema that gives the same source: the
    source names its constants (``C0_2``...), never their values, so schemas of the same rule shapes and
    every schema without rules (most user schemas) compile once per process, not once each."""
    return compile(source, "<rule acceptor>", "exec")


class RuleAcceptor:
    """``acceptor(record) -> bool``: True only when no rule's ``check`` returns False (or raises) for the record."""

    def __init__(self, rules: Sequence[Rule], name: str = "record") -> None:
        self._consts: dict[str, Any] = {
            "fold": fold, "fold_name": fold_name, "latin_name": latin_name, "NANP": NANP,
            "phone_fits_region": phone_fits_region, "POSTAL_CODES": POSTAL_CODES, "CALLING_CODES": CALLING_CODES,
            "round_cents": round_cents, "STEP": _step, "leans": leans,
        }
        self._lines: list[str] = []
        self._vars = 0
        self._reads: dict[str, str] = {}
        """Path -> the variable holding its value (the code reads each path once: nothing writes the record)."""
        self._numbers: set[str] = set()
        """Variables already tested to be a float or an int (:meth:`_number`)."""
        self._floats: dict[str, str] = {}
        """Number variable -> the variable holding it as a float (:meth:`_float`)."""
        fused = _line_pairs(rules)
        for index, rule in enumerate(rules):
            if index in fused.values():
                continue  # emitted with its pair (below)
            mark, reads, numbers, floats = len(self._lines), dict(self._reads), set(self._numbers), dict(self._floats)
            if index in fused:
                if _line_totals(self, rule, rules[fused[index]]):
                    continue
                self._lines[mark:], self._reads, self._numbers, self._floats = [], reads, numbers, floats
                self._one(rules[fused[index]], fused[index])  # not taken together: each alone
            self._one(rule, index)
        body = "\n".join(self._lines) or "        pass"
        self.source = (f"def accept(r):\n    if type(r) is not dict: return False\n    try:\n{body}\n"
                       "    except Exception:\n        return False\n    return True\n")
        namespace = dict(self._consts)
        exec(_code(self.source), namespace)  # the constants' names are in the source, their values here
        self.function: Callable[[Any], bool] = namespace["accept"]

    def _one(self, rule: Rule, index: int) -> None:
        """Emit one rule's code: its emitter's, or a call of its own ``check``."""
        emit = _EMITTERS.get(rule.kind)
        mark, reads, numbers, floats = len(self._lines), dict(self._reads), set(self._numbers), dict(self._floats)
        if emit is None or not emit(self, rule):
            del self._lines[mark:]  # a shape the emitter does not take: the rule's own check decides
            # (the reads and tests emitted by those lines are gone with them)
            self._reads, self._numbers, self._floats = reads, numbers, floats
            self._call_check(rule, index)

    def __call__(self, record: Any) -> bool:
        return self.function(record)

    # -- emitting ----------------------------------------------------------------------------------------

    def _emit(self, line: str, depth: int = 0) -> None:
        self._lines.append("    " * (depth + 2) + line)

    def _const(self, value: Any, prefix: str) -> str:
        name = f"{prefix}{len(self._consts)}"
        self._consts[name] = value
        return name

    def _var(self) -> str:
        self._vars += 1
        return f"v{self._vars}"

    def _call_check(self, rule: Rule, index: int) -> None:
        check, outcome = self._const(rule.check, f"C{index}_"), self._var()
        self._emit(f"{outcome} = {check}(r)")
        self._emit(f"if {outcome} is not True and {outcome} is not None: return False")

    def _read(self, path: Any, shared: bool = True) -> str | None:
        """Emit code that puts ``get(r, path)`` in a variable; None for a path it cannot read exactly.

        Each step takes a plain dict or list as :func:`pytest_testdata.quality.paths.getter` does; anything
        else on the way (where the generic walker would decide) makes the record go the plain path. Reads
        are emitted at the top level of the function, in order, and the code never writes into the record,
        so a path read before is that same variable (``totals.subtotal``: four of an order's rules read it),
        and so is a path's parent (``totals``, read once for the six values under it);
        ``shared=False`` gives a variable of its own, for code that assigns to it.
        """
        if not isinstance(path, str):
            return None
        if shared and path in self._reads:
            return self._reads[path]
        parts = _plain_parts(path)
        if parts is None:
            return None
        var = self._var()
        if len(parts) == 1:
            self._emit(f"{var} = r.get({self._const(parts[0][0], 'N')})")
        else:
            parent = self._read(path.rpartition(".")[0])
            assert parent is not None  # (a path's parent is as plain as the path)
            key, index = parts[-1]
            # A dict gives the key's value (a missing one None, as the walker's "no value"); anything else
            # goes through STEP: a None stays None, a list gives the index's item or None, another value
            # raises (the plain path decides).
            self._emit(f"{var} = {parent}.get({self._const(key, 'N')}) if type({parent}) is dict "
                       f"else STEP({parent}, {index!r})")
        if shared:
            self._reads[path] = var
        return var

    def _number(self, var: str) -> None:
        """``_num(var)`` is a float or int exactly (bools and subclasses go the plain path). Tested once per
        variable: the test is at the top level, and nothing assigns to a shared read afterwards."""
        if var in self._numbers:
            return
        self._numbers.add(var)
        self._emit(f"if type({var}) is not float and type({var}) is not int: return False")

    def _float(self, var: str) -> str:
        """A variable holding ``float(var)`` (``var`` tested by :meth:`_number`), converted once at the top level."""
        found = self._floats.get(var)
        if found is None:
            found = self._floats[var] = self._var()
            self._emit(f"{found} = float({var})")
        return found

    def _close(self, total: str, actual: str, tolerance: str, depth: int = 0) -> None:
        """Emit: ``abs(round(total, 2) - actual) <= tolerance`` must hold (``actual`` a number, as ``_num``)."""
        near = f"-{LIMIT!r} < {total} < {LIMIT!r} and -{LIMIT!r} < {actual} < {LIMIT!r} and " \
               f"abs({total} - {actual}) <= {tolerance} - {MARGIN!r}"
        self._emit(f"if not ({near}) and not abs(round({total}, 2) - float({actual})) <= {tolerance}: "
                   "return False", depth)

    def _product(self, product: str, item: str, factors: Sequence[str], depth: int) -> None:
        """Emit: ``product`` = 1.0 times each factor of ``item`` as a float, in order (as ``product_each``
        computes it), each factor a float or an int exactly."""
        values = []
        for factor in factors:
            value = self._var()
            values.append(value)
            self._emit(f"{value} = {item}[{self._const(factor, 'N')}]", depth)  # (missing: no, as None would be)
            self._emit(f"if type({value}) is not float and type({value}) is not int: return False", depth)
        if len(values) == 2:
            # 1.0 * float(a) is float(a); with a float on either side, a * b converts the other to a float as
            # float() does: the same product without the calls.
            a, b = values
            self._emit(f"{product} = {a} * {b} if type({a}) is float or type({b}) is float "
                       f"else float({a}) * float({b})", depth)
            return
        self._emit(f"{product} = 1.0", depth)
        for value in values:
            self._emit(f"{product} *= float({value})", depth)


# -- one emitter per rule kind: code that returns False unless check() is True or None (a shape the emitter
# does not take exactly also returns False); an emitter that returns False leaves the rule to its check().
# A list item's value that must be a number is read as item[key]: a missing key raises KeyError, which says
# no (``except Exception``), as the None that item.get(key) gives would at the number test that follows --

def _sum_of_products(acc: RuleAcceptor, rule: Rule) -> bool:
    factors = rule.spec.get("factors")
    if not (isinstance(factors, (list, tuple)) and len(factors) == 2 and all(isinstance(f, str) for f in factors)):
        return False
    items = acc._read(rule.spec.get("items"))
    if items is None:
        return False
    target = acc._read(rule.spec.get("target"))
    if target is None:
        return False
    total, item, a, b = acc._var(), acc._var(), acc._var(), acc._var()
    first, second = acc._const(factors[0], "N"), acc._const(factors[1], "N")
    acc._emit(f"if type({items}) is not list: return False")
    acc._number(target)
    acc._emit(f"{total} = 0.0")
    acc._emit(f"for {item} in {items}:")
    acc._emit(f"if type({item}) is not dict: return False", 1)
    acc._emit(f"{a} = {item}[{first}]; {b} = {item}[{second}]", 1)  # (missing: no, as None would be)
    acc._emit(f"if (type({a}) is not float and type({a}) is not int) or "
              f"(type({b}) is not float and type({b}) is not int): return False", 1)
    acc._emit(f"{total} += float({a}) * float({b})", 1)
    acc._close(total, target, f"{TOLERANCE!r} * (len({items}) or 1)")  # (max(1, len), without the call)
    return True


def _rate_of(acc: RuleAcceptor, rule: Rule) -> bool:
    try:
        low, high = float(rule.spec["min"]), float(rule.spec["max"])
    except (KeyError, TypeError, ValueError):
        return False
    base, target = acc._read(rule.spec.get("base")), acc._read(rule.spec.get("target"))
    if base is None or target is None:
        return False
    acc._number(base)
    acc._number(target)
    base, target = acc._float(base), acc._float(target)
    acc._emit(f"if not ({base} * {low!r} - {TOLERANCE!r} <= {target} <= "
              f"{base} * {high!r} + {TOLERANCE!r}): return False")
    return True


def _sum(acc: RuleAcceptor, rule: Rule) -> bool:
    terms = rule.spec.get("terms")
    if not (isinstance(terms, (list, tuple)) and terms and all(isinstance(t, str) for t in terms)):
        return False
    total = acc._var()
    acc._emit(f"{total} = 0.0")
    for term in terms:
        sign, path = (-1.0, term[1:]) if term.startswith("-") else (1.0, term)
        value = acc._read(path)
        if value is None:
            return False
        acc._number(value)
        # total + 1.0 * x is total + x, and total + -1.0 * x is total - x, exactly (IEEE 754)
        acc._emit(f"{total} {'+' if sign > 0 else '-'}= {acc._float(value)}")
    target = acc._read(rule.spec.get("target"))
    if target is None:
        return False
    acc._number(target)
    acc._close(total, target, f"{TOLERANCE!r} * {len(terms)}")
    return True


def _ordered(acc: RuleAcceptor, rule: Rule) -> bool:
    fields = rule.spec.get("fields")
    if rule.spec.get("strict") is True:
        return False  # (a strict order: its own check, which also refuses a tie)
    if not (isinstance(fields, (list, tuple)) and len(fields) >= 2 and all(isinstance(f, str) for f in fields)):
        return False
    read = [acc._read(field) for field in fields]
    found = [var for var in read if var is not None]
    if len(found) != len(read):
        return False
    if len(found) == 2:
        a, b = found
        acc._emit(f"if type({a}) is not str or type({b}) is not str or {b} < {a}: return False")
        return True
    # More fields (created, paid, shipped, delivered, updated): the values present (not None) are strings
    # in order, which check() calls True; fewer than two present, it does not apply.
    # Strings in order (every record the drawers made) are told one by one, with no list; anything else (a
    # value of another type, one out of order) is decided by the list as check() reads it.
    last, odd, present = acc._var(), acc._var(), acc._var()
    acc._emit(f"{last} = ''; {odd} = False")
    for var in found:
        acc._emit(f"if {var} is not None:")
        acc._emit(f"if type({var}) is str and {last} <= {var}: {last} = {var}", 1)
        acc._emit(f"else: {odd} = True", 1)
    acc._emit(f"if {odd}:")
    acc._emit(f"{present} = [v for v in ({', '.join(found)}) if v is not None]", 1)
    acc._emit(f"if len({present}) > 1 and (not all(type(v) is str for v in {present}) or "
              f"{present} != sorted({present})): return False", 1)
    return True


def _product_each(acc: RuleAcceptor, rule: Rule) -> bool:
    factors, target = rule.spec.get("factors"), rule.spec.get("target")
    if not (isinstance(factors, (list, tuple)) and factors and all(isinstance(f, str) for f in factors)
            and isinstance(target, str)):
        return False
    items = acc._read(rule.spec.get("items"))
    if items is None:
        return False
    item, product, actual = acc._var(), acc._var(), acc._var()
    # Not a list (nor a subclass of one): check() does not apply. Each item a dict whose factors and target
    # are plain numbers; the product computed as check() does (1.0 times each factor as a float, in order),
    # the same rounding comparison (a NaN fails here: the plain path decides it).
    acc._emit(f"if type({items}) is list:")
    acc._emit(f"for {item} in {items}:", 1)
    acc._emit(f"if type({item}) is not dict: return False", 2)
    acc._product(product, item, factors, 2)
    acc._emit(f"{actual} = {item}[{acc._const(target, 'N')}]", 2)  # (missing: no, as None would be)
    acc._emit(f"if type({actual}) is not float and type({actual}) is not int: return False", 2)
    # round_cents(product) is round(product, 2); a product this far inside the tolerance needs no rounding
    acc._close(product, actual, repr(TOLERANCE), 2)
    acc._emit(f"elif isinstance({items}, list): return False")
    return True


def _line_pairs(rules: Sequence[Rule]) -> dict[int, int]:
    """A ``product_each`` and a ``sum_of_products`` over the same items and the same two factors (an order's
    line totals and its subtotal), by index: the first's -> the second's (:func:`_line_totals`)."""
    def two(rule: Rule) -> list[str] | None:
        factors = rule.spec.get("factors")
        if isinstance(factors, (list, tuple)) and len(factors) == 2 and all(isinstance(f, str) for f in factors):
            return sorted(factors)
        return None

    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for i, each in enumerate(rules):
        if each.kind != "product_each" or two(each) is None or not isinstance(each.spec.get("items"), str):
            continue
        for j, total in enumerate(rules):
            if j not in taken and total.kind == "sum_of_products" and total.spec.get("items") == \
                    each.spec.get("items") and two(total) == two(each):
                taken.add(j)
                pairs[min(i, j)] = max(i, j)
                break
    return pairs


def _line_totals(acc: RuleAcceptor, first: Rule, second: Rule) -> bool:
    """A pair of :func:`_line_pairs` in one loop over the items: each line's product (the same float for both
    rules: ``1.0 * float(a) * float(b)`` is ``float(a) * float(b)``, and either order of two factors gives the
    same product) is compared with the line's total and added to the sum; the items must be a list (which
    ``sum_of_products``'s code asks anyway). False: a spec the pair's code does not take (each alone then)."""
    each, total_rule = (first, second) if first.kind == "product_each" else (second, first)
    factors, target = each.spec["factors"], each.spec.get("target")  # (two names: _line_pairs)
    if not isinstance(target, str):
        return False
    items = acc._read(each.spec.get("items"))
    if items is None:
        return False
    expected = acc._read(total_rule.spec.get("target"))
    if expected is None:
        return False
    total, item, product, actual = acc._var(), acc._var(), acc._var(), acc._var()
    acc._emit(f"if type({items}) is not list: return False")
    acc._number(expected)
    acc._emit(f"{total} = 0.0")
    acc._emit(f"for {item} in {items}:")
    acc._emit(f"if type({item}) is not dict: return False", 1)
    acc._product(product, item, factors, 1)
    acc._emit(f"{total} += {product}", 1)
    acc._emit(f"{actual} = {item}[{acc._const(target, 'N')}]", 1)  # (missing: no, as None would be)
    acc._emit(f"if type({actual}) is not float and type({actual}) is not int: return False", 1)
    acc._close(product, actual, repr(TOLERANCE), 1)
    acc._close(total, expected, f"{TOLERANCE!r} * (len({items}) or 1)")
    return True


def _present_iff(acc: RuleAcceptor, rule: Rule) -> bool:
    if "in" not in rule.spec:
        return False
    when, field = acc._read(rule.spec.get("when")), acc._read(rule.spec.get("field"))
    if when is None or field is None:
        return False
    allowed = acc._const(rule.spec["in"], "K")  # the spec's own container: the same ``in`` as check()'s
    acc._emit(f"if {when} is not None and ({field} is not None) != ({when} in {allowed}): return False")
    return True


def _status_timestamps(acc: RuleAcceptor, rule: Rule) -> bool:
    stages = rule.spec.get("stages")
    if not (isinstance(stages, Mapping) and all(isinstance(f, str) for f in stages)):
        return False
    status = acc._read(rule.spec.get("status"))
    if status is None:
        return False
    for field, allowed in stages.items():
        value = acc._read(field)
        if value is None:
            return False
        name = acc._const(allowed, "K")
        acc._emit(f"if {status} is not None and ({value} is not None) != ({status} in {name}): return False")
    return True


def _email_from_name(acc: RuleAcceptor, rule: Rule) -> bool:
    email, first, last = (acc._read(rule.spec.get(k)) for k in ("email", "first", "last"))
    if email is None or first is None or last is None:
        return False
    local = acc._var()
    acc._emit(f"if type({email}) is not str or type({first}) is not str or type({last}) is not str: return False")
    acc._emit(f"{local} = fold({email}.split('@', 1)[0])")
    # latin_name(name) is fold_name(name) whenever that is not empty (a cached call, no frame).
    acc._emit(f"if (fold_name({first}) or latin_name({first}))[:1] not in {local} or "
              f"(fold_name({last}) or latin_name({last})) not in {local}: return False")
    return True


def _phone_matches_country(acc: RuleAcceptor, rule: Rule) -> bool:
    country, phone = acc._read(rule.spec.get("country")), acc._read(rule.spec.get("phone"))
    if country is None or phone is None:
        return False
    acc._emit(f"if type({country}) is not str or type({phone}) is not str: return False")
    # phone_matches(phone, country), inlined for a str country (str(country) is the country itself).
    code, rest = acc._var(), acc._var()
    acc._emit(f"{code} = CALLING_CODES.get({country})")
    acc._emit(f"if {code} is None or not {phone}.startswith({code}): return False")
    acc._emit(f"{rest} = {phone}[len({code}):]")
    acc._emit(f"if not ({rest}[:1] == ' ' or ({rest}.isdigit() and 6 <= len({rest}) <= 14)): return False")
    if "region" in rule.spec:
        region = acc._read(rule.spec.get("region"))
        if region is None:
            return False
        acc._emit(f"if {region} is not None and type({region}) is not str: return False")
        acc._emit(f"if type({region}) is str and {country} in NANP and "
                  f"phone_fits_region({phone}, {country}, {region}) is False: return False")
    return True


def _postal_code_matches_country(acc: RuleAcceptor, rule: Rule) -> bool:
    found = acc._read(rule.spec.get("addresses"), shared=False)  # (made a list below)
    if found is None:
        return False
    seen, address, pattern, code = acc._var(), acc._var(), acc._var(), acc._var()
    # A dict holding the addresses stands for a list of one, as the rule reads it; at least one address
    # with a country must be there (else the rule does not apply: no True).
    acc._emit(f"if type({found}) is dict: {found} = [{found}]")
    acc._emit(f"elif type({found}) is not list: return False")
    acc._emit(f"{seen} = False")
    acc._emit(f"for {address} in {found}:")
    acc._emit(f"if type({address}) is not dict or 'country' not in {address}: return False", 1)
    acc._emit(f"{seen} = True", 1)
    acc._emit(f"{pattern} = POSTAL_CODES.get({address}['country']) if type({address}['country']) is str "
              "else None", 1)
    acc._emit(f"{code} = {address}.get('postal_code')", 1)
    acc._emit(f"if {pattern} is None or type({code}) is not str or not {pattern}.match({code}): return False", 1)
    acc._emit(f"if not {seen}: return False")
    return True


def _same_value(acc: RuleAcceptor, rule: Rule) -> bool:
    fields = rule.spec.get("fields")
    if isinstance(fields, (list, tuple)) and len(fields) > 1 and all(isinstance(f, str) for f in fields):
        # Paths with one value each (``payment.amount``, ``totals.total``): every value present and not None
        # (a missing or None one goes the plain path: check() counts what is present), each equal to the
        # first, compared as check() compares them.
        found = [acc._read(field) for field in fields]
        if any(var is None or "*" in field for var, field in zip(found, fields, strict=True)):
            return False
        first = found[0]
        acc._emit(f"if {' or '.join(f'{var} is None' for var in found)}: return False")
        for var in found[1:]:
            acc._emit(f"if not {var} == {first}: return False")
        return True
    if not (isinstance(fields, (list, tuple)) and len(fields) == 1 and isinstance(fields[0], str)):
        return False
    head, star, tail = fields[0].partition(".*.")
    if not star or any(c in head + tail for c in ".*") or tail.isdigit():
        return False
    items, item, first = acc._var(), acc._var(), acc._var()
    # "addresses.*.country": every element's value equals the first one's (one element: the rule does
    # not apply, which fails nothing).
    acc._emit(f"{items} = r.get({acc._const(head, 'N')})")
    acc._emit(f"if type({items}) is not list: return False")
    tail_name = acc._const(tail, "N")
    acc._emit(f"{first} = MISSING_")
    acc._emit(f"for {item} in {items}:")
    acc._emit(f"if type({item}) is not dict or {tail_name} not in {item}: return False", 1)
    acc._emit(f"if {first} is MISSING_: {first} = {item}[{tail_name}]", 1)
    acc._emit(f"elif not {item}[{tail_name}] == {first}: return False", 1)
    acc._consts["MISSING_"] = _MISSING
    return True


def _sentiment_matches_rating(acc: RuleAcceptor, rule: Rule) -> bool:
    texts = rule.spec.get("texts")
    if not (isinstance(texts, (list, tuple)) and texts and all(isinstance(t, str) for t in texts)):
        return False
    rating, reads = acc._read(rule.spec.get("rating")), [acc._read(text) for text in texts]
    found = [var for var in reads if var is not None]
    if rating is None or len(found) != len(reads):
        return False
    # An int rating and every text a str (anything else: the plain path); a 3 fits any sentiment, a rating
    # from 4 wants a positive score and one to 2 a negative one (``leans``, what check() asks), of the texts
    # joined by a space.
    joined = " + ' ' + ".join(found)
    acc._emit(f"if type({rating}) is not int or {' or '.join(f'type({v}) is not str' for v in found)}: return False")
    acc._emit(f"if {rating} != 3 and not leans({joined}, {rating} >= 4): return False")
    return True


def _step(value: Any, index: int | None) -> Any:
    """A path's step from a value that is not a dict (the generated reads: :meth:`RuleAcceptor._read`): None
    stays None, a list gives its item at ``index`` (None past its end, or for a key that is no index); any
    other value raises, and the record goes the plain path."""
    if value is None:
        return None
    if type(value) is list:
        return value[index] if index is not None and index < len(value) else None
    raise TypeError("not a plain step")


_MISSING = object()
_EMITTERS: dict[str, Callable[[RuleAcceptor, Rule], bool]] = {
    "sum_of_products": _sum_of_products, "rate_of": _rate_of, "sum": _sum, "ordered": _ordered,
    "email_from_name": _email_from_name, "phone_matches_country": _phone_matches_country,
    "postal_code_matches_country": _postal_code_matches_country, "same_value": _same_value,
    "product_each": _product_each, "present_iff": _present_iff, "status_timestamps": _status_timestamps,
    "sentiment_matches_rating": _sentiment_matches_rating,
}
