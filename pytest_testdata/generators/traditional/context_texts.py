"""Names and titles whose shape depends on what they belong to: a pet's name, an issue's summary line, a
milestone's title, an article's headline, a licence's names (the field-name table picks them by the parent's
name).

Kept as data, composed from short lists, so the same seed gives the same values on every Faker release
(Faker has no pet names, nor issue or headline titles).
"""

from __future__ import annotations

from collections.abc import Callable

from pytest_testdata.generators.traditional import kind_values as kv
from pytest_testdata.generators.traditional.drawers import RecordState
from pytest_testdata.generators.traditional.fastrand import below, pick

PET_NAMES: tuple[str, ...] = (
    "Bella", "Max", "Luna", "Charlie", "Lucy", "Cooper", "Daisy", "Milo", "Bailey", "Buddy", "Sadie", "Rocky",
    "Molly", "Bear", "Lola", "Tucker", "Stella", "Duke", "Maggie", "Oliver", "Chloe", "Leo", "Penny", "Zeus",
    "Coco", "Teddy", "Rosie", "Winston", "Ruby", "Murphy", "Nala", "Gizmo", "Willow", "Oscar", "Pepper",
    "Simba", "Ginger", "Toby", "Lily", "Jack", "Zoe", "Louie", "Roxy", "Bentley", "Gracie", "Jasper", "Sophie",
    "Loki", "Cleo", "Finn", "Hazel", "Rusty", "Piper", "Ollie", "Mia", "Benny", "Kiki", "Marley", "Biscuit",
    "Honey", "Scout", "Mocha", "Ziggy", "Olive", "Gus", "Misty", "Sam", "Shadow", "Tiger", "Smokey", "Oreo",
    "Peanut", "Pumpkin", "Mittens", "Whiskers", "Socks", "Felix", "Garfield", "Tigger", "Salem", "Boots",
    "Patches", "Pebbles", "Noodle", "Pickles", "Waffles", "Nugget", "Bubbles", "Sunny", "Maple", "Juniper",
    "Archie", "Bruno", "Rex", "Fido", "Spot", "Rufus", "Baxter", "Hank", "Moose", "Dexter", "Diesel", "Apollo",
    "Thor", "Athena", "Kona", "Sasha", "Lulu", "Minnie", "Princess", "Trixie", "Dixie", "Freya", "Poppy",
    "Bonnie", "Frankie", "Remy", "Ozzy", "Ace", "Blue", "Koda", "Nova", "Storm", "Ember", "Chester", "Bandit",
    "Muffin", "Cookie", "Fluffy", "Snowball", "Button", "Clover", "Cinnamon", "Bagel", "Churro", "Dumpling",
)
"""Common pet names (dogs and cats), written for this project: given names and words people give pets,
not copied from any ranking (docs/data-licences.md)."""

_ISSUE_VERBS = ("Fix", "Add", "Update", "Remove", "Improve", "Refactor", "Document", "Support", "Speed up",
                "Clean up", "Test", "Migrate", "Simplify", "Redesign", "Validate")
_ISSUE_OBJECTS = (
    "the login form", "password reset emails", "CSV export", "the search page", "pagination on the orders list",
    "the checkout flow", "date parsing", "the onboarding guide", "error messages", "the billing page",
    "image uploads", "the mobile navigation", "API rate limits", "the dashboard charts", "notification settings",
    "the release notes", "dark mode", "keyboard shortcuts", "the profile page", "two-factor login",
    "the invoice PDF", "webhook retries", "the README", "database migrations", "the cache layer",
    "time zone handling", "the sign-up page", "accessibility labels", "file previews", "the audit log",
    "the settings screen", "bulk delete", "email templates", "the import wizard", "session timeouts",
)
_ISSUE_SUBJECTS = ("The login form", "CSV export", "The search page", "The checkout flow", "Date parsing",
                   "The billing page", "The mobile menu", "The dashboard", "The profile page", "Two-factor login",
                   "The invoice PDF", "The sign-up page", "The import wizard", "Bulk delete", "The settings screen",
                   "The file preview", "Password reset", "The order history", "Search autocomplete", "The API client")
