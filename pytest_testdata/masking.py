"""Masking of credentials in URLs and in text, for everything that leaves the process (logs, health pages).

One function decides what a secret looks like, :func:`mask_url`; :func:`mask_text` applies it to every URL
inside a longer text (an error message that quotes a connection string). Both leave everything else as it
was, so a masked URL still says which host, port and database it points at.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
SECRET_PARAMS = frozenset({
    "password", "passwd", "pass", "pwd", "token", "access_token", "refresh_token", "id_token", "auth",
    "authorization", "api_key", "apikey", "api-key", "key", "secret", "client_secret", "secret_key",
    "sig", "signature", "credential", "credentials", "session", "sessionid", "x-api-key", "private_key",
})
"""Query parameters whose value is masked (compared case-insensitively, ``-`` and ``_`` alike)."""

_NORMALISED = frozenset(name.replace("-", "_") for name in SECRET_PARAMS)
# The lookbehind and the bounded scheme keep this linear on long runs of letters (log lines quote user input).
_URL = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{0,31}://[^\s'\"<>`]*[^\s'\"<>`.,;:!?)\]}]")


def _secret_param(name: str) -> bool:
    return name.lower().replace("-", "_") in _NORMALISED


def mask_url(url: str) -> str:
    """``url`` with the password of ``user:password@`` and secret query values (``?password=``,
    ``?token=``, ``?api_key=``...) replaced by ``***``; anything that does not parse as a URL is returned
    masked as a whole when it has an ``@`` (it may be a credential the parser could not place).

    >>> mask_url("redis://user:hunter2@cache:6379/0?password=x&db=1")
    'redis://user:***@cache:6379/0?password=***&db=1'
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, colon, _password = userinfo.partition(":")
            if colon:
                netloc = f"{user}:{MASK}@{hostport}"
            elif len(user) >= 16:
                # ``https://TOKEN@host``: a long lone user part is how several services carry a token.
                netloc = f"{MASK}@{hostport}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(_secret_param(k) for k, _ in pairs):
                query = urlencode([(k, MASK if _secret_param(k) else v) for k, v in pairs], safe="*")
        fragment = parts.fragment
        if fragment and "=" in fragment:
            pairs = parse_qsl(fragment, keep_blank_values=True)
            if any(_secret_param(k) for k, _ in pairs):
                fragment = urlencode([(k, MASK if _secret_param(k) else v) for k, v in pairs], safe="*")
        if (netloc, query, fragment) == (parts.netloc, parts.query, parts.fragment):
            return url
        rebuilt = f"{parts.scheme}://{netloc}{parts.path}" if "://" in url else urlunsplit(
            parts._replace(netloc=netloc, query="", fragment=""))
        return rebuilt + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    except ValueError:
        return MASK if "@" in url else url


def mask_text(text: str) -> str:
    """``text`` with :func:`mask_url` applied to every URL in it (``scheme://...``)."""
    if "://" not in text:
        return text
    return _URL.sub(lambda m: mask_url(m.group(0)), text)
