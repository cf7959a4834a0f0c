"""Fields of one object that name the same thing agree: a repository's full name, a licence's names, a slug.

A code-hosting API's repository has ``name``, ``full_name`` and an ``owner`` with a ``login``; in every real
record ``full_name`` is ``owner.login/name``. A licence has a ``key``, a ``name`` and an ``spdx_id`` that all
name one licence (``mit``, ``MIT License``, ``MIT``). Each field drawn on its own by its name gives a record
nobody has seen (``tsnyder/environment-order`` owned by ``anthony.morris`` and named ``politics-six``), so the
plan reads, by the kinds the field-name table gives an object's fields, which fields name the same thing and
makes them agree, as identity.py does for a person's email and name. An object's ``slug`` is made from its
``name`` (or ``title``), with a short id after it when the schema marks the slug ``x-unique`` (names may
repeat). GitHub's
``node_id`` encodes the object's type (by the parent's name: an ``owner`` is a ``User``) and its ``id``.

Only a drawn string is replaced, and only in a field with no shape of its own (``pattern``, ``enum``,
``const``, ``format``, a caller's constraint) and room for the value: an absent or null field stays so.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from pytest_testdata.generators.traditional.context_texts import LICENSES, node_id
from pytest_testdata.generators.traditional.field_names import FieldContext, kind_for, parent_words, snake
from pytest_testdata.generators.traditional.identity import may_be_text, put_drawn
from pytest_testdata.quality.rules import Rule, ValueSource

_BY_NAME = {name: (key, name, spdx) for key, name, spdx in LICENSES}
_BY_KEY = {key: (key, name, spdx) for key, name, spdx in LICENSES}
_BY_SPDX = {spdx: (key, name, spdx) for key, name, spdx in LICENSES}
_LICENSE_KINDS = {"license.key": "key", "license.name": "name", "license.spdx_id": "spdx"}


class _Agreeing(Rule):
    """A rule over fields inferred from names (not a kind a schema declares); writes drawn strings only."""

    def __init__(self, spec: Mapping[str, Any], limits: Mapping[str, tuple[int, int | None]]) -> None:
        super().__init__(spec)
        self._limits = limits
        """Per key, the least and the most characters its field takes (``minLength``, ``maxLength``)."""
        self._read = {key: self._getter(key) for key in spec}

    def _value(self, record: Mapping[str, Any], key: str) -> str | None:
        value = self._read[key](record) if key in self._read else None
        return value if isinstance(value, str) else None

    def _put(self, record: dict[str, Any], key: str, value: str) -> None:
        field = str(self.spec[key])
        if "." not in field:  # a field of a nested object (``owner.login``) is read, never written
            put_drawn(record, field, value, *self._limits.get(key, (0, None)))


class RepoFullName(_Agreeing):
    """``full_name`` is ``owner/name``: the owner's ``login`` when the object has one, the repository's
    ``name`` when it has one (else the parts ``full_name`` was drawn with)."""

    kind = "repo_full_name"

    def _parts(self, record: Mapping[str, Any]) -> tuple[str, str] | None:
        full = self._value(record, "full_name")
        if full is None or "/" not in full:
            return None
        owner, _, name = full.partition("/")
        return self._value(record, "owner") or owner, self._value(record, "name") or name

    def check(self, record: Mapping[str, Any]) -> bool | None:
        parts = self._parts(record)
        return None if parts is None else self._value(record, "full_name") == "/".join(parts)

    def enforce(self, record: dict[str, Any], rng: random.Random, values: ValueSource) -> None:
        parts = self._parts(record)
        if parts is not None:
            self._put(record, "full_name", "/".join(parts))


class LicenseNames(_Agreeing):
    """A licence's ``key``, ``name`` and ``spdx_id`` name one licence: the one the first of them names."""

    kind = "license_names"

    def _license(self, record: Mapping[str, Any]) -> tuple[str, str, str] | None:
        for key, table in (("name", _BY_NAME), ("key", _BY_KEY), ("spdx", _BY_SPDX)):
            value = self._value(record, key)
            if value is not None and value in table:
                return table[value]
        return None

    def check(self, record: Mapping[str, Any]) -> bool | None:
        found = self._license(record)
        if found is None:
            return None
        key, name, spdx = found
        return all(self._value(record, field) in (None, want) for field, want in
                   (("key", key), ("name", name), ("spdx", spdx)))

    def enforce(self, record: dict[str, Any], rng: random.Random, values: ValueSource) -> None:
        found = self._license(record)
        if found is not None:
            for field, value in zip(("key", "name", "spdx"), found, strict=True):
                if field in self.spec:
                    self._put(record, field, value)


