"""Which image URLs Allegro copies: those off its own image hosts."""

from __future__ import annotations

import pytest

from catalogsync.catalog.image_hosts import is_outside_image


@pytest.mark.parametrize(
    ("url", "outside"),
    [
        ("https://sklep.example/zdjecia/kubek.jpg", True),
        ("http://cdn.shop.pl/a.png", True),
        ("https://allegroimg.com.evil.example/a.jpg", True),
        ("https://a.allegroimg.com/original/11a1b2/kubek", False),
        ("https://5.allegroimg.com/original/003358/a4f5", False),
        ("https://A.AllegroImg.com/original/x", False),
        ("https://a.allegroimg.allegrosandbox.pl/original/x", False),
        ("images/kubek.png", False),  # a local file
        ("ftp://sklep.example/a.jpg", False),
        # each origin is parsed once: what follows it must not change the answer
        ("https://a.allegroimg.com?u=https://evil.example/x", False),
        ("https://evil.example#//a.allegroimg.com/x", True),
        ("https://user@a.allegroimg.com:443/x", False),
        ("https://sklep.example?q=1", True),
        ("//cdn.example/x.jpg", False),  # no scheme: not a URL Allegro fetches
    ],
)
def test_outside_image_urls(url: str, outside: bool) -> None:
    assert is_outside_image(url) is outside
