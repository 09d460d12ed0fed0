"""Every UI string has Dutch and English, and the committed .mo matches the .po."""

from __future__ import annotations

import re

import polib
import pytest
from django.test import Client
from django.urls import reverse

from vrijuit.web import catalog

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(catalog.CATALOG))


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_every_msgid_in_code_and_templates_has_a_dutch_translation(po: polib.POFile) -> None:
    in_catalog = {(entry.msgctxt or "", entry.msgid): entry for entry in po}
    missing = []
    for message in catalog.extract():
        entry = in_catalog.get((message.context, message.msgid))
        if entry is None or not all(_translations(entry)) or "fuzzy" in entry.flags:
            missing.append(message.msgid)
    assert not missing, f"run `make messages`, translate, `make compilemessages`: {missing}"


def test_every_english_source_string_is_present(po: polib.POFile) -> None:
    # English is the msgid itself; a plural needs its English plural form as well.
    empty = [m for m in catalog.extract() if not m.msgid.strip()]
    assert not empty
    assert all(entry.msgid_plural for entry in po if entry.msgstr_plural)


def test_dutch_uses_the_same_named_placeholders(po: polib.POFile) -> None:
    wrong = []
    for entry in po:
        wanted = set(PLACEHOLDER.findall(entry.msgid)) | set(
            PLACEHOLDER.findall(entry.msgid_plural or "")
        )
        for text in _translations(entry):
            if set(PLACEHOLDER.findall(text)) - wanted or (
                not entry.msgid_plural and set(PLACEHOLDER.findall(text)) != wanted
            ):
                wrong.append(entry.msgid)
    assert not wrong


def test_the_catalog_has_no_unused_entries(po: polib.POFile) -> None:
    used = {(m.context, m.msgid) for m in catalog.extract()}
    unused = [entry.msgid for entry in po if (entry.msgctxt or "", entry.msgid) not in used]
    assert not unused, f"run `make messages` to drop: {unused}"


def test_the_committed_mo_matches_the_po(po: polib.POFile) -> None:
    mo = polib.mofile(str(catalog.CATALOG.with_suffix(".mo")))

    def table(entries: polib._BaseFile) -> dict[tuple[str, str], list[str]]:
        return {
            (entry.msgctxt or "", entry.msgid): _translations(entry)
            for entry in entries
            if entry.msgid
        }

    translated = polib.POFile()
    translated.extend(
        entry for entry in po if all(_translations(entry)) and "fuzzy" not in entry.flags
    )
    assert table(mo) == table(translated), "run `make compilemessages`"


def test_the_extractor_reads_blocktranslate_as_django_does() -> None:
    source = (
        "{% load i18n %}{% blocktranslate with name=user.name trimmed %}\n"
        "  Hello,\n  {{ name }}!{% endblocktranslate %}"
    )
    found = catalog.messages_in_template(source)
    assert [m.msgid for m in found] == ["Hello, %(name)s!"]


def test_pages_are_dutch_by_default_and_english_on_request(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    dutch = client.get(reverse("accounts:login"))
    assert "Inloggen" in dutch.content.decode()
    assert 'lang="nl"' in dutch.content.decode()
    english = client.get(reverse("accounts:login"), headers={"accept-language": "en"})
    assert "Log in" in english.content.decode()
    assert 'lang="en"' in english.content.decode()


def test_translate_fills_in_known_msgids_and_reports_unknown_ones(tmp_path) -> None:
    po = catalog._new_catalog()
    po.append(polib.POEntry(msgid="Close", msgstr=""))
    po.append(polib.POEntry(msgid="May", msgctxt="month", msgstr=""))
    plural = polib.POEntry(msgid="%(n)s person", msgid_plural="%(n)s people")
    plural.msgstr_plural = {0: "", 1: ""}
    po.append(plural)
    path = tmp_path / "django.po"
    po.save(str(path))
    unknown = catalog.translate(
        {
            "Close": "Sluiten",
            "month\x04May": "mei",
            "%(n)s person": ["%(n)s persoon", "%(n)s personen"],
            "Not used": "Niet gebruikt",
        },
        path,
    )
    assert unknown == ["Not used"]
    saved = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path))}
    assert saved[(None, "Close")].msgstr == "Sluiten"
    assert saved[("month", "May")].msgstr == "mei"
    assert saved[(None, "%(n)s person")].msgstr_plural == {0: "%(n)s persoon", 1: "%(n)s personen"}
