"""The table of recognised field names: a field's name and its context -> the kind of value it holds.

A user's schema rarely says "a person's name" or "an ISO 4217 code"; its field names do. This module is
the one table the traditional strategy reads to give such fields realistic values (the values themselves
come from :mod:`pytest_testdata.generators.traditional.kinds`). It is data: a row names a kind, the field
names it covers and, where a name means different things in different places, the context it needs.

Names are compared in one spelling, whatever the schema's style: ``userName``, ``user_name``,
``user-name`` and ``UserName`` are all ``user_name`` (:func:`snake`). A row's ``names`` are shell-style
patterns on that spelling (``*_at`` is ``created_at``, ``updatedAt``...). The context is:

``parents``
    words of the enclosing object's name (for a top-level field, the entity's name or title); the object
    ``customer``, ``billing_contact`` or ``authors`` (an array of them) all have the word ``customer`` /
    ``contact`` / ``author``. When several words of the parent are known, the last one decides
    (``company_contact`` is a contact, ``user_organization`` an organization).
``siblings``
    names of the other fields of the same object (``state`` beside ``city`` or ``zip`` is a region).

Rows are tried in order, the first that matches wins; :func:`add_field_names` puts a user's rows first.
Fields with an ``enum``, ``const`` or explicit ``x-gen`` are not looked up; a ``format`` or a
``pattern`` is honoured whatever the name says (see :mod:`kinds`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from fnmatch import translate
from functools import lru_cache

from pytest_testdata.frozen import Frozen

PERSON = frozenset((
    "user", "author", "owner", "contact", "customer", "committer", "person", "people", "assignee", "member",
    "creator", "actor", "sender", "reviewer", "requester", "employee", "buyer", "seller", "tagger", "maintainer",
    "admin", "invitee", "inviter", "holder", "individual", "recipient", "patient", "student", "teacher", "guest",
    "passenger", "driver", "applicant", "candidate", "subscriber", "participant", "attendee", "speaker",
    "manager", "beneficiary", "profile", "collaborator", "contributor", "traveler", "traveller", "client",
    "shopper", "consumer", "payer", "payee", "signer", "approver", "submitter", "reporter", "watcher",
    "follower", "friend", "spouse", "doctor", "nurse", "billing_details", "cardholder",
    "account_holder", "shipping_contact", "emergency_contact", "uploader", "editor", "organizer", "organiser",
    "moderator", "by", "hero", "player", "athlete", "artist", "musician", "writer", "tenant", "resident",
    "volunteer", "coach", "instructor", "trainer", "worker", "character",
))
"""Parent words whose ``name`` is a person's full name (``by``: ``closed_by``, ``created_by``, ``merged_by``)."""
PRODUCT = frozenset(("product", "item", "line_item", "article", "good", "merchandise", "sku", "offering",
                     "listing", "variant", "catalog_item", "order_item", "cart_item", "line", "order_line",
                     "invoice_line", "purchase_line"))
"""Parent words whose ``name`` is a product's name."""
COMPANY = frozenset(("company", "organization", "organisation", "org", "business", "employer", "vendor",
                     "supplier", "merchant", "brand", "manufacturer", "publisher", "enterprise", "firm", "partner",
                     "carrier", "agency", "institution", "sponsor", "advertiser", "store", "shop", "retailer"))
"""Parent words whose ``name`` is a company's name."""
FILE = frozenset(("file", "attachment", "document", "asset", "artifact", "artefact", "upload", "download",
                  "image", "media", "photo", "picture", "avatar", "thumbnail", "blob", "content"))
"""Parent words whose ``name`` is a file name."""
CODE = frozenset(("repository", "repo", "project", "gist", "codebase", "snippet", "package", "library", "module",
                  "code", "source", "code_sample"))
"""Parent words whose ``language`` is a programming language."""
REPOSITORY = frozenset(("repository", "repo", "fork", "package", "library", "module", "gist"))
"""Parent words whose ``name`` is a repository's or package's name (``harbor-lantern``)."""
LICENSE = frozenset(("license", "licence"))
APP = frozenset(("app", "github_app", "integration", "application", "bot", "oauth_app", "installation"))
"""Parent words whose ``name`` is an app's or a bot's (``performed_via_github_app``)."""
TEAM = frozenset(("team", "squad"))
"""Parent words whose ``name`` is a team's."""
DEPARTMENT = frozenset(("department", "division", "business_unit", "dept"))
"""Parent words whose ``name`` is a department's."""
ROLE = frozenset(("role", "user_role", "access_role", "permission_group"))
"""Parent words whose ``name`` is a role's (``admin``)."""
DISH = frozenset(("recipe", "dish", "meal", "menu_item"))
"""Parent words whose ``name`` is a dish's."""
INGREDIENT = frozenset(("ingredient", "food", "ingredient_food", "pantry_item", "grocery_item"))
"""Parent words whose ``name`` is a food's or an ingredient's."""
UNIT = frozenset(("ingredient_unit", "unit_of_measure", "measurement_unit", "uom"))
"""Parent words whose ``name`` is a unit of measure's (not a bare ``unit``: a flat's, an army's)."""
WORKFLOW = frozenset(("workflow", "workflow_run", "check_run", "check_suite", "pipeline"))
"""Parent words whose ``name`` is a CI workflow's or check's (not ``job``: a job board's is a job)."""
"""Parent words whose ``name`` and ``key`` are a licence's (``MIT License``, ``mit``)."""
PERSON_SIBLINGS = ("email", "email_address", "login", "username", "user_name", "avatar_url", "gravatar_id")
"""Sibling names that make an object's ``name`` a person's (GitHub's user objects, under any parent name)."""
JOB = frozenset(("job", "position", "employment", "role_assignment", "occupation", "vacancy", "opening"))
"""Parent words whose ``title`` is a job title (beside :data:`PERSON`)."""
PET = frozenset(("pet", "animal", "dog", "cat", "puppy", "kitten"))
"""Parent words whose ``name`` is a pet's name."""
ISSUE = frozenset(("issue", "ticket", "task", "subtask", "todo", "bug", "defect", "incident", "pull_request",
                   "merge_request", "change_request", "feature_request", "work_item", "epic", "discussion",
                   "question"))
