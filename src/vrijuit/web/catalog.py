"""The Django translation catalog without GNU gettext: extract, update and compile with polib.

``python -m vrijuit.web.catalog update`` collects every msgid used in the web platform's Python
code and templates and adds the new ones (empty) to ``locale_django/nl/LC_MESSAGES/django.po``;
``... translate FILE.json`` fills in Dutch translations from a JSON object (msgid -> text, or a
list of two texts for a plural; ``"context\x04msgid"`` for a msgid with a context), then updates
and compiles in one step. ``... compile`` writes the ``.mo`` next to it (both are committed,
so a fresh machine needs no ``msgfmt``). Templates are read with Django's own ``templatize``
(what ``makemessages`` uses), so the msgids are exactly the ones Django looks up at run time.
tests/web/test_translations.py checks that every msgid has a Dutch translation and that the
``.mo`` matches the ``.po``.

The engine (``stats/``, ``render/``, ``cli.py``, its Jinja templates in ``templates/``) has its
own catalog in ``locale/*.yaml`` and is not scanned.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import io
import json
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parent.parent  # src/vrijuit
CATALOG = PACKAGE / "locale_django" / "nl" / "LC_MESSAGES" / "django.po"
# The engine's files and generated code: not part of the Django catalog.
NOT_SCANNED = {"stats", "render", "demo", "templates", "locale", "instruments", "migrations"}
NOT_SCANNED_FILES = {"cli.py", "i18n.py"}

# name -> positions of (context, singular, plural) among the call's arguments
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


@dataclass(frozen=True)
class Message:
    msgid: str
    plural: str = ""
    context: str = ""


def source_files() -> tuple[list[Path], list[Path]]:
    """(Python files, template files) of the web platform."""
    python: list[Path] = []
    templates: list[Path] = []
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if not path.is_file() or relative.parts[0] in NOT_SCANNED:
            continue
        if any(part in {"migrations", "__pycache__"} for part in relative.parts):
            continue
        if len(relative.parts) == 1 and relative.name in NOT_SCANNED_FILES:
            continue
        if path.suffix == ".py":
            python.append(path)
        elif "templates" in relative.parts and path.suffix in {".html", ".txt"}:
            templates.append(path)
    return python, templates


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def messages_in_python(source: str, name: str = "<python>") -> dict[Message, list[str]]:
    found: dict[Message, list[str]] = {}
    for node in ast.walk(ast.parse(source, filename=name)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        keyword = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else None
        )
        if keyword not in KEYWORDS:
            continue
        context_at, singular_at, plural_at = KEYWORDS[keyword]
        args = node.args
        if len(args) <= max(i for i in (context_at, singular_at, plural_at) if i is not None):
            continue
        singular = _literal(args[singular_at])
        if singular is None:
            continue  # a variable: nothing to extract (and ruff's INT rules flag it)
        plural = _literal(args[plural_at]) if plural_at is not None else ""
        context = _literal(args[context_at]) if context_at is not None else ""
        message = Message(singular, plural or "", context or "")
        found.setdefault(message, []).append(f"{name}:{node.lineno}")
    return found


def messages_in_template(source: str, name: str = "<template>") -> dict[Message, list[str]]:
    """Run Django's templatize (as makemessages does), then read its gettext calls."""
    from django.utils.translation.template import templatize

    code = templatize(source, origin=name)
    found: dict[Message, list[str]] = {}
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    for i, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in KEYWORDS:
            continue
        if i + 1 >= len(tokens) or tokens[i + 1].string != "(":
            continue
        strings: list[str] = []
        for following in tokens[i + 2 :]:
            if following.type == tokenize.STRING:
                strings.append(ast.literal_eval(following.string))
            elif following.string == ")":
                break
        context_at, singular_at, plural_at = KEYWORDS[token.string]
        try:
            message = Message(
                strings[singular_at],
                strings[plural_at] if plural_at is not None else "",
                strings[context_at] if context_at is not None else "",
            )
        except IndexError:
            continue
        found.setdefault(message, []).append(f"{name}:{token.start[0]}")
    return found


