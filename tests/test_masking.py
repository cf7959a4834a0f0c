"""Credentials in any URL form are masked by one function, and only the secret parts are."""

from __future__ import annotations

import pytest

from pytest_testdata.masking import mask_text, mask_url


@pytest.mark.parametrize(("url", "masked"), [
    ("redis://user:hunter2@cache:6379/0", "redis://user:***@cache:6379/0"),
    ("redis://:hunter2@cache:6379/0", "redis://:***@cache:6379/0"),
    ("redis://cache:6379/0?password=hunter2", "redis://cache:6379/0?password=***"),
    ("rediss://cache:6380/1?db=2&Password=hunter2&ssl_cert_reqs=none",
     "rediss://cache:6380/1?db=2&Password=***&ssl_cert_reqs=none"),
    ("https://api.example.com/v1?token=hunter2&page=2", "https://api.example.com/v1?token=***&page=2"),
    ("https://api.example.com/v1?api_key=hunter2", "https://api.example.com/v1?api_key=***"),
    ("https://api.example.com/v1?api-key=hunter2&access_token=x2", "https://api.example.com/v1?api-key=***&access_token=***"),
    ("http://weaviate:8080/v1?apikey=hunter2", "http://weaviate:8080/v1?apikey=***"),
    ("https://ghp_0123456789abcdefghij@github.com/x.git", "https://***@github.com/x.git"),
    ("postgresql://app:hunter2@db/app#x", "postgresql://app:***@db/app#x"),
    ("unix:///var/run/redis.sock?password=hunter2&db=0", "unix:///var/run/redis.sock?password=***&db=0"),
])
def test_secrets_in_urls_are_masked(url: str, masked: str) -> None:
    assert mask_url(url) == masked
    assert "hunter2" not in mask_url(url)


@pytest.mark.parametrize("url", ["redis://cache:6379/0", "https://example.com/a?page=2&sort=name",
                                 "unix:///var/run/redis.sock", "http://user@host/"])
def test_urls_without_secrets_are_unchanged(url: str) -> None:
    assert mask_url(url) == url


def test_every_url_in_a_text_is_masked_and_the_text_kept() -> None:
    text = ("could not reach redis://:pw1@cache:6379/0, then (http://h/x?token=pw2); "
            "last: 'rediss://u:pw3@h:1/0?password=pw4'.")
    masked = mask_text(text)
    assert not any(f"pw{i}" in masked for i in range(1, 5))
    assert masked == ("could not reach redis://:***@cache:6379/0, then (http://h/x?token=***); "
                      "last: 'rediss://u:***@h:1/0?password=***'.")
    assert mask_text("no url here: password=x") == "no url here: password=x"