"""What a fault report is about (singular: "... fails when ...")."""
_ISSUE_WHERE = ("", "", "", "", " on mobile", " for admin users", " in Safari", " after the last release",
                " on slow connections", " for large accounts", " in the public API", " in the docs")
_ISSUE_FAILS = ("fails", "breaks", "crashes", "times out", "hangs", "shows stale data", "returns a 500 error",
                "is very slow", "loses unsaved changes", "shows the wrong total")
_ISSUE_WHEN = ("when the name has an apostrophe", "after logging out", "with more than 100 items",
               "on the first visit", "when offline", "for users east of UTC+12", "if the session expires",
               "after a page refresh", "with an empty cart", "on Windows", "in Firefox", "when switching language")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_TOPICS = (
    "remote work", "home gardening", "city cycling", "sourdough baking", "small business finance",
    "personal data", "trail running", "urban housing", "electric cars", "renewable energy", "team meetings",
    "public libraries", "open source", "coffee roasting", "language learning", "family budgets", "sleep",
    "street photography", "container shipping", "the four-day week", "travelling light", "home workouts",
    "saving for retirement", "rescue dogs", "school lunches", "night trains", "code review", "indoor plants",
)
_HEADLINES = (
    "How to get started with {topic}", "{n} things nobody tells you about {topic}",
    "Why {topic} matters more than ever", "A beginner's guide to {topic}", "What {year} taught us about {topic}",
    "The hidden cost of {topic}", "{Topic}: a practical guide", "Inside the world of {topic}",
    "Is {topic} worth it?", "The future of {topic}", "Lessons from ten years of {topic}",
    "{n} mistakes to avoid with {topic}", "Everything you need to know about {topic}",
    "{Topic}, explained", "The quiet rise of {topic}",
)


_BRANCHES = ("main", "main", "master", "develop", "staging", "release/{v}", "feature/{s}", "fix/{s}", "docs/{s}")


def repo_name(state: RecordState) -> str:
    """A repository's or package's name: lower-case words joined by hyphens (``harbor-lantern``)."""
    return kv.slug(state)


def repo_full_name(state: RecordState) -> str:
    """``owner/name``, as GitHub's ``full_name`` is."""
    return f"{kv.username(state).replace('.', '-')}/{kv.slug(state)}"


LICENSES: tuple[tuple[str, str, str], ...] = (
    ("mit", "MIT License", "MIT"), ("apache-2.0", "Apache License 2.0", "Apache-2.0"),
    ("gpl-3.0", "GNU General Public License v3.0", "GPL-3.0"),
    ("gpl-2.0", "GNU General Public License v2.0", "GPL-2.0"),
    ("bsd-3-clause", 'BSD 3-Clause "New" or "Revised" License', "BSD-3-Clause"),
    ("bsd-2-clause", 'BSD 2-Clause "Simplified" License', "BSD-2-Clause"),
    ("agpl-3.0", "GNU Affero General Public License v3.0", "AGPL-3.0"),
    ("lgpl-3.0", "GNU Lesser General Public License v3.0", "LGPL-3.0"),
    ("lgpl-2.1", "GNU Lesser General Public License v2.1", "LGPL-2.1"),
    ("mpl-2.0", "Mozilla Public License 2.0", "MPL-2.0"), ("isc", "ISC License", "ISC"),
    ("unlicense", "The Unlicense", "Unlicense"), ("epl-2.0", "Eclipse Public License 2.0", "EPL-2.0"),
    ("cc0-1.0", "Creative Commons Zero v1.0 Universal", "CC0-1.0"),
    ("bsl-1.0", "Boost Software License 1.0", "BSL-1.0"), ("0bsd", "BSD Zero Clause License", "0BSD"),
)
"""Open-source licences as code-hosting APIs name them: key, name, SPDX identifier (the SPDX list's ids;
the names are GitHub's)."""
_LICENSE_DRAWS: tuple[tuple[str, str, str], ...] = (
    *[LICENSES[0]] * 9, *[LICENSES[1]] * 4, *[LICENSES[2]] * 2, *LICENSES[2:])
"""The licences weighted roughly as public repositories use them: MIT first, then Apache 2.0 and the GPL."""


