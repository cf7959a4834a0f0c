"""Drawers for every ``format`` of the JSON Schema 2020-12 vocabulary, realistic where the format allows.

Each value is valid for the format checks of the ``jsonschema`` library with its format extras installed
(RFC 3339 date, time with offset and date-time, ISO 8601 durations, RFC 3986/3987 URIs and IRIs,
RFC 6570 templates, RFC 6901 pointers...). ``FORMATS`` maps a format name to its drawer.
"""

from __future__ import annotations

from pytest_testdata.generators.traditional import timestamps
from pytest_testdata.generators.traditional.drawers import Draw, RecordState, _email, _ipv4, _url, _uuid
from pytest_testdata.generators.traditional.fastrand import below, pick
from pytest_testdata.generators.traditional.pools import pool

_OFFSETS = ("Z", "Z", "Z", "+00:00", "+01:00", "+02:00", "-05:00", "-08:00", "+05:30", "+09:00")
_TLDS = ("com", "org", "net", "io", "dev", "example")
_SERVICES = ("api", "www", "app", "mail", "cdn", "auth", "shop", "files")
_REGEXES = (r"^[a-z]+$", r"^[A-Z]{3}-\d{4}$", r"^\d{5}(-\d{4})?$", r"^[a-z0-9_]{3,16}$", r"^#[0-9a-f]{6}$",
            r"^v\d+\.\d+\.\d+$")
_TEMPLATE_VARS = ("id", "user_id", "slug", "page", "query", "version")


def _word(state: RecordState) -> str:
    """A lower-case ASCII word from the word pool (hostname and path safe)."""
    for _ in range(8):
        word = pick(state.rng, pool("US").words).lower()
        if word.isascii() and word.isalpha():
            return word
    return "data"


def _date(state: RecordState) -> str:
    return timestamps.draw(state.rng)[:10]


def _time(state: RecordState) -> str:
    """A time of day with a UTC offset (RFC 3339 ``full-time``; a bare ``14:05:00`` is not valid)."""
    clock = timestamps.draw(state.rng)[11:19]
    return clock + pick(state.rng, _OFFSETS)


def _date_time(state: RecordState) -> str:
    return timestamps.draw(state.rng)


def _duration(state: RecordState) -> str:
    rng = state.rng
    shape = below(rng, 4)
    if shape == 0:
        return f"P{1 + below(rng, 30)}D"
    if shape == 1:
        return f"PT{1 + below(rng, 23)}H{below(rng, 60)}M"
    if shape == 2:
        return f"P{1 + below(rng, 11)}M"
    return f"P{1 + below(rng, 3)}Y{below(rng, 12)}M{below(rng, 28)}D"


def _hostname(state: RecordState) -> str:
    return f"{pick(state.rng, _SERVICES)}.{_word(state)}.{pick(state.rng, _TLDS)}"


def _ipv6(state: RecordState) -> str:
    rng = state.rng
    return "2001:db8:" + ":".join(f"{rng.getrandbits(16):x}" for _ in range(6))


def _uri_reference(state: RecordState) -> str:
    if state.rng.random() < 0.5:
        return _url(state)
    return f"/{_word(state)}/{_word(state)}"


def _uri_template(state: RecordState) -> str:
    var = pick(state.rng, _TEMPLATE_VARS)
    return f"https://{_hostname(state)}/{_word(state)}/{{{var}}}"


def _json_pointer(state: RecordState) -> str:
    return f"/{_word(state)}/{below(state.rng, 5)}"


def _relative_json_pointer(state: RecordState) -> str:
    return f"{below(state.rng, 3)}/{_word(state)}"


def _regex(state: RecordState) -> str:
    return pick(state.rng, _REGEXES)


def _safe_url(state: RecordState) -> str:
    url = _url(state)
    return url if url.isascii() and " " not in url else f"https://www.{_word(state)}.example/{_word(state)}"


FORMATS: dict[str, Draw] = {
    "date": _date, "time": _time, "date-time": _date_time, "duration": _duration,
    "email": _email, "idn-email": _email, "hostname": _hostname, "idn-hostname": _hostname,
    "ipv4": _ipv4, "ipv6": _ipv6, "uri": _safe_url, "iri": _safe_url, "uri-reference": _uri_reference,
    "iri-reference": _uri_reference, "uri-template": _uri_template, "uuid": _uuid,
    "json-pointer": _json_pointer, "relative-json-pointer": _relative_json_pointer, "regex": _regex,
}
"""Format name -> drawer, for every format of the JSON Schema 2020-12 format vocabulary."""