"""Parent words whose ``title`` (or ``name``, ``summary``, ``subject``) is the summary line of a piece of work."""
MILESTONE = frozenset(("milestone", "sprint", "iteration", "release"))
"""Parent words whose ``title`` (or ``name``) is a milestone's title (``v2.4``, ``Sprint 14``)."""
HEADLINE = frozenset(("article", "post", "blog_post", "blog", "news", "book", "chapter", "essay", "publication",
                      "newsletter", "podcast", "episode", "page", "web_page", "wiki_page", "document", "content",
                      "content_item", "story"))
"""Parent words whose ``title`` is a headline (a CMS's pages and documents too)."""
ADDRESS = frozenset(("address", "location", "billing", "shipping", "residence", "home", "place", "geo", "postal",
                     "destination", "origin", "venue", "premises", "mailing", "delivery", "office", "branch"))
"""Parent words of a postal address."""
ADDRESS_SIBLINGS = ("city", "town", "street", "street*", "zip", "zip_code", "zipcode", "postal_code", "postcode",
                    "country", "country_code", "address_line*", "line1", "line_1", "locality", "county")
"""Sibling names that make an object an address (``state`` beside ``city`` is a region, not a status)."""


class FieldName(Frozen):
    """One row of the table: field names (and their context) that hold values of one kind."""

    __slots__ = ("kind", "names", "parents", "siblings", "types", "example")  # noqa: RUF023 (in field order: Frozen)

    kind: str
    names: tuple[str, ...]
    parents: frozenset[str]
    """Words of the parent object's name this row needs (empty: any parent)."""
    siblings: tuple[str, ...]
    """Patterns of sibling field names, one of which must be present (empty: no need)."""
    types: tuple[str, ...]
    """JSON types of the field this row applies to."""
    example: str
    """A value of the kind, for the documentation."""

    def __init__(self, kind: str, names: tuple[str, ...], parents: frozenset[str] = frozenset(),
                 siblings: tuple[str, ...] = (), types: tuple[str, ...] = ("string",), example: str = "") -> None:
        setter = object.__setattr__
        setter(self, "kind", kind)
        setter(self, "names", names)
        setter(self, "parents", parents)
        setter(self, "siblings", siblings)
        setter(self, "types", types)
        setter(self, "example", example)

    def matches(self, name: str, parent_words: tuple[str, ...], siblings: frozenset[str], json_type: str) -> bool:
        if json_type not in self.types or not _patterns(self.names).match(name):
            return False
        if self.parents and _decisive(parent_words, self.parents) not in self.parents:
            return False
        if not self.siblings:
            return True
        beside = _patterns(self.siblings)
        return any(beside.match(s) for s in siblings)


def _sorted_patterns(patterns: Iterable[str]) -> tuple[set[str], list[str], list[str], list[str], list[str]]:
    """Shell-style patterns by how they are matched: names, ``prefix*``, ``*suffix``, ``*part*`` (as the
    bare text, without stars) and the rest (whole patterns, for a regex)."""
    exact: set[str] = set()
    prefixes: list[str] = []
    suffixes: list[str] = []
    parts: list[str] = []
    other: list[str] = []
    for pattern in patterns:
        inner = pattern.strip("*")
        if "*" in inner or "?" in inner or "[" in inner:  # (not any(<generator>): ~1,000 patterns at first use)
            other.append(pattern)
        elif pattern.startswith("*") and pattern.endswith("*") and len(pattern) > 1:
            parts.append(inner)
        elif pattern.startswith("*"):
            suffixes.append(inner)
        elif pattern.endswith("*"):
            prefixes.append(inner)
        else:
            exact.add(pattern)
    return exact, prefixes, suffixes, parts, other