_APP_WORDS: tuple[str, ...] = (
    "Octo", "Probot", "Harbor", "Beacon", "Relay", "Sentinel", "Atlas", "Lantern", "Pilot", "Comet", "Orbit",
    "Ranger", "Signal", "Anchor", "Summit", "Cedar", "Falcon", "Nimbus", "Quartz", "Tandem")
_APP_ROLES: tuple[str, ...] = (
    "Bot", "CI", "Deploy", "Sync", "Reviewer", "Labeler", "Release Drafter", "Stale", "Owners", "Checks",
    "Security Scan", "Docs Preview", "Dependency Updates", "Notifier", "Triage")
_TEAMS: tuple[str, ...] = (
    "Platform", "Backend", "Frontend", "Infrastructure", "Security", "Data Engineering", "Design Systems",
    "Mobile", "Developer Experience", "Site Reliability", "Payments", "Search", "Growth", "Core", "QA",
    "Documentation", "Release Engineering", "Machine Learning", "Customer Success", "Maintainers")
_WORKFLOWS: tuple[str, ...] = (
    "CI", "Build and test", "Lint", "Deploy to production", "Deploy to staging", "Release", "Nightly build",
    "CodeQL", "Publish package", "Docs", "Dependency review", "End-to-end tests", "Benchmarks", "Stale issues",
    "Label pull requests", "Build container image")


def app_name(state: RecordState) -> str:
    """An app's or bot's name (``Probot Owners``, ``Harbor CI``): a code-hosting integration's."""
    return f"{pick(state.rng, _APP_WORDS)} {pick(state.rng, _APP_ROLES)}"


def team_name(state: RecordState) -> str:
    """A team's name (``Platform``, ``Design Systems``), sometimes with ``team`` or a number."""
    rng = state.rng
    name = pick(rng, _TEAMS)
    form = below(rng, 6)
    return f"{name} team" if form == 0 else f"{name} {1 + below(rng, 4)}" if form == 1 else name


DEPARTMENTS: tuple[str, ...] = (
    "Engineering", "Sales", "Marketing", "Finance", "Human Resources", "Customer Support", "Operations", "Legal",
    "Product", "Research and Development", "Procurement", "Logistics", "Quality Assurance", "Facilities",
    "Information Technology", "Accounting", "Business Development", "Communications", "Design", "Compliance")
ROLES: tuple[str, ...] = (
    "admin", "editor", "viewer", "owner", "member", "moderator", "billing manager", "support agent", "auditor",
    "developer", "analyst", "guest", "contributor", "reviewer", "operator", "maintainer", "reporter",
    "account manager", "read-only", "superuser")
THING_FIRST: tuple[str, ...] = (
    "Silver", "Amber", "Northern", "Quiet", "Golden", "Crimson", "Blue", "Hidden", "Wild", "Bright", "Iron",
    "Evergreen", "Lunar", "Coastal", "Velvet", "Copper", "Misty", "Royal", "Cedar", "Scarlet", "Stone", "Winter",
    "Summer", "Electric", "Twin", "Little", "Grand", "Red", "Emerald", "Midnight")
THING_SECOND: tuple[str, ...] = (
    "Harbor", "Falcon", "Ridge", "Meadow", "River", "Summit", "Lantern", "Orchard", "Canyon", "Harvest", "Compass",
    "Horizon", "Beacon", "Forest", "Garden", "Island", "Valley", "Echo", "Atlas", "Maple", "Oak", "Fox", "Willow",
    "Coast", "Bridge", "Anchor", "Comet", "Pine", "Raven", "Tide")


DISH_FLAVORS: tuple[str, ...] = (
    "Lemon Garlic", "Spicy", "Creamy", "Smoky", "Honey Glazed", "Roasted", "Grilled", "Crispy", "Herb-Crusted",
    "Slow-Cooked", "Teriyaki", "Coconut", "Sesame Ginger", "Garlic Butter", "Chipotle", "Pesto", "Maple",
    "Tomato Basil", "Curried", "Sweet and Sour")
DISH_MAINS: tuple[str, ...] = (
    "Chicken", "Salmon", "Beef", "Tofu", "Mushroom", "Shrimp", "Pork", "Chickpea", "Lentil", "Vegetable",
    "Turkey", "Cod", "Lamb", "Black Bean", "Sweet Potato", "Eggplant", "Cauliflower", "Spinach")
