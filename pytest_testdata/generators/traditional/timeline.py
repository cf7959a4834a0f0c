"""Timestamps of one object in the order their names say: created before updated, issued before due, start
before end.

A user's schema rarely declares that ``updated_at`` follows ``created_at`` (the built-in entities do, with an
``ordered`` rule in ``x-coherence``), yet its validators and its readers expect it: a GitHub issue updated
before it was created is not a record anyone has seen. So the plan reads the order from the field names of
each object and applies the built-in ``ordered`` rule to it: the values drawn are kept, only reordered among
the fields (nulls and values that are not timestamps of one format stay where they are). An object whose
schema declares an ``ordered`` rule of its own keeps that one alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_testdata.generators.traditional.field_names import kind_for, snake
from pytest_testdata.quality.rules import Ordered, Rule

_CREATED = ("created", "created_at", "created_on", "date_created", "creation_date", "creation_time",
            "creation_timestamp", "inserted_at", "registered_at", "signed_up_at", "opened_at", "submitted_at")
_UPDATED = ("updated", "updated_at", "updated_on", "date_updated", "modified", "modified_at", "modified_on",
            "date_modified", "last_modified", "last_modified_at", "last_updated", "last_updated_at",
            "modification_date", "modification_time", "update_date", "update_time", "modified_date",
            "updated_date", "last_modification_date")
_AFTER_CREATED = ("closed_at", "closed_on", "merged_at", "resolved_at", "completed_at", "finished_at",
                  "archived_at", "cancelled_at", "canceled_at", "deleted_at", "approved_at", "accepted_at",
                  "confirmed_at", "processed_at", "paid_at", "shipped_at", "delivered_at", "refunded_at",
                  "returned_at", "published_at", "pushed_at", "last_login", "last_login_at", "last_seen",
                  "last_seen_at", "last_activity_at",
                  # an account's, a key's or a message's later steps; the _on spellings Flask-AppBuilder's use
                  "completed_on", "archived_on", "cancelled_on", "deleted_on", "approved_on", "confirmed_on",
                  "paid_on", "published_on", "revoked_at", "revoked_on", "verified_at", "verified_on",
                  "activated_at", "deactivated_at", "suspended_at", "locked_at", "rejected_at", "sent_at",
                  "read_at", "last_used", "last_used_at", "last_used_on", "last_login_on")
_ISSUED = ("issued", "issued_at", "issued_on", "issue_date", "date_issued", "invoice_date", "billed_at")
_DUE = ("due", "due_at", "due_on", "due_date", "date_due", "payment_due", "payment_due_date", "expires_at",
        "expires_on", "expiry_date", "expiration_date")
"""A due or expiry date follows the issue (else the creation) only: it is no step of the object's history
(an invoice is often paid before it is due)."""
_START = ("start", "starts", "start_at", "starts_at", "started_at", "start_time", "start_date", "begins_at",
          "valid_from", "effective_from", "from_date", "period_start")
_END = ("end", "ends", "end_at", "ends_at", "ended_at", "end_time", "end_date", "valid_until", "valid_to",
        "effective_to", "to_date", "period_end", "until")


def inferred_orders(properties: Mapping[str, Any]) -> list[list[str]]:
    """The orders the names of an object's properties imply, each a list of property names from the earliest:
    its creation, what happened since (in the schema's order), its last update; its issue (else its
    creation) and when it is due or expires; and start, end. Strings
    (ISO 8601 timestamps) and integers (seconds since 1970: GitHub's ``created``) are ordered among their own
    type only, and strings among those of their own ``format`` (a ``date`` never takes a ``date-time``)."""
    # Strings in one order share their shape: a date and a date-time are never swapped into each other.
    shapes = {name: _shape(name, sub) for name, sub in properties.items() if _of_type(sub, "string")}
    return [*(order for shape in dict.fromkeys(shapes.values())
              for order in _orders({snake(name): name for name, of in shapes.items() if of == shape})),
            *_orders({snake(name): name for name, sub in properties.items() if _of_type(sub, "integer")})]


def _shape(name: str, sub: Mapping[str, Any]) -> Any:
    """What a string field holds: its ``format``, else its kind by name (``due_date`` a date, ``createdAt``
    a timestamp)."""
    declared = sub.get("format")
    if declared is None:
        return kind_for(name, "string")
    return "timestamp" if declared == "date-time" else declared  # the kind a date-time field has by name


def _orders(names: Mapping[str, str]) -> list[list[str]]:
    orders: list[list[str]] = []
    created = next((names[n] for n in _CREATED if n in names), None)
    if created is not None:
        after = [names[n] for n in names if n in _AFTER_CREATED]
        updated = next((names[n] for n in _UPDATED if n in names), None)
        order = [created, *after, *([updated] if updated is not None else [])]
        if len(order) > 1:
            orders.append(order)
    issued = next((names[n] for n in _ISSUED if n in names), created)
    due = next((names[n] for n in _DUE if n in names), None)
    if issued is not None and due is not None:
        orders.append([issued, due])
    start = next((names[n] for n in _START if n in names), None)
    end = next((names[n] for n in _END if n in names), None)
    if start is not None and end is not None:
        orders.append([start, end])
    return orders


def timeline_rules(node: Mapping[str, Any]) -> list[Rule]:
    """``ordered`` rules for an object schema's inferred orders; none when it declares an order itself."""
    declared = node.get("x-coherence")
    if isinstance(declared, (list, tuple)) and any(isinstance(r, Mapping) and r.get("kind") == "ordered"
                                                   for r in declared):
        return []
    properties = node.get("properties")
    if not isinstance(properties, Mapping):
        return []
    return [Ordered({"kind": "ordered", "fields": order}) for order in inferred_orders(properties)]


def creation_time(properties: Mapping[str, Any], names: tuple[str, ...] = _CREATED) -> str | None:
    """The property that holds when the object came to be (``created_at``, ``inserted_at``...; the first of
    ``names`` the object has), when it is a ``date-time`` string; None otherwise."""
    by_name = {snake(name): name for name, sub in properties.items()
               if _of_type(sub, "string") and sub.get("format") == "date-time"}
    return next((by_name[n] for n in names if n in by_name), None)


def _of_type(sub: Any, kind: str) -> bool:
    """Whether the value is ``kind`` (or null): a field that may hold a string or an integer is in neither
    order, since the two do not compare."""
    if not isinstance(sub, Mapping):
        return False
    types = sub.get("type")
    if isinstance(types, list):
        return kind in types and all(t in (kind, "null") for t in types)
    return types == kind


__all__ = ["creation_time", "inferred_orders", "timeline_rules"]
