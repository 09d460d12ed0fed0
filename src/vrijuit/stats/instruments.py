"""Survey instruments: scales, items, response formats and their wording, loaded from YAML.

An instrument is data, not code (docs/instruments.md describes the format). The shipped ones live
in ``vrijuit/instruments/*.yaml`` and load by name; an organisation's own instrument loads from a
path in the same format. Everything is validated on load, and every problem names the file and
the place inside it (``vrijuit.yaml: scales[2].items[0].text.nl: expected a non-empty string``),
so that whoever edits an instrument sees at once what to fix. The messages are translated (they
reach command-line users); ``str(error)`` is the English one.

Conventions pinned here:

* Reverse keying uses the **declared** bounds of the response format (see ``scoring``).
* Every item also offers "prefer not to say"; the instrument declares its label, and the answer
  is stored as missing.
* ``unsafe_below`` is a strict cut-off: a person score ``< unsafe_below`` counts as unsafe, a
  score equal to it does not. It must lie above the lowest option and at most the highest one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import yaml

__all__ = [
    "AUDIENCES",
    "KINDS",
    "ROLES",
    "Instrument",
    "InstrumentError",
    "Item",
    "LocalizedText",
    "ResponseFormat",
    "Scale",
    "Source",
    "available_instruments",
    "load_instrument",
    "parse_instrument",
]

Kind = Literal["likert", "yes_no", "frequency"]
Role = Literal["climate", "leader_own", "behaviour", "incidents"]
Audience = Literal["all", "leaders"]

KINDS: tuple[str, ...] = ("likert", "yes_no", "frequency")
ROLES: tuple[str, ...] = ("climate", "leader_own", "behaviour", "incidents")
AUDIENCES: tuple[str, ...] = ("all", "leaders")
_LANGUAGES: tuple[str, ...] = ("en", "nl")


class InstrumentError(ValueError):
    """A problem in an instrument file, with the file and the path inside it.

    ``key`` and ``params`` name a message in ``locale/instruments.yaml``; :meth:`message` gives
    it in Dutch or English. ``str(error)`` is ``"<file>: <path>: <English message>"``.
    """

    def __init__(self, file: str, path: str, key: str, **params: Any) -> None:
        self.file = file
        self.path = path
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The whole message in ``lang`` ("en" or "nl"), prefixed with file and path."""
        from vrijuit.i18n import translate  # local import: i18n reads the catalogs lazily

        text = translate(self.key, lang, **self.params)
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {text}"