DISH_KINDS: tuple[str, ...] = (
    "Tacos", "Risotto", "Curry", "Stir-Fry", "Salad", "Soup", "Pasta", "Stew", "Skewers", "Bowl", "Casserole",
    "Pie", "Burgers", "Noodles", "Wraps", "Flatbread", "Chili", "Fried Rice", "Sandwich", "Frittata")
INGREDIENTS: tuple[str, ...] = (
    "tomato", "onion", "garlic", "olive oil", "butter", "all-purpose flour", "sugar", "brown sugar", "salt",
    "black pepper", "egg", "whole milk", "heavy cream", "parmesan", "cheddar", "chicken breast", "ground beef",
    "basmati rice", "spaghetti", "carrot", "celery", "red bell pepper", "spinach", "lemon", "lime", "ginger",
    "soy sauce", "honey", "baking powder", "vanilla extract", "cinnamon", "cumin", "paprika", "basil", "parsley",
    "cilantro", "chickpeas", "coconut milk", "vegetable broth", "potato")
UNITS: tuple[str, ...] = (
    "cup", "tablespoon", "teaspoon", "gram", "kilogram", "milliliter", "liter", "ounce", "pound", "pinch",
    "clove", "can", "slice", "piece", "bunch", "stick", "quart", "pint", "dash", "package")


def dish_name(state: RecordState) -> str:
    """A recipe's or a dish's name (``Lemon Garlic Chicken Skewers``): a flavour, a main ingredient and a dish."""
    rng = state.rng
    return f"{pick(rng, DISH_FLAVORS)} {pick(rng, DISH_MAINS)} {pick(rng, DISH_KINDS)}"


def ingredient_name(state: RecordState) -> str:
    """A food or an ingredient as a recipe lists it (``basmati rice``, ``olive oil``)."""
    return pick(state.rng, INGREDIENTS)


def unit_name(state: RecordState) -> str:
    """A unit of measure a recipe uses (``tablespoon``, ``gram``)."""
    return pick(state.rng, UNITS)


def department_name(state: RecordState) -> str:
    """A department's name (``Engineering``, ``Customer Support``)."""
    return pick(state.rng, DEPARTMENTS)


def role_name(state: RecordState) -> str:
    """A role's name (``admin``, ``billing manager``), as access-control tables hold them."""
    return pick(state.rng, ROLES)


def thing_name(state: RecordState) -> str:
    """The name of a thing no other row knows (a band, a project, a hotel, a campaign): two words
    (``Silver Harbor``), sometimes as a plural (``The Copper Foxes``) or numbered (``Amber Ridge 3``). A product's
    name (the fallback before) named a band ``Ultra Throw Blanket``."""
    rng = state.rng
    first, second = pick(rng, THING_FIRST), pick(rng, THING_SECOND)
    form = below(rng, 8)
    if form == 0:
        plural = second + ("es" if second.endswith(("x", "s", "sh", "ch")) else "s")
        return f"The {first} {plural}"
    return f"{first} {second} {2 + below(rng, 8)}" if form == 1 else f"{first} {second}"


def workflow_name(state: RecordState) -> str:
    """A CI workflow's or job's name (``Build and test``, ``Deploy to production``)."""
    return pick(state.rng, _WORKFLOWS)


def github_node_id(state: RecordState) -> str:
    """A GitHub GraphQL node id in the legacy form, base64 of ``04:User583231``; a rule (named_things.py)
    names the object's type and takes its ``id`` where the object has them."""
    return node_id("Node", 1 + below(state.rng, 99_999_999))


def node_id(type_name: str, key: object) -> str:
    """GitHub's legacy node id of an object of ``type_name`` with id ``key``: ``MDQ6VXNlcjE=`` for User 1."""
    encode = _B2A_BASE64 or _b2a_base64()
    return encode(f"{len(type_name):02d}:{type_name}{key}".encode(), newline=False).decode()


_B2A_BASE64: Callable[..., bytes] | None = None
"""``binascii.b2a_base64`` once loaded (not base64, which imports struct and more for one encoder): binascii is
a C extension whose loading cost every fresh process's first record 0.7 million instructions, so it waits for
the first node id."""