class _Globs:
    """A row's shell-style patterns (``fnmatchcase`` semantics). Almost all are a name, ``prefix*``,
    ``*suffix`` or ``*part*``, matched with string methods; only the rest are compiled to a regex. Compiling
    every row's regex cost about 30 ms of the first record in a fresh process."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        exact, prefixes, suffixes, parts, other = _sorted_patterns(patterns)
        self._exact = frozenset(exact)
        self._prefixes, self._suffixes, self._parts = tuple(prefixes), tuple(suffixes), tuple(parts)
        self._other = re.compile("|".join(f"(?:{translate(p)})" for p in other)) if other else None

    def match(self, name: str) -> bool:
        if name in self._exact or (self._prefixes and name.startswith(self._prefixes)) \
                or (self._suffixes and name.endswith(self._suffixes)):
            return True
        for part in self._parts:  # a loop, not any(<generator>): every row is asked for each new name
            if part in name:
                return True
        return self._other is not None and self._other.match(name) is not None


@lru_cache(maxsize=1024)
def _patterns(patterns: tuple[str, ...]) -> _Globs:
    """The matcher of a row's shell-style patterns."""
    return _Globs(patterns)


_CONTEXT_WORDS = (PERSON | PRODUCT | COMPANY | FILE | JOB | ADDRESS | CODE | PET | ISSUE | MILESTONE | HEADLINE
                  | REPOSITORY | LICENSE | APP | TEAM | WORKFLOW | DEPARTMENT | ROLE | DISH | INGREDIENT | UNIT)


QUALIFIERS = frozenset(("type", "kind", "field", "template", "setting", "config", "configuration", "status",
                        "state", "event", "rule", "option", "policy", "permission", "stat", "statistic", "metric"))
"""Last words that make a parent a description of a thing, not the thing: an ``issue_type``'s or a
``pet_field``'s ``name`` is not an issue's or a pet's."""


def _decisive(parent_words: tuple[str, ...], wanted: frozenset[str]) -> str | None:
    """The parent's word that says what it is: the whole name if known, else its last known word (a word
    of the table's contexts or of the row's own); None once a :data:`QUALIFIERS` word comes first."""
    for word in parent_words:
        if word in wanted or word in _CONTEXT_WORDS:
            return word
        if word in QUALIFIERS:
            return None
    return None


_NUM = ("integer", "number")
_ANY_TEXT = ("string",)