def extract() -> dict[Message, list[str]]:
    """Every message of the web platform with where it is used (paths relative to src/vrijuit)."""
    python, templates = source_files()
    found: dict[Message, list[str]] = {}
    for path in python:
        name = str(path.relative_to(PACKAGE))
        for message, where in messages_in_python(path.read_text(encoding="utf-8"), name).items():
            found.setdefault(message, []).extend(where)
    for path in templates:
        name = str(path.relative_to(PACKAGE))
        for message, where in messages_in_template(path.read_text(encoding="utf-8"), name).items():
            found.setdefault(message, []).extend(where)
    return found


def update(catalog: Path = CATALOG) -> tuple[int, int]:
    """Add new msgids (untranslated), drop unused ones; returns (added, removed)."""
    po = polib.pofile(str(catalog)) if catalog.exists() else _new_catalog()
    found = extract()
    keys = {(m.context or None, m.msgid): m for m in found}
    existing = {(entry.msgctxt or None, entry.msgid): entry for entry in po}
    added = removed = 0
    for key, message in keys.items():
        entry = existing.get(key)
        if entry is None:
            entry = polib.POEntry(msgid=message.msgid, msgctxt=message.context or None)
            if message.plural:
                entry.msgid_plural = message.plural
                entry.msgstr_plural = {0: "", 1: ""}
            else:
                entry.msgstr = ""
            po.append(entry)
            added += 1
        elif message.plural and entry.msgid_plural != message.plural:
            entry.msgid_plural = message.plural
        entry.occurrences = [_split_where(where) for where in sorted(set(found[message]))]
        if ("%(" in message.msgid or "%s" in message.msgid) and "python-format" not in entry.flags:
            entry.flags.append("python-format")
    for key, entry in existing.items():
        if key not in keys:
            po.remove(entry)
            removed += 1
    po.sort(key=lambda e: (e.msgctxt or "", e.msgid))
    catalog.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(catalog))
    return added, removed


def translate(translations: dict[str, str | list[str]], catalog: Path = CATALOG) -> list[str]:
    """Set Dutch texts for msgids already in the catalog; returns the msgids it did not find."""
    po = polib.pofile(str(catalog))
    entries = {
        (f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid): entry
        for entry in po
    }
    unknown = []
    for key, text in translations.items():
        entry = entries.get(key)
        if entry is None:
            unknown.append(key)
            continue
        if entry.msgid_plural:
            forms = [text] * 2 if isinstance(text, str) else list(text)
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = text if isinstance(text, str) else text[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(catalog))
    return unknown


@contextlib.contextmanager
def _locked(catalog: Path = CATALOG) -> Iterator[None]:
    # Several people (or processes) may update the one shared catalog at the same time.
    with open(catalog.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _split_where(where: str) -> tuple[str, str]:
    path, _sep, line = where.rpartition(":")
    return path, line


def compile_catalog(catalog: Path = CATALOG) -> Path:
    target = catalog.with_suffix(".mo")
    polib.pofile(str(catalog)).save_as_mofile(str(target))
    return target


def _new_catalog() -> polib.POFile:
    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": "vrijuit",
        "Language": "nl",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    return po


def main(argv: list[str]) -> int:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vrijuit.settings")
    django.setup()
    if argv[:1] == ["update"]:
        with _locked():
            added, removed = update()
        print(f"{CATALOG}: {added} new (to translate), {removed} removed")
        return 0
    if argv[:1] == ["compile"]:
        with _locked():
            print(f"wrote {compile_catalog()}")
        return 0
    if argv[:1] == ["translate"] and len(argv) == 2:
        translations = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        with _locked():
            added, removed = update()
            unknown = translate(translations)
            compile_catalog()
        print(f"{CATALOG}: {added} new, {removed} removed, {len(translations)} translated")
        if unknown:
            print(f"not in the catalog (unused in code and templates?): {unknown}", file=sys.stderr)
            return 1
        return 0
    usage = "usage: python -m vrijuit.web.catalog update|compile|translate FILE.json"
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
