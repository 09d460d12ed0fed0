"""The demo's made-up people get readable addresses, also when their names have accents."""

from __future__ import annotations

import pytest

from vrijuit.demo_site.names import email_for


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hiroshi Fernández", "hiroshi.fernandez.3@demo.vrijuit.example"),
        ("Ana Petrović", "ana.petrovic.3@demo.vrijuit.example"),
        ("Zoë de Jong", "zoe.de.jong.3@demo.vrijuit.example"),
    ],
)
def test_accented_letters_keep_their_base_letter(name: str, expected: str) -> None:
    assert email_for(name, 3) == expected