TABLE: tuple[FieldName, ...] = (
    # -- people ------------------------------------------------------------------------------------------------
    FieldName("repo.full_name", ("full_name",), parents=REPOSITORY,
              example="maria-schneider/harbor-lantern (`full_name` under `repository`)"),
    FieldName("repo.name", ("name",), parents=REPOSITORY, example="harbor-lantern (`name` under `repository`)"),
    FieldName("github.node_id", ("node_id",), siblings=("html_url", "avatar_url", "url", "events_url"),
              example="MDQ6VXNlcjU4MzIzMQ== (GitHub's, beside `url`)"),
    FieldName("package_url", ("package_url", "purl", "*_purl"), example="pkg:npm/harbor-lantern@2.4.1"),
    FieldName("license.name", ("name",), parents=LICENSE, example="MIT License (`name` under `license`)"),
    FieldName("app.name", ("name",), parents=APP, example="Probot Owners (`name` under `performed_via_github_app`)"),
    FieldName("team.name", ("name",), parents=TEAM, example="Design Systems (`name` under `team`)"),
    FieldName("department.name", ("name",), parents=DEPARTMENT, example="Customer Support (`name` under "
                                                                          "`department`)"),
    FieldName("role.name", ("name",), parents=ROLE, example="billing manager (`name` under `role`)"),
    FieldName("dish.name", ("name", "title"), parents=DISH,
              example="Lemon Garlic Chicken Skewers (`name` under `recipe`)"),
    FieldName("ingredient.name", ("name",), parents=INGREDIENT, example="basmati rice (`name` under `food`)"),
    FieldName("unit.name", ("name",), parents=UNIT, example="tablespoon (`name` under `ingredient_unit`)"),
    FieldName("workflow.name", ("name",), parents=WORKFLOW, example="Build and test (`name` under `workflow_run`)"),
    FieldName("license.key", ("key",), parents=LICENSE, example="apache-2.0 (`key` under `license`)"),
    FieldName("license.spdx_id", ("spdx_id", "spdx", "spdx_identifier", "spdx_license_id", "license", "licence"),
              example="Apache-2.0 (a `license` string: a package's)"),
    FieldName("person.first_name", ("first_name", "firstname", "given_name", "forename", "givenname"),
              example="Maria"),
    FieldName("person.last_name", ("last_name", "lastname", "surname", "family_name", "familyname"),
              example="Schneider"),
    FieldName("person.name", ("full_name", "fullname", "display_name", "real_name", "legal_name", "person_name",
                              "contact_name", "customer_name", "author_name", "owner_name", "holder_name",
                              "account_holder_name", "cardholder_name", "card_holder_name", "recipient_name",
                              "sender_name", "buyer_name", "patient_name", "employee_name", "user_full_name",
                              "name_on_card", "beneficiary_name", "passenger_name", "guest_name",
                              # a person by their role (an employee table's joined subclasses name theirs so)
                              "manager_name", "engineer_name", "developer_name", "agent_name", "supervisor_name",
                              "driver_name", "doctor_name", "teacher_name", "student_name", "member_name",
                              "player_name", "reviewer_name", "assignee_name", "requester_name", "reporter_name",
                              "applicant_name", "candidate_name"),
              example="Maria Schneider"),
    FieldName("person.name", ("name",), parents=PERSON, example="James Walker (`name` under `customer`)"),
    FieldName("username", ("username", "user_name", "login", "user_login", "handle", "screen_name", "nickname",
                           "nick", "*_username", "*_login", "gamertag", "twitter", "github"),
              example="maria.schneider"),
    FieldName("job_title", ("job_title", "job", "jobtitle", "occupation", "position_title", "designation",
                            "profession", "job_name", "role_title"), example="Data scientist"),
    FieldName("job_title", ("title",), parents=PERSON | JOB, example="Civil engineer (`title` under `employee`)"),
    FieldName("age", ("age", "*_age", "age_years", "age_in_years"), types=_NUM, example="42"),
    FieldName("birth_date", ("birthday", "birth_date", "birthdate", "date_of_birth", "dob", "born", "born_on",
                             "birth_day"), example="1987-06-14"),
    # -- organisations and products ----------------------------------------------------------------------------
    FieldName("company", ("company", "company_name", "organization", "organisation", "organization_name",
                          "organisation_name", "org_name", "employer", "employer_name", "business_name",
                          "vendor", "vendor_name", "supplier", "supplier_name", "merchant_name", "manufacturer",
                          "brand", "brand_name", "publisher", "carrier", "carrier_name", "legal_entity_name"),
              example="Harris, Brooks and Lee"),
    FieldName("company", ("name",), parents=COMPANY, example="Harris, Brooks and Lee (`name` under `company`)"),
    FieldName("product.name", ("product_name", "item_name", "product_title", "article_name"),
              example="Premium Yoga Mat"),
    FieldName("pet.name", ("pet_name", "petname", "dog_name", "cat_name", "animal_name", "pet_names"),
              example="Bella"),
    FieldName("pet.name", ("name",), parents=PET, example="Luna (`name` under `pet`, as a Petstore `Pet`'s)"),
    FieldName("issue.title", ("title", "name", "summary", "subject"), parents=ISSUE,
              example="Fix CSV export on mobile (`title` under `issue`, `ticket`, `task`, `pull_request`)"),
    FieldName("milestone.title", ("title", "name"), parents=MILESTONE,
              example="Sprint 14 (`title` under `milestone`)"),
    FieldName("headline", ("title",), parents=HEADLINE,
              example="A beginner's guide to sourdough baking (`title` under `article`, `post`, `book`)"),
    FieldName("product.name", ("name", "title"), parents=PRODUCT, example="Premium Yoga Mat (`name` under `product`)"),
    FieldName("file.name", ("name",), parents=FILE, example="quarterly-report.pdf (`name` under `attachment`)"),
    FieldName("sku", ("sku", "*_sku", "sku_code", "sku_number", "stock_keeping_unit"), example="PDD-60784"),
    FieldName("category", ("category", "*_category", "category_name", "categories", "product_category"),
              example="electronics"),
    FieldName("category", ("name",), parents=frozenset({"category"}), example="books (`name` under `category`)"),
    FieldName("tag", ("name",), parents=frozenset({"tag", "label", "keyword"}), example="sale (`name` under `tags`)"),
    FieldName("address.country", ("code",), parents=frozenset({"country"}), example="DE (`code` under `country`)"),
    FieldName("country_name", ("name",), parents=frozenset({"country"}), example="Germany (`name` under `country`)"),
    FieldName("country_name", ("country_name", "*_country_name", "country_full_name"), example="Germany"),
    FieldName("address.city", ("name",), parents=frozenset({"city", "town"}),
              example="Springfield (`name` under `city`)"),
    FieldName("currency", ("code",), parents=frozenset({"currency"}), example="EUR (`code` under `currency`)"),
    FieldName("language", ("code",), parents=frozenset({"language"}), example="de (`code` under `language`)"),
    # -- money -------------------------------------------------------------------------------------------------
    FieldName("currency", ("currency", "currency_code", "*_currency", "currency_iso", "currency_iso_code", "ccy",
                           "*_currency_code", "iso_currency_code", "currencycode"), example="EUR"),
    FieldName("iban", ("iban", "*_iban", "iban_number", "iban_code"), example="DE89370400440532013000"),
    FieldName("card.number", ("card_number", "credit_card_number", "creditcard_number", "cc_number", "pan",
                              "card_no", "primary_account_number", "debit_card_number", "card_num"),
              example="4242424242424242"),
    FieldName("card.last_four", ("last4", "last_4", "last_four", "card_last_four", "card_last4", "last_four_digits",
                                 "last_digits"), example="0416"),
    FieldName("money", ("price", "*_price", "amount", "*_amount", "total", "*_total", "subtotal", "sub_total",
                        "cost", "*_cost", "fee", "*_fee", "fees", "balance", "*_balance", "tax", "*_tax", "discount",
                        "*_discount", "tip", "refund", "*_refund", "deposit", "payout", "surcharge"),
              types=_NUM, example="49.99"),
    FieldName("money", ("price", "*_price", "amount", "*_amount", "total", "*_total", "subtotal"),
              example="49.99 (a string field)"),
    FieldName("promo_code", ("coupon", "coupon_code", "*_coupon_code", "promo", "promo_code", "promotion_code",
                             "voucher", "voucher_code", "discount_code", "gift_code", "referral_code", "redeem_code",
                             "redemption_code"), example="SPRING15"),
    # -- dates and times without a format ----------------------------------------------------------------------
    FieldName("timestamp", ("*_at", "timestamp", "*_timestamp", "created", "updated", "modified", "deleted",
                            "published", "submitted", "last_modified", "last_login", "last_seen", "expires",
                            "expiry", "expiration", "datetime", "*_datetime", "date_time", "*_date_time",
                            "*_time_utc", "created_on", "updated_on", "modified_on", "deleted_on", "last_updated",
                            "date_created", "date_updated", "date_modified"),
              example="2025-03-04T05:06:07Z"),
    FieldName("unix_time", ("*_at", "timestamp", "*_timestamp", "created", "updated", "modified", "deleted",
                            "published", "submitted", "last_modified", "last_login", "last_seen", "expires",
                            "expiry", "expiration", "datetime", "*_datetime", "created_on", "updated_on",
                            "last_updated", "date_created", "date_updated", "date_modified", "*_epoch", "epoch",
                            "*_unix", "*_ts", "ts", "period_start", "period_end", "*_period_start",
                            "*_period_end", "trial_start", "trial_end"),
              types=_NUM, example="1741064767 (an integer `created` or `expires_at`: seconds since 1970)"),
    FieldName("date", ("date", "*_date", "date_of_*", "day_of_*"), example="2025-03-04"),
    FieldName("time", ("time", "time_of_day", "*_time_of_day", "opening_time", "closing_time", "opens_at_time",
                       "closes_at_time", "local_time"), example="14:05:00+01:00"),
    FieldName("timestamp", ("*_time", "start", "end", "starts", "ends", "since", "until"),
              example="2025-03-04T05:06:07Z"),
    # -- places ------------------------------------------------------------------------------------------------
    FieldName("address.line2", ("line2", "line_2", "address_line2", "address_line_2", "address2", "address_2",
                                "street_line2", "street_line_2", "street2", "street_2"), example="Apt 4B"),
    FieldName("address.line2", ("apartment", "apt", "suite", "unit", "flat", "floor"), parents=ADDRESS,
              example="Suite 300 (`suite` under `address`)"),
    FieldName("address.line2", ("apartment", "apt", "suite", "unit", "flat", "floor"), siblings=ADDRESS_SIBLINGS,
              example="Flat 3 (`flat` beside `street` or `city`)"),
    FieldName("address.street", ("street", "street_address", "street_line*", "address_line*", "address1",
                                 "address_1", "line1", "line_1", "street_name", "address_street"),
              example="742 Evergreen Terrace"),
    FieldName("address.street", ("address",), siblings=ADDRESS_SIBLINGS, example="742 Evergreen Terrace"),
    FieldName("house_number", ("house_number", "street_number", "building_number", "house_no", "house_num",
                               "apartment_number", "unit_number", "flat_number", "suite_number"), example="12"),
    FieldName("address.city", ("city", "town", "city_name", "locality", "*_city", "municipality"),
              example="Springfield"),
    FieldName("address.state", ("state", "region", "province", "state_province", "state_code", "state_or_province",
                                "prefecture", "county", "administrative_area", "*_state", "*_region",
                                "*_province", "subdivision"),
              parents=ADDRESS, example="California (a field under `address`)"),
    FieldName("address.state", ("state", "region", "province", "state_province", "state_code", "state_or_province",
                                "prefecture", "county", "administrative_area", "subdivision"),
              siblings=ADDRESS_SIBLINGS, example="Bayern (beside `city` or `zip`)"),
    FieldName("address.state", ("province", "state_province", "state_or_province", "prefecture", "county",
                                "administrative_area", "subdivision", "*_state", "*_province"),
              example="Ontario"),
    FieldName("address.postal_code", ("postal_code", "postcode", "post_code", "zip", "zip_code", "zipcode",
                                      "postal", "*_postal_code", "*_zip", "*_zip_code", "*_postcode", "plz"),
              example="94105"),
    FieldName("address.country", ("country", "country_code", "*_country", "*_country_code", "country_iso",
                                  "nationality", "countrycode", "iso_country", "country_iso_code"), example="DE"),
    FieldName("latitude", ("lat", "latitude", "*_lat", "*_latitude"), types=(*_NUM, "string"), example="48.137154"),
    FieldName("longitude", ("lng", "lon", "long", "longitude", "*_lng", "*_lon", "*_longitude"),
              types=(*_NUM, "string"), example="11.576124"),
    FieldName("timezone", ("timezone", "time_zone", "tz", "tzid", "tz_name", "*_timezone", "*_time_zone", "iana_tz",
                           "olson_tz"), example="Europe/Berlin"),
    FieldName("programming_language", ("language", "lang", "primary_language", "programming_language"),
              parents=CODE, example="Python (`language` under `repository`)"),
    FieldName("programming_language", ("programming_language", "primary_language", "runtime_language"),
              example="TypeScript"),
    FieldName("language", ("language", "lang", "language_code", "lang_code", "*_language", "*_lang",
                           "iso_language", "spoken_language", "native_language"), example="de"),
    FieldName("locale", ("locale", "*_locale", "locale_code", "culture", "ui_locale", "preferred_locale",
                         "accept_language"), example="de-DE"),
    # -- contact and the internet ------------------------------------------------------------------------------
    FieldName("email", ("*email*", "*e_mail*", "mail"), example="maria.schneider12@example.com"),
    FieldName("phone", ("*phone*", "mobile", "telephone", "tel", "fax", "cell", "*_mobile", "mobile_number",
                        "msisdn"), example="+49 30 901820"),
    FieldName("url", ("url", "*_url", "uri", "*_uri", "href", "*_href", "link", "*_link", "homepage", "website",
                      "web_site", "blog", "permalink_url", "endpoint", "callback", "webhook"),
              example="https://www.harbor.example/lantern"),
    FieldName("domain", ("domain", "*_domain", "hostname", "host_name", "host", "fqdn", "domain_name",
                         "*_hostname", "*_host"), example="api.harbor.example"),
    FieldName("ip", ("ip", "ip_address", "ipaddress", "*_ip", "*_ip_address", "remote_addr", "remote_address",
                     "client_address", "ip_addr", "source_ip", "address_ip"), example="203.0.113.45"),
    FieldName("ipv4", ("ipv4", "ipv4_address", "*_ipv4"), example="198.51.100.7"),
    FieldName("ipv6", ("ipv6", "ipv6_address", "*_ipv6"), example="2001:db8:85a3::8a2e:370:7334"),
    FieldName("mac_address", ("mac", "mac_address", "*_mac_address", "macaddress", "hw_address", "bssid"),
              example="02:5e:9a:11:c4:80"),
    FieldName("user_agent", ("user_agent", "useragent", "ua", "browser_user_agent"),
              example="Mozilla/5.0 (X11; Linux x86_64) ..."),
    FieldName("slug", ("slug", "*_slug", "permalink", "handle_slug", "url_slug", "short_name_slug"),
              example="trail-backpack-review"),
    # -- software, files and digests ---------------------------------------------------------------------------
    FieldName("version", ("version", "*_version", "semver", "version_number", "version_name", "release",
                          "app_version", "sdk_version", "api_version"), example="2.14.3"),
    FieldName("file.name", ("file_name", "filename", "*_file_name", "*_filename", "attachment_name",
                            "document_name", "original_name", "original_filename", "basename"),
              example="quarterly-report.pdf"),
    FieldName("file.path", ("path", "file_path", "filepath", "*_path", "directory", "dir", "folder"),
              example="docs/guides/setup.md"),
    FieldName("mime_type", ("mime_type", "mimetype", "content_type", "media_type", "*_content_type",
                            "*_mime_type", "*_media_type", "mime", "file_type_mime"), example="application/pdf"),
    FieldName("hash.sha256", ("sha256", "*_sha256", "sha_256", "sha256_*", "checksum_sha256", "digest"),
              example="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    FieldName("hash.md5", ("md5", "*_md5", "md5_*", "md5sum", "md5_checksum"),
              example="5d41402abc4b2a76b9719d911017c592"),
    FieldName("hash.sha1", ("sha", "sha1", "*_sha", "*_sha1", "sha_1", "commit_id", "commit_sha", "git_sha",
                            "commit_hash"),
              example="a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"),
    FieldName("hash.sha256", ("hash", "*_hash", "checksum", "*_checksum", "fingerprint"),
              example="2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"),
    FieldName("uuid", ("uuid", "guid", "*_uuid", "*_guid", "id", "*_id", "uid", "external_id"),
              example="1b4e28ba-2fa1-41d2-883f-0016d3cca427 (a string `id` without a format)"),
    FieldName("identifier", ("id", "*_id", "uid", "external_id"), types=("integer",),
              example="48213 (an integer `id` with no bounds of its own)"),
    FieldName("password", ("password", "*_password", "passwd", "pass_phrase", "passphrase", "pwd"),
              example="x8!Kq2#rTz9m"),
    FieldName("token", ("token", "*_token", "api_key", "apikey", "*_api_key", "secret", "*_secret", "access_key",
                        "client_secret", "nonce"), example="tok_5f2b8c0e9d4a7b61c3e8f0a2d9b7c415"),
    FieldName("reference", ("reference", "*_reference", "reference_number", "reference_no", "*_number", "*_no",
                            "confirmation", "confirmation_code", "booking_code", "tracking_code", "order_ref",
                            "invoice_ref", "booking_ref"),
              example="INV-2024-003918 (`invoice_number`: the prefix follows the name)"),
    # -- numbers -----------------------------------------------------------------------------------------------
    FieldName("year", ("year", "*_year", "year_*", "yob"), types=_NUM, example="2019"),
    FieldName("percent", ("percent", "percentage", "*_percent", "*_percentage", "pct", "*_pct"), types=_NUM,
              example="37.5"),
    FieldName("port", ("port", "*_port", "port_number"), types=("integer",), example="8443"),
    FieldName("quantity", ("quantity", "qty", "*_quantity", "*_qty", "quantity_*", "units", "stock",
                           "stock_level", "inventory", "items_in_stock"), types=_NUM, example="3"),
    FieldName("rating", ("rating", "*_rating", "rating_*", "stars", "star_rating"), types=_NUM, example="4"),
    FieldName("weight", ("weight", "*_weight", "weight_*", "*_kg", "mass"), types=_NUM, example="2.35 (kilograms)"),
    # -- words and text ----------------------------------------------------------------------------------------
    FieldName("status", ("status", "state", "*_status"), example="active"),
    FieldName("colour", ("color", "colour", "*_color", "*_colour", "color_*", "colour_*", "hex_color",
                         "hex_colour", "rgb"), example="#3a7bd5"),
    FieldName("version", ("tag_name", "tag"), parents=frozenset({"release"}),
              example="2.14.3 (`tag_name` under `release`)"),
    FieldName("branch", ("branch", "*_branch", "branch_name"), example="feature/csv-export"),
    FieldName("tag", ("tag", "tags", "*_tag", "*_tags", "label", "labels", "keyword", "keywords", "topic", "topics"),
              example="sale (each item of `tags`)"),
    FieldName("code", ("code", "*_code"), example="KX-4821 (any other `code`)"),
    FieldName("sentence", ("description", "*_description", "desc", "comment", "*_comment", "comments", "body",
                           "*_body", "summary", "*_summary", "message", "*_message", "bio", "biography", "about",
                           "notes", "note", "text", "content", "details", "remarks", "caption", "abstract",
                           "excerpt", "reason", "instructions", "feedback", "review_text", "headline", "subtitle",
                           "subject"),
              example="Soft quiet morning light over the harbour."),
    FieldName("person.name", ("name",), siblings=PERSON_SIBLINGS,
              example="Maria Schneider (`name` beside `email` or `login`)"),
    FieldName("thing.name", ("name",), example="Silver Harbor (any other `name`: a band's, a project's, a hotel's)"),
    FieldName("product.name", ("title", "*_title", "*_name", "display_title"),
              example="Premium Yoga Mat (any other `title`, or `*_name`)"),
)
"""The built-in rows, in the order they are tried."""