class SlugOfName(_Agreeing):
    """``slug`` is the object's ``name`` (or ``title``) in lower case with hyphens: ``Probot Owners`` gives
    ``probot-owners``, as the slugs of apps, teams and categories are made. A slug the schema marks
    ``x-unique`` ends in a short id of its own, as a blog's or a shop's are (``probot-owners-k3x9qa``): two
    records may share a name, never a slug."""

    kind = "slug_of_name"

    def _slug(self, record: Mapping[str, Any]) -> str | None:
        name = self._value(record, "name")
        if name is None:
            return None
        text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or None

    def check(self, record: Mapping[str, Any]) -> bool | None:
        slug, drawn = self._slug(record), self._value(record, "slug")
        if slug is None or drawn is None:
            return None
        if self.spec.get("unique"):
            base, _, tail = drawn.rpartition("-")
            return len(tail) == _ID_LENGTH and slug.startswith(base)
        return drawn == slug

    def enforce(self, record: dict[str, Any], rng: random.Random, values: ValueSource) -> None:
        slug = self._slug(record)
        if slug is None:
            return
        if self.spec.get("unique"):
            high = self._limits.get("slug", (0, None))[1]
            room = (high if high is not None else _LONGEST) - _ID_LENGTH - 1
            base = slug[:min(room, _LONGEST)].rstrip("-")
            if not base:
                return
            slug = f"{base}-{''.join(rng.choices(_ID_ALPHABET, k=_ID_LENGTH))}"
        self._put(record, "slug", slug)


_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_ID_LENGTH = 6
"""A unique slug's id: 36**6, about 2 billion, so a repeat is rare and the record is then drawn again."""
_LONGEST = 60
"""A built slug's name part is cut to this many characters at most, as URL slugs are."""


NODE_TYPES: dict[str, str] = {
    "user": "User", "owner": "User", "author": "User", "actor": "User", "sender": "User", "assignee": "User",
    "creator": "User", "committer": "User", "reviewer": "User", "member": "User", "uploader": "User",
    "repository": "Repository", "repo": "Repository", "fork": "Repository", "issue": "Issue",
    "pull_request": "PullRequest", "organization": "Organization", "org": "Organization", "team": "Team",
    "label": "Label", "milestone": "Milestone", "license": "License", "comment": "IssueComment",
    "release": "Release", "commit": "Commit", "gist": "Gist", "app": "App", "integration": "Integration",
    "workflow": "Workflow", "workflow_run": "WorkflowRun", "check_run": "CheckRun", "check_suite": "CheckSuite",
    "deployment": "Deployment", "project": "Project", "discussion": "Discussion", "package": "Package",
}
"""GitHub's object types by the words of the parent's name: the type a legacy node id encodes."""


class NodeIdOfId(_Agreeing):
    """GitHub's ``node_id`` encodes the object's type and its ``id`` (``MDQ6VXNlcjE=``: ``04:User1``)."""

    kind = "node_id_of_id"

    def _node_id(self, record: Mapping[str, Any]) -> str | None:
        key = self._read["id"](record)
        if type(key) is not int and not isinstance(key, str):
            return None
        return node_id(str(self.spec["type"]), key)

    def check(self, record: Mapping[str, Any]) -> bool | None:
        want, drawn = self._node_id(record), self._value(record, "node_id")
        return None if want is None or drawn is None else drawn == want

    def enforce(self, record: dict[str, Any], rng: random.Random, values: ValueSource) -> None:
        want = self._node_id(record)
        if want is not None:
            self._put(record, "node_id", want)


