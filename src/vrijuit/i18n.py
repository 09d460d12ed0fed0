"""Dutch and English for everything the command line and the reports say.

The engine's user-facing text lives in catalogs under ``locale/`` (one YAML file per area, merged
into one namespace; a key may appear in only one file): each key holds its ``en`` and ``nl``
wording with named ``{placeholders}``. A test fails when a key lacks a language,
when the two languages use different placeholders, or when code asks for a key that does not
exist. (The web application uses Django's gettext; this catalog serves the engine and the CLI,
which must not depend on Django.)

Rules (as in docs/i18n.md): whole sentences only, never concatenated; punctuation inside the
message; named placeholders. Dutch register: informal "je" for respondents and staff.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

__all__ = ["LANGUAGES", "Language", "Translator", "catalog", "translate"]

Language = Literal["en", "nl"]
LANGUAGES: tuple[Language, ...] = ("en", "nl")


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """All messages: ``{key: {"en": ..., "nl": ...}}``, merged from every ``locale/*.yaml``."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    folder = resources.files("vrijuit").joinpath("locale")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text("utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"locale/{entry.name} must be a mapping of keys to translations.")
        for key, value in data.items():
            if key in merged:
                raise ValueError(
                    f"message key {key!r} is in both locale/{origin[key]} and locale/{entry.name}."
                )
            merged[key] = value
            origin[key] = entry.name
    return merged


def translate(key: str, lang: str, /, **params: Any) -> str:
    """Return message ``key`` in ``lang`` with its placeholders filled in.

    >>> translate("language.name", "nl")
    'Nederlands'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}.")
    try:
        template = catalog()[key][lang]
    except KeyError:
        raise KeyError(f"no {lang!r} message for key {key!r} in locale/*.yaml") from None
    return template.format(**params) if params else template


class Translator:
    """A translate function bound to one language, handy in templates as ``t(<key>)``."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}.")
        self.lang = lang

    def __call__(self, key: str, /, **params: Any) -> str:
        return translate(key, self.lang, **params)