def _b2a_base64() -> Callable[..., bytes]:
    global _B2A_BASE64
    import binascii

    _B2A_BASE64 = binascii.b2a_base64
    return _B2A_BASE64


_PURL_TYPES: tuple[str, ...] = ("npm", "npm", "npm", "pypi", "pypi", "maven", "gem", "cargo", "golang", "nuget")


def package_url(state: RecordState) -> str:
    """A package URL (PURL, github.com/package-url/purl-spec): ``pkg:npm/harbor-lantern@2.4.1``."""
    rng = state.rng
    kind = pick(rng, _PURL_TYPES)
    name = kv.slug(state)
    if kind == "maven":
        name = f"org.{kv.slug(state).split('-')[0]}/{name}"
    elif kind == "golang":
        name = f"github.com/{kv.slug(state).split('-')[0]}/{name}"
    elif kind == "npm" and below(rng, 4) == 0:
        name = f"%40{kv.slug(state).split('-')[0]}/{name}"  # a scoped package, its @ encoded
    return f"pkg:{kind}/{name}@{kv.version(state)}"


def license_key(state: RecordState) -> str:
    """A licence's key (``mit``, ``apache-2.0``)."""
    return pick(state.rng, _LICENSE_DRAWS)[0]


def license_name(state: RecordState) -> str:
    """A licence's name (``MIT License``, ``Apache License 2.0``)."""
    return pick(state.rng, _LICENSE_DRAWS)[1]


def license_spdx(state: RecordState) -> str:
    """A licence's SPDX identifier (``MIT``, ``Apache-2.0``)."""
    return pick(state.rng, _LICENSE_DRAWS)[2]


def branch(state: RecordState) -> str:
    """A git branch: ``main``, ``develop``, ``feature/csv-export``, ``release/2.4``."""
    rng = state.rng
    form = pick(rng, _BRANCHES)
    if "{" not in form:
        return form
    return form.format(s=kv.slug(state), v=f"{1 + below(rng, 5)}.{below(rng, 13)}")


def pet_name(state: RecordState) -> str:
    """A pet's name (``Bella``, ``Max``)."""
    return pick(state.rng, PET_NAMES)


def issue_title(state: RecordState) -> str:
    """The summary line of an issue, ticket, task or pull request: a piece of work (``Fix CSV export on
    mobile``) or a fault (``The checkout flow times out with an empty cart``)."""
    rng = state.rng
    if below(rng, 3) == 0:
        return f"{pick(rng, _ISSUE_SUBJECTS)} {pick(rng, _ISSUE_FAILS)} {pick(rng, _ISSUE_WHEN)}"
    return f"{pick(rng, _ISSUE_VERBS)} {pick(rng, _ISSUE_OBJECTS)}{pick(rng, _ISSUE_WHERE)}"


def milestone_title(state: RecordState) -> str:
    """A milestone's or sprint's title: ``v2.4``, ``Sprint 14``, ``Q3 2025 release``, ``March 2026``."""
    rng = state.rng
    form = below(rng, 5)
    if form == 0:
        return f"v{1 + below(rng, 5)}.{below(rng, 13)}"
    if form == 1:
        return f"v{1 + below(rng, 5)}.{below(rng, 13)}.0"
    if form == 2:
        return f"Sprint {1 + below(rng, 60)}"
    if form == 3:
        return f"Q{1 + below(rng, 4)} {2024 + below(rng, 3)} release"
    return f"{pick(rng, _MONTHS)} {2024 + below(rng, 3)}"


def headline(state: RecordState) -> str:
    """An article's, post's or book's headline (``A beginner's guide to sourdough baking``)."""
    rng = state.rng
    topic = pick(rng, _TOPICS)
    text = pick(rng, _HEADLINES).format(topic=topic, Topic=topic[0].upper() + topic[1:], n=3 + below(rng, 8),
                                        year=2015 + below(rng, 11))
    return text[0].upper() + text[1:]


__all__ = ["LICENSES", "PET_NAMES", "app_name", "branch", "github_node_id", "headline", "issue_title",
           "license_key", "license_name", "license_spdx", "milestone_title", "node_id", "package_url", "pet_name",
           "repo_full_name", "repo_name", "team_name", "workflow_name"]