_USER_ROWS: list[FieldName] = []


def add_field_names(rows: Iterable[FieldName]) -> None:
    """Put a user's rows before the built-in ones (later additions before earlier ones)."""
    _USER_ROWS[:0] = list(rows)
    _table_changed()


def remove_field_names(kinds: Iterable[str]) -> None:
    """Drop the user's rows of these kinds (the built-in ones stay)."""
    gone = set(kinds)
    _USER_ROWS[:] = [r for r in _USER_ROWS if r.kind not in gone]
    _table_changed()


_VERSION = [0]


def _table_changed() -> None:
    _VERSION[0] += 1
    _INDEX[0] = None
    _kind_in_context.cache_clear()
    _named_in_table.cache_clear()
    _rows_named.cache_clear()


def table_version() -> int:
    """A number that changes whenever the user's rows do (what was compiled from the table before is stale)."""
    return _VERSION[0]


def rows() -> tuple[FieldName, ...]:
    """Every row in the order it is tried: the user's first, then :data:`TABLE`."""
    return (*_USER_ROWS, *TABLE)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


@lru_cache(maxsize=4096)
def snake(name: str) -> str:
    """One spelling for every style: ``userName``, ``UserName``, ``user-name``, ``USER_NAME`` -> ``user_name``."""
    return _SEPARATORS.sub("_", _CAMEL.sub("_", name)).strip("_").lower()


