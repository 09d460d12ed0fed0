"""The web app's sealed attributes as engine labels (results.services._labels)."""

from __future__ import annotations

from vrijuit.results.services import _labels


def test_not_declared_and_absent_attributes_are_missing_and_the_rest_is_text() -> None:
    # seal_attributes stores text only; "" is "not declared", None an attribute not stored.
    assert _labels(["woman", "", None, "phd", 7]).tolist() == ["woman", None, None, "phd", "7"]