def named_thing_rules(node: Mapping[str, Any], parent: str, constrained: frozenset[str] = frozenset()) -> list[Rule]:
    """A :class:`RepoFullName` and a :class:`LicenseNames` rule for an object schema whose fields, by their
    names, name one repository or one licence; none otherwise. ``constrained``: fields a caller's constraint
    shapes (left as drawn)."""
    properties = node.get("properties")
    if not isinstance(properties, Mapping):
        return []
    context = FieldContext(parent, frozenset(snake(s) for s in properties))
    kinds: dict[str, str] = {}
    for name, sub in properties.items():
        if isinstance(sub, Mapping) and may_be_text(sub) and name not in constrained:
            gen = sub.get("x-gen")
            kind = gen if isinstance(gen, str) else kind_for(name, "string", context)
            if kind is not None and kind not in kinds:
                kinds[kind] = name
    rules: list[Rule] = []
    full = kinds.get("repo.full_name")
    if full is not None and _free(properties[full]):
        spec = {"full_name": full}
        if "repo.name" in kinds:
            spec["name"] = kinds["repo.name"]
        login = _owner_login(properties.get("owner"))
        if login is not None:
            spec["owner"] = f"owner.{login}"
        if len(spec) > 1:
            rules.append(RepoFullName(spec, {"full_name": _lengths(properties[full])}))
    slug = next((name for name in properties if snake(name) == "slug"), None)
    named = next((name for name in properties if snake(name) in ("name", "title")), None)
    if slug is not None and named is not None and slug not in constrained and may_be_text(properties[slug]) \
            and may_be_text(properties[named]) and _free(properties[slug]):
        rules.append(SlugOfName({"slug": slug, "name": named, "unique": bool(properties[slug].get("x-unique"))},
                                {"slug": _lengths(properties[slug])}))
    licence = {_LICENSE_KINDS[k]: field for k, field in kinds.items() if k in _LICENSE_KINDS}
    if len(licence) > 1:
        # A field with a shape of its own keeps its drawn value (a limit of 0 characters writes nothing).
        rules.append(LicenseNames(licence, {key: _lengths(properties[field]) if _free(properties[field]) else (0, 0)
                                            for key, field in licence.items()}))
    node_field = kinds.get("github.node_id")  # last: a licence's key is settled by then
    type_name = next((NODE_TYPES[w] for w in parent_words(parent) if w in NODE_TYPES), None)
    key = "key" if type_name == "License" else "id"
    if node_field is not None and type_name is not None and key in properties and _free(properties[node_field]):
        rules.append(NodeIdOfId({"node_id": node_field, "id": key, "type": type_name},
                                {"node_id": _lengths(properties[node_field])}))
    return rules


def _owner_login(owner: Any) -> str | None:
    """The field of an ``owner`` object that holds its login (GitHub's ``simple-user``), if any."""
    if not isinstance(owner, Mapping) or not isinstance(owner.get("properties"), Mapping):
        return None
    properties = owner["properties"]
    context = FieldContext("owner", frozenset(snake(s) for s in properties))
    return next((name for name, sub in properties.items() if isinstance(sub, Mapping) and may_be_text(sub)
                 and kind_for(name, "string", context) == "username"), None)


def _free(sub: Mapping[str, Any]) -> bool:
    """No shape of its own: a value built from its neighbours can stand in the field."""
    return not any(key in sub for key in ("pattern", "x-patterns", "enum", "const", "format"))


def _lengths(sub: Mapping[str, Any]) -> tuple[int, int | None]:
    low, high = sub.get("minLength"), sub.get("maxLength")
    return (low if isinstance(low, int) and not isinstance(low, bool) else 0,
            high if isinstance(high, int) and not isinstance(high, bool) else None)


__all__ = ["NODE_TYPES", "LicenseNames", "NodeIdOfId", "RepoFullName", "SlugOfName", "named_thing_rules"]
