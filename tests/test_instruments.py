"""The shipped instruments load and validate; every kind of bad instrument file gives an error
that names the file, the place inside it and the problem."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from vrijuit.i18n import catalog
from vrijuit.stats.instruments import (
    Instrument,
    InstrumentError,
    LocalizedText,
    available_instruments,
    load_instrument,
    parse_instrument,
)

SOURCE = Path(__file__).parents[1] / "src" / "vrijuit"


def _minimal() -> dict[str, Any]:
    return {
        "id": "mine",
        "version": "1",
        "name": {"en": "Mine", "nl": "Van mij"},
        "source": {"citation": "Us (2026).", "licence": "CC BY 4.0"},
        "prefer_not_to_say": {"en": "Prefer not to say", "nl": "Zeg ik liever niet"},
        "response_formats": [
            {
                "id": "agree3",
                "kind": "likert",
                "low": 1,
                "high": 3,
                "labels": {
                    1: {"en": "No", "nl": "Nee"},
                    2: {"en": "Maybe", "nl": "Misschien"},
                    3: {"en": "Yes", "nl": "Ja"},
                },
            },
            {
                "id": "yn",
                "kind": "yes_no",
                "low": 0,
                "high": 1,
                "labels": {0: {"en": "No", "nl": "Nee"}, 1: {"en": "Yes", "nl": "Ja"}},
            },
        ],
        "scales": [
            {
                "id": "s1",
                "name": {"en": "One", "nl": "Een"},
                "description": {"en": "First", "nl": "Eerste"},
                "role": "climate",
                "audience": "all",
                "headline": True,
                "response_format": "agree3",
                "min_items": 2,
                "unsafe_below": 2,
                "items": [
                    {"id": "A1", "text": {"en": "a", "nl": "a"}},
                    {"id": "A2", "text": {"en": "b", "nl": "b"}, "reverse": True},
                ],
            },
            {
                "id": "s2",
                "name": {"en": "Two", "nl": "Twee"},
                "description": {"en": "Second", "nl": "Tweede"},
                "role": "incidents",
                "response_format": "yn",
                "min_items": 1,
                "items": [{"id": "B1", "text": {"en": "c", "nl": "c"}}],
            },
        ],
    }


def test_both_shipped_instruments_are_available_and_load() -> None:
    assert available_instruments() == ("edmondson", "vrijuit")
    for name in available_instruments():
        instrument = load_instrument(name)
        assert isinstance(instrument, Instrument)
        assert instrument.id == name
        assert instrument.headline_scales()


def test_vrijuit_instrument_has_the_planned_scales_roles_and_item_prefixes() -> None:
    vrijuit = load_instrument("vrijuit")
    climate = {
        "speaking_up": "SU",
        "addressing_others": "AO",
        "relational_colleagues": "RC",
        "relational_leader": "RL",
        "inclusion": "IN",
        "integrity_climate": "IC",
        "voice_efficacy": "FU",
    }
    for scale_id, prefix in climate.items():
        scale = vrijuit.scale(scale_id)
        assert scale.role == "climate"
        assert 4 <= len(scale.items) <= 6
        assert all(item.id.startswith(prefix) for item in scale.items)
        assert any(scale.reverse), f"{scale_id} has no reverse-keyed item"
        assert not all(scale.reverse)
        assert scale.response_format.id == "agree5"
        assert scale.unsafe_below == 3.0
    leaders = vrijuit.scale("leader_own")
    assert (leaders.role, leaders.audience, leaders.headline) == ("leader_own", "leaders", False)
    assert all(item.id.startswith("LO") for item in leaders.items)
    assert {s.role for s in vrijuit.scales} == {"climate", "leader_own", "behaviour", "incidents"}
    behaviour = [s for s in vrijuit.scales if s.role == "behaviour"]
    assert {s.response_format.kind for s in behaviour} == {"yes_no", "likert"}
    incidents = [s for s in vrijuit.scales if s.role == "incidents"]
    assert len(incidents) == 2
    for scale in incidents:
        assert not scale.headline
        assert len(scale.items) == 6
        assert all(item.id.startswith("UB") for item in scale.items)
    assert vrijuit.prefer_not_to_say.get("nl") == "Zeg ik liever niet"


def test_edmondson_has_seven_items_with_items_one_three_five_reversed_on_seven_points() -> None:
    edmondson = load_instrument("edmondson")
    scale = edmondson.scale("psychological_safety")
    assert scale.item_ids == tuple(f"PS{i}" for i in range(1, 8))
    assert scale.reverse == (True, False, True, False, True, False, False)
    assert (scale.response_format.low, scale.response_format.high) == (1, 7)
    assert edmondson.source.note is not None
    assert "ad-hoc" in edmondson.source.note.en
    assert "1999" in edmondson.source.citation


def test_dutch_texts_of_the_shipped_instruments_use_the_informal_register() -> None:
    formal = re.compile(r"\b(u|uw|U|Uw)\b")
    for name in available_instruments():
        instrument = load_instrument(name)
        texts = [item.text.nl for scale in instrument.scales for item in scale.items]
        texts += [scale.description.nl for scale in instrument.scales]
        assert not [t for t in texts if formal.search(t)]


def test_an_instrument_loads_from_a_path_like_the_shipped_ones(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(_minimal(), allow_unicode=True), "utf-8")
    instrument = load_instrument(path)
    assert instrument.item_ids() == ("A1", "A2", "B1")
    assert instrument.scale("s1").response_format.labels[2] == LocalizedText("Maybe", "Misschien")
    assert load_instrument(str(path)) == instrument


def test_a_frequency_format_loads_and_gives_its_number_of_options() -> None:
    data = _minimal()
    data["response_formats"].append(
        {
            "id": "often4",
            "kind": "frequency",
            "low": 1,
            "high": 4,
            "labels": {i: {"en": f"f{i}", "nl": f"v{i}"} for i in range(1, 5)},
        }
    )
    data["scales"][1]["response_format"] = "often4"
    scale = parse_instrument(data, file="mine.yaml").scale("s2")
    assert (scale.response_format.kind, scale.response_format.n_options) == ("frequency", 4)


def test_unknown_scale_id_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="speaking_up"):
        load_instrument("vrijuit").scale("nope")


def test_localized_text_rejects_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="en, nl"):
        LocalizedText("a", "b").get("de")


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set (or with value ... delete) ``a.b[0].c`` in a nested dict."""
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    target: Any = data
    for part in parts[:-1]:
        target = target[part]
    if value is ...:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value


