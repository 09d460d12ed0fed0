"""Every message exists in Dutch and English with the same placeholders, and every key used in
the code and templates exists in the catalog."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from vrijuit.i18n import LANGUAGES, Translator, catalog, translate

SOURCE = Path(__file__).parents[1] / "src" / "vrijuit"
# t("key"), translate("key", ...), _t("key"): how code and templates ask for a message.
KEY_USE = re.compile(r"""\b(?:t|_t|translate)\(\s*["']([a-z0-9_.]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(catalog()))
def test_message_has_every_language_with_the_same_placeholders(key: str) -> None:
    entry = catalog()[key]
    assert set(entry) == set(LANGUAGES), f"{key}: languages {sorted(entry)}"
    for lang in LANGUAGES:
        assert isinstance(entry[lang], str) and entry[lang].strip(), f"{key}/{lang} is empty"
    assert _placeholders(entry["en"]) == _placeholders(entry["nl"]), key


def test_every_key_used_in_code_and_templates_exists() -> None:
    used: dict[str, str] = {}
    for path in [*SOURCE.rglob("*.py"), *SOURCE.rglob("*.html"), *SOURCE.rglob("*.txt")]:
        for key in KEY_USE.findall(path.read_text("utf-8")):
            used.setdefault(key, str(path.relative_to(SOURCE)))
    missing = {key: where for key, where in used.items() if key not in catalog()}
    assert not missing, f"keys used but not in any locale/*.yaml: {missing}"


def test_unknown_language_and_key_fail_clearly() -> None:
    with pytest.raises(ValueError, match="language must be one of en, nl"):
        Translator("de")
    with pytest.raises(KeyError, match="no 'nl' message for key 'nope'"):
        translate("nope", "nl")