def snake_pattern(pattern: str) -> str:
    """:func:`snake` for a pattern, keeping its ``*`` (``*Id`` -> ``*_id``, ``userHandle`` -> ``user_handle``)."""
    out = []
    for index, part in enumerate(re.split(r"(\*)", pattern)):
        if part == "*" or not part:
            out.append(part)
            continue
        text = _SEPARATORS.sub("_", _CAMEL.sub("_", part)).lower()
        if index and part[0].isupper():  # "*Id": the word after the star starts a new word
            text = "_" + text.lstrip("_")
        out.append(text)
    joined = "".join(out)
    if not pattern.startswith("*"):
        joined = joined.lstrip("_")
    if not pattern.endswith("*"):
        joined = joined.rstrip("_")
    return joined


def singular(word: str) -> str:
    """``addresses`` -> ``address``, ``companies`` -> ``company``, ``authors`` -> ``author``."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    return word[:-1]


def parent_words(parent: str) -> tuple[str, ...]:
    """The words a parent is known by, most telling first: its whole name, then its words from the last.
    A top-level field's parent is the entity's name and title, separated by a space: each counts."""
    words: list[str] = []
    for each in parent.split():
        whole = snake(each)
        if not whole:
            continue
        parts = [singular(p) for p in whole.split("_") if p]
        words += [whole, "_".join(parts), *reversed(parts)]
    return tuple(dict.fromkeys(words))


class FieldContext(Frozen):
    """Where a field is: its parent object's name (or the entity's) and the names beside it."""

    __slots__ = ("parent", "siblings")

    parent: str
    siblings: frozenset[str]

    def __init__(self, parent: str = "", siblings: frozenset[str] = frozenset()) -> None:
        object.__setattr__(self, "parent", parent)
        object.__setattr__(self, "siblings", siblings)


_NOWHERE = FieldContext()
_CURRENT: ContextVar[FieldContext] = ContextVar("testdata_field_context")


@contextlib.contextmanager
def within(parent: str, siblings: Iterable[str] = ()) -> Iterator[None]:
    """Compile the fields of an object named ``parent`` (its properties are ``siblings``) in this block."""
    token = _CURRENT.set(FieldContext(parent, frozenset(snake(s) for s in siblings)))
    try:
        yield
    finally:
        _CURRENT.reset(token)


KIN = frozenset(("parent", "parents", "child", "children", "ancestor", "ancestors", "descendant", "descendants",
                 "sibling", "siblings", "sub_items", "subitems", "subteams", "sub_teams", "subcategories"))
"""Names of an object that is another of the enclosing object's kind (a team's ``parent`` is a team)."""


def kin_parent(name: str) -> str:
    """The context an object field named ``name`` is compiled in: its own name, or for a :data:`KIN` name
    (``parent``, ``children``) the enclosing object's, so a team's parent team's ``name`` is a team's."""
    if snake(name) in KIN:
        enclosing = _CURRENT.get(_NOWHERE).parent
        return enclosing or name
    return name


def current() -> FieldContext:
    """The context of the field being compiled (an empty one outside :func:`within`)."""
    return _CURRENT.get(_NOWHERE)


def kind_for(name: str, json_type: str, context: FieldContext = _NOWHERE) -> str | None:
    """The kind of value a field holds by its name and context, or None when the table has no row for it."""
    # Most names have no row whatever their context: known per name, before the context is looked at (a
    # field's context is new in every object compiled, so the full answer is rarely cached already).
    if not _named_in_table(name, json_type):
        return None
    return _kind_in_context(name, json_type, context)


@lru_cache(maxsize=8192)
def _named_in_table(name: str, json_type: str) -> bool:
    """Whether a row of the table may name the field (its name or its singular), whatever its context."""
    key = snake(name)
    if not key:
        return False
    one = singular(key)
    return bool(_rows_named(key, json_type)) or (one != key and bool(_rows_named(one, json_type)))


@lru_cache(maxsize=8192)
def _kind_in_context(name: str, json_type: str, context: FieldContext) -> str | None:
    key = snake(name)
    if not key:
        return None
    words = parent_words(context.parent)
    for row in _rows_named(key, json_type):
        if row.matches(key, words, context.siblings, json_type):
            return row.kind
    one = singular(key)
    if one != key:  # photo_urls holds URLs as photo_url would (a row may also name the plural itself)
        for row in _rows_named(one, json_type):
            if row.matches(one, words, context.siblings, json_type):
                return row.kind
    return None


@lru_cache(maxsize=8192)
def _rows_named(key: str, json_type: str) -> tuple[FieldName, ...]:
    """The rows whose names and types match (their context is checked per field): most names match none."""
    index = _INDEX[0] or _index()
    return tuple(r for r in index.named(key) if json_type in r.types)


class _NameIndex:
    """Every row's name patterns at once, for :func:`_rows_named`: a name is looked up among the rows' names
    and tested against all their prefixes and suffixes in one call each, instead of asking each of the
    hundred-odd rows in turn (some 3 million instructions of a fresh process's first order, most names
    matching no row). The rows it finds are those whose own patterns match (tests/test_field_names.py)."""

    def __init__(self, table: tuple[FieldName, ...]) -> None:
        self.rows = table
        self.exact: dict[str, list[int]] = {}
        self.prefixes: list[tuple[str, int]] = []
        self.suffixes: list[tuple[str, int]] = []
        self.parts: list[tuple[str, int]] = []
        self.other: list[int] = []
        for index, row in enumerate(table):
            exact, prefixes, suffixes, parts, other = _sorted_patterns(row.names)
            for name in exact:
                self.exact.setdefault(name, []).append(index)
            self.prefixes += [(prefix, index) for prefix in prefixes]
            self.suffixes += [(suffix, index) for suffix in suffixes]
            self.parts += [(part, index) for part in parts]
            if other:
                self.other.append(index)
        self.any_prefix = tuple(prefix for prefix, _ in self.prefixes)
        self.any_suffix = tuple(suffix for suffix, _ in self.suffixes)

    def named(self, key: str) -> list[FieldName]:
        """The rows whose name patterns match ``key``, in table order."""
        found = set(self.exact.get(key, ()))
        if self.any_prefix and key.startswith(self.any_prefix):
            found.update(index for prefix, index in self.prefixes if key.startswith(prefix))
        if self.any_suffix and key.endswith(self.any_suffix):
            found.update(index for suffix, index in self.suffixes if key.endswith(suffix))
        for part, index in self.parts:
            if part in key:
                found.add(index)
        for index in self.other:  # a row with a pattern for a regex: its own matcher says
            if index not in found and _patterns(self.rows[index].names).match(key):
                found.add(index)
        return [self.rows[index] for index in sorted(found)]


_INDEX: list[_NameIndex | None] = [None]
"""The index of :func:`rows`, built at the first name looked up (and again after the user's rows change)."""


def _index() -> _NameIndex:
    index = _INDEX[0] = _NameIndex(rows())
    return index


__all__ = ["HEADLINE", "ISSUE", "MILESTONE", "PERSON_SIBLINGS", "PET", "QUALIFIERS", "REPOSITORY", "TABLE",
           "FieldContext", "FieldName", "add_field_names", "current", "kind_for", "parent_words",
           "remove_field_names", "rows", "singular", "snake", "snake_pattern", "table_version", "within"]