BAD_CASES = [
    # (what is changed, new value, path in the error, message key without "instruments.")
    ("scales.0.items.0.text.nl", "", "scales[0].items[0].text.nl", "expected_string"),
    ("scales.0.items.0.text.nl", ..., "scales[0].items[0].text.nl", "missing_language"),
    ("scales.0.items.0.text.en", False, "scales[0].items[0].text.en", "unquoted_boolean"),
    ("scales.0.name.de", "Eins", "scales[0].name.de", "unknown_language"),
    ("scales.0.items.1.id", "A1", "scales[0].items[1].id", "duplicate_id"),
    ("scales.1.items.0.id", "A2", "scales[1].items[0].id", "duplicate_id"),
    ("scales.1.id", "s1", "scales[1].id", "duplicate_id"),
    ("response_formats.1.id", "agree3", "response_formats[1].id", "duplicate_id"),
    ("scales.0.min_items", 3, "scales[0].min_items", "min_items"),
    ("scales.0.min_items", 0, "scales[0].min_items", "min_items"),
    ("scales.0.min_items", "two", "scales[0].min_items", "expected_integer"),
    ("scales.0.unsafe_below", 1, "scales[0].unsafe_below", "cutoff_outside"),
    ("scales.0.unsafe_below", 3.5, "scales[0].unsafe_below", "cutoff_outside"),
    ("scales.0.unsafe_below", "low", "scales[0].unsafe_below", "expected_number"),
    ("scales.1.items.0.reverse", True, "scales[1].items[0].reverse", "reverse_not_likert"),
    ("scales.0.items.0.reverse", "yes", "scales[0].items[0].reverse", "expected_boolean"),
    ("scales.0.role", "mood", "scales[0].role", "expected_choice"),
    ("scales.0.audience", "everyone", "scales[0].audience", "expected_choice"),
    ("scales.1.headline", True, "scales[1].headline", "incidents_headline"),
    ("scales.0.response_format", "agree9", "scales[0].response_format", "unknown_format"),
    ("scales.0.items", [], "scales[0].items", "expected_list"),
    ("scales.0.items.0", "A1", "scales[0].items[0]", "expected_mapping"),
    ("scales.0.colour", "red", "scales[0].colour", "unknown_field"),
    ("scales.0.id", ..., "scales[0].id", "missing_field"),
    ("source.licence", ..., "source.licence", "missing_field"),
    ("prefer_not_to_say", ..., "prefer_not_to_say", "missing_field"),
    ("response_formats.0.kind", "slider", "response_formats[0].kind", "expected_choice"),
    ("response_formats.0.high", 1, "response_formats[0].high", "bounds_order"),
    ("response_formats.1.high", 2, "response_formats[1].low", "yes_no_bounds"),
    ("response_formats.0.labels.4", {"en": "x", "nl": "x"}, "response_formats[0].labels.4",
     "label_outside"),
    ("response_formats.0.labels.2", ..., "response_formats[0].labels.2", "missing_field"),
    ("response_formats.0.labels.two", {"en": "x", "nl": "x"}, "response_formats[0].labels.two",
     "label_code"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "value", "path", "key"), BAD_CASES)