@dataclass(frozen=True)
class LocalizedText:
    """The same text in English and Dutch.

    >>> LocalizedText(en="Yes", nl="Ja").get("nl")
    'Ja'
    """

    en: str
    nl: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` ("en" or "nl")."""
        if lang == "en":
            return self.en
        if lang == "nl":
            return self.nl
        raise ValueError(f"language must be one of en, nl; got {lang!r}.")


@dataclass(frozen=True)
class ResponseFormat:
    """The answer options of an item: integer codes ``low..high`` with their labels.

    ``kind`` is ``"likert"`` (agreement; the only kind that may be reverse-keyed), ``"yes_no"``
    (0 = no, 1 = yes) or ``"frequency"`` (never .. very often).
    """

    id: str
    kind: Kind
    low: int
    high: int
    labels: dict[int, LocalizedText]

    @property
    def n_options(self) -> int:
        """Number of answer options, not counting "prefer not to say"."""
        return self.high - self.low + 1


@dataclass(frozen=True)
class Item:
    """One question. ``reverse`` items are worded negatively and are reverse-keyed for scoring."""

    id: str
    text: LocalizedText
    reverse: bool = False


@dataclass(frozen=True)
class Scale:
    """A set of items scored together (the mean of the answered items, see ``scoring``)."""

    id: str
    name: LocalizedText
    description: LocalizedText
    role: Role
    audience: Audience
    headline: bool
    response_format: ResponseFormat
    items: tuple[Item, ...]
    min_items: int
    unsafe_below: float | None = None

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @property
    def reverse(self) -> tuple[bool, ...]:
        return tuple(item.reverse for item in self.items)


@dataclass(frozen=True)
class Source:
    """Where an instrument comes from and under which licence it may be used."""

    citation: str
    licence: str
    note: LocalizedText | None = None


@dataclass(frozen=True)
class Instrument:
    """A validated survey instrument.

    Examples
    --------
    >>> vrijuit = load_instrument("vrijuit")
    >>> vrijuit.scale("speaking_up").items[0].id
    'SU1'
    >>> "PS1" in load_instrument("edmondson").item_ids()
    True
    """

    id: str
    version: str
    name: LocalizedText
    source: Source
    scales: tuple[Scale, ...]
    description: LocalizedText | None = None
    prefer_not_to_say: LocalizedText = field(
        default_factory=lambda: LocalizedText(en="Prefer not to say", nl="Zeg ik liever niet")
    )
    response_formats: tuple[ResponseFormat, ...] = ()

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id (``KeyError`` naming the known ids otherwise)."""
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        known = ", ".join(s.id for s in self.scales)
        raise KeyError(f"instrument {self.id!r} has no scale {scale_id!r}; it has {known}.")

    def item_ids(self) -> tuple[str, ...]:
        """All item ids, in the order of the scales."""
        return tuple(item_id for scale in self.scales for item_id in scale.item_ids)

    def headline_scales(self) -> tuple[Scale, ...]:
        """The scales shown first in a report."""
        return tuple(scale for scale in self.scales if scale.headline)


def available_instruments() -> tuple[str, ...]:
    """Names of the instruments shipped with vrijuit, for :func:`load_instrument`.

    >>> available_instruments()
    ('edmondson', 'vrijuit')
    """
    folder = resources.files("vrijuit").joinpath("instruments")
    names = (entry.name for entry in folder.iterdir() if entry.name.endswith(".yaml"))
    return tuple(sorted(name.removesuffix(".yaml") for name in names))


def load_instrument(name_or_path: str | Path) -> Instrument:
    """Load and validate an instrument by shipped name ("vrijuit", "edmondson") or file path.

    Raises :class:`InstrumentError` naming the file and the place inside it for every problem.

    >>> load_instrument("edmondson").scale("psychological_safety").response_format.high
    7
    """
    text: str
    if isinstance(name_or_path, str) and name_or_path in available_instruments():
        file = f"{name_or_path}.yaml"
        entry = resources.files("vrijuit").joinpath("instruments", file)
        text = entry.read_text("utf-8")
    else:
        path = Path(name_or_path)
        file = path.name
        if path.suffix not in {".yaml", ".yml"} or not path.is_file():
            raise InstrumentError(
                str(name_or_path),
                "",
                "instruments.not_found",
                names=", ".join(available_instruments()),
            )
        text = path.read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise InstrumentError(file, "", "instruments.yaml_syntax", line=line) from None
    return parse_instrument(data, file=file)


def parse_instrument(data: Any, *, file: str = "<instrument>") -> Instrument:
    """Validate an already-parsed YAML document and build the :class:`Instrument`."""
    return _Parser(file).instrument(data)


class _Parser:
    """Walks the YAML document, keeping the path for error messages."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, path: str, key: str, **params: Any) -> InstrumentError:
        return InstrumentError(self.file, path, key, **params)

    def mapping(self, value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path or "(top)", "instruments.expected_mapping")
        return value

    def require(self, data: Mapping[str, Any], name: str, path: str) -> Any:
        if name not in data or data[name] is None:
            where = f"{path}.{name}" if path else name
            raise self.fail(where, "instruments.missing_field")
        return data[name]

    def string(self, value: Any, path: str) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # a version such as 1.0 written without quotes
        if isinstance(value, bool):  # YAML 1.1 reads an unquoted No/Yes/On/Off as a boolean
            raise self.fail(path, "instruments.unquoted_boolean")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "instruments.expected_string")
        return value.strip()

    def integer(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "instruments.expected_integer")
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, "instruments.expected_boolean")
        return value

    def choice(self, value: Any, path: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(path, "instruments.expected_choice", allowed=", ".join(allowed))
        return str(value)

    def sequence(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.fail(path, "instruments.expected_list")
        return value

    def text(self, value: Any, path: str) -> LocalizedText:
        data = self.mapping(value, path)
        for lang in _LANGUAGES:
            if lang not in data:
                raise self.fail(f"{path}.{lang}", "instruments.missing_language")
        extra = sorted(set(data) - set(_LANGUAGES))
        if extra:
            raise self.fail(f"{path}.{extra[0]}", "instruments.unknown_language")
        return LocalizedText(
            en=self.string(data["en"], f"{path}.en"), nl=self.string(data["nl"], f"{path}.nl")
        )

    def unique(self, ids: list[tuple[str, str]], seen: dict[str, str]) -> None:
        for item_id, path in ids:
            if item_id in seen:
                raise self.fail(path, "instruments.duplicate_id", id=item_id, first=seen[item_id])
            seen[item_id] = path

    def instrument(self, value: Any) -> Instrument:
        data = self.mapping(value, "")
        known = {
            "id", "version", "name", "description", "source", "prefer_not_to_say",
            "response_formats", "scales",
        }  # fmt: skip
        self.no_unknown(data, known, "")
        source = self.mapping(self.require(data, "source", ""), "source")
        self.no_unknown(source, {"citation", "licence", "note"}, "source")
        note = source.get("note")
        formats = self.response_formats(self.require(data, "response_formats", ""))
        scales_raw = self.sequence(self.require(data, "scales", ""), "scales")
        scales = tuple(self.scale(raw, f"scales[{i}]", formats) for i, raw in enumerate(scales_raw))
        seen_scales: dict[str, str] = {}
        self.unique([(s.id, f"scales[{i}].id") for i, s in enumerate(scales)], seen_scales)
        seen_items: dict[str, str] = {}
        self.unique(
            [
                (item.id, f"scales[{i}].items[{j}].id")
                for i, scale in enumerate(scales)
                for j, item in enumerate(scale.items)
            ],
            seen_items,
        )
        description = data.get("description")
        return Instrument(
            id=self.string(self.require(data, "id", ""), "id"),
            version=self.string(self.require(data, "version", ""), "version"),
            name=self.text(self.require(data, "name", ""), "name"),
            description=None if description is None else self.text(description, "description"),
            source=Source(
                citation=self.string(self.require(source, "citation", "source"), "source.citation"),
                licence=self.string(self.require(source, "licence", "source"), "source.licence"),
                note=None if note is None else self.text(note, "source.note"),
            ),
            prefer_not_to_say=self.text(
                self.require(data, "prefer_not_to_say", ""), "prefer_not_to_say"
            ),
            response_formats=tuple(formats.values()),
            scales=scales,
        )

    def no_unknown(self, data: Mapping[str, Any], known: set[str], path: str) -> None:
        extra = sorted(str(k) for k in set(data) - known)
        if extra:
            where = f"{path}.{extra[0]}" if path else extra[0]
            raise self.fail(where, "instruments.unknown_field", known=", ".join(sorted(known)))

    def response_formats(self, value: Any) -> dict[str, ResponseFormat]:
        formats: dict[str, ResponseFormat] = {}
        for i, raw in enumerate(self.sequence(value, "response_formats")):
            path = f"response_formats[{i}]"
            data = self.mapping(raw, path)
            self.no_unknown(data, {"id", "kind", "low", "high", "labels"}, path)
            format_id = self.string(self.require(data, "id", path), f"{path}.id")
            if format_id in formats:
                first = list(formats).index(format_id)
                raise self.fail(
                    f"{path}.id",
                    "instruments.duplicate_id",
                    id=format_id,
                    first=f"response_formats[{first}].id",
                )
            kind = self.choice(self.require(data, "kind", path), f"{path}.kind", KINDS)
            low = self.integer(self.require(data, "low", path), f"{path}.low")
            high = self.integer(self.require(data, "high", path), f"{path}.high")
            if kind == "yes_no" and (low, high) != (0, 1):
                raise self.fail(f"{path}.low", "instruments.yes_no_bounds")
            if high <= low:
                raise self.fail(f"{path}.high", "instruments.bounds_order", low=low, high=high)
            labels_raw = self.mapping(self.require(data, "labels", path), f"{path}.labels")
            labels: dict[int, LocalizedText] = {}
            for code, label in labels_raw.items():
                label_path = f"{path}.labels.{code}"
                if isinstance(code, bool) or not isinstance(code, int):
                    raise self.fail(label_path, "instruments.label_code")
                if not low <= code <= high:
                    raise self.fail(label_path, "instruments.label_outside", low=low, high=high)
                labels[code] = self.text(label, label_path)
            missing = [code for code in range(low, high + 1) if code not in labels]
            if missing:
                raise self.fail(f"{path}.labels.{missing[0]}", "instruments.missing_field")
            formats[format_id] = ResponseFormat(
                id=format_id,
                kind=cast(Kind, kind),
                low=low,
                high=high,
                labels=labels,
            )
        return formats

    def scale(self, raw: Any, path: str, formats: Mapping[str, ResponseFormat]) -> Scale:
        data = self.mapping(raw, path)
        known = {
            "id", "name", "description", "role", "audience", "headline", "response_format",
            "items", "min_items", "unsafe_below",
        }  # fmt: skip
        self.no_unknown(data, known, path)
        format_id = self.string(
            self.require(data, "response_format", path), f"{path}.response_format"
        )
        if format_id not in formats:
            raise self.fail(
                f"{path}.response_format", "instruments.unknown_format", known=", ".join(formats)
            )
        response_format = formats[format_id]
        items_raw = self.sequence(self.require(data, "items", path), f"{path}.items")
        items = tuple(
            self.item(raw_item, f"{path}.items[{j}]", response_format)
            for j, raw_item in enumerate(items_raw)
        )
        min_items = self.integer(self.require(data, "min_items", path), f"{path}.min_items")
        if not 1 <= min_items <= len(items):
            raise self.fail(f"{path}.min_items", "instruments.min_items", n_items=len(items))
        cutoff_raw = data.get("unsafe_below")
        cutoff: float | None = None
        if cutoff_raw is not None:
            if isinstance(cutoff_raw, bool) or not isinstance(cutoff_raw, int | float):
                raise self.fail(f"{path}.unsafe_below", "instruments.expected_number")
            cutoff = float(cutoff_raw)
            if not response_format.low < cutoff <= response_format.high:
                raise self.fail(
                    f"{path}.unsafe_below",
                    "instruments.cutoff_outside",
                    low=response_format.low,
                    high=response_format.high,
                )
        role = self.choice(self.require(data, "role", path), f"{path}.role", ROLES)
        headline = self.boolean(data.get("headline", False), f"{path}.headline")
        if headline and role == "incidents":
            raise self.fail(f"{path}.headline", "instruments.incidents_headline")
        return Scale(
            id=self.string(self.require(data, "id", path), f"{path}.id"),
            name=self.text(self.require(data, "name", path), f"{path}.name"),
            description=self.text(self.require(data, "description", path), f"{path}.description"),
            role=cast(Role, role),
            audience=cast(
                Audience, self.choice(data.get("audience", "all"), f"{path}.audience", AUDIENCES)
            ),
            headline=headline,
            response_format=response_format,
            items=items,
            min_items=min_items,
            unsafe_below=cutoff,
        )

    def item(self, raw: Any, path: str, response_format: ResponseFormat) -> Item:
        data = self.mapping(raw, path)
        self.no_unknown(data, {"id", "text", "reverse"}, path)
        reverse = self.boolean(data.get("reverse", False), f"{path}.reverse")
        if reverse and response_format.kind != "likert":
            raise self.fail(f"{path}.reverse", "instruments.reverse_not_likert")
        return Item(
            id=self.string(self.require(data, "id", path), f"{path}.id"),
            text=self.text(self.require(data, "text", path), f"{path}.text"),
            reverse=reverse,
        )