def test_every_kind_of_bad_instrument_gives_a_specific_error_naming_file_and_path(
    change: str, value: Any, path: str, key: str
) -> None:
    data = copy.deepcopy(_minimal())
    _set(data, change, value)
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(data, file="mine.yaml")
    error = caught.value
    assert (error.file, error.path, error.key) == ("mine.yaml", path, f"instruments.{key}")
    assert str(error).startswith(f"mine.yaml: {path}: ")
    assert error.message("nl").startswith(f"mine.yaml: {path}: ")
    assert error.message("nl") != str(error)


def test_the_error_message_reads_as_the_brief_describes() -> None:
    data = _minimal()
    data["scales"][0]["items"][0]["text"]["nl"] = "  "
    with pytest.raises(
        InstrumentError,
        match=r"^mine\.yaml: scales\[0\]\.items\[0\]\.text\.nl: expected a non-empty string$",
    ):
        parse_instrument(data, file="mine.yaml")


def test_a_file_that_is_not_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nscales: [\n  - {id: a\n", "utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    assert caught.value.key == "instruments.yaml_syntax"
    assert caught.value.file == "broken.yaml"


def test_an_unknown_name_or_missing_file_lists_the_shipped_instruments(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="edmondson, vrijuit"):
        load_instrument("qualtrics")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(tmp_path / "absent.yaml")
    assert caught.value.key == "instruments.not_found"


def test_a_document_that_is_not_a_mapping_is_rejected() -> None:
    with pytest.raises(InstrumentError, match="expected a set of named fields"):
        parse_instrument(["not", "a", "mapping"], file="list.yaml")


def test_every_message_key_the_loader_can_raise_exists_in_both_languages() -> None:
    code = (SOURCE / "stats" / "instruments.py").read_text("utf-8")
    keys = set(re.findall(r'"(instruments\.[a-z_]+)"', code))
    assert len(keys) >= 20
    missing = keys - set(catalog())
    assert not missing
