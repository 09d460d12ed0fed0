"""The ``vrijuit`` command line: analyse a survey export into a report, run the demo, list
instruments, and generate the synthetic demo data.

Thin by design: every command reads its arguments, calls the engine (``vrijuit.stats``), the
report builder and the renderer, and turns the errors a user can cause (a bad file, a bad
instrument, a bad unit tree) into one translated message with exit status 2 — never a traceback.
All help texts and messages come from ``locale/cli.yaml`` (Dutch and English); the language is
``--lang``, else ``VRIJUIT_LANG``, else ``LANG``, else English.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from vrijuit import __version__
from vrijuit.i18n import LANGUAGES, Translator

__all__ = ["STAGES", "StageProgress", "build_parser", "detect_language", "main"]

# The stages of an analysis, in order; the report builder reports the middle three.
STAGES = ("reading", "scoring", "statistics", "disclosure", "rendering")
FORMATS = ("html", "json", "pdf")
DEMO_ATTRIBUTES = ("gender", "nationality_group", "position", "contract")
# The academic hierarchy, lowest first, for the level trend (support staff stand outside it).
DEMO_LEVELS = ("position=phd,postdoc,assistant_professor,associate_professor,full_professor",)


class UsageError(Exception):
    """A problem with what the user asked for; its text is already translated."""


def detect_language(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """The language for help and messages: ``--lang``, ``VRIJUIT_LANG``, ``LANG``, else English.

    >>> detect_language(["analyze", "--lang", "nl"], {})
    'nl'
    >>> detect_language([], {"LANG": "nl_NL.UTF-8"})
    'nl'
    >>> detect_language([], {"VRIJUIT_LANG": "en", "LANG": "nl_NL.UTF-8"})
    'en'
    >>> detect_language([], {})
    'en'
    """
    for i, arg in enumerate(argv):
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGUAGES:
            return value
    for name in ("VRIJUIT_LANG", "LC_ALL", "LANG"):
        code = environ.get(name, "")[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


def _localised(t: Translator) -> dict[str, Any]:
    """Parser settings that put argparse's own headings in the user's language too."""

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any = None) -> None:
            if prefix is None:  # argparse passes "" when it builds a sub-command's name
                prefix = t("cli.help.usage") + " "
            super().add_usage(usage, actions, groups, prefix)

    return {"formatter_class": Formatter, "add_help": False}


def _finish(parser: argparse.ArgumentParser, t: Translator) -> argparse.ArgumentParser:
    parser.add_argument("-h", "--help", action="help", help=t("cli.help.help"))
    # argparse has no public way to rename its two default sections.
    parser._positionals.title = t("cli.help.positionals")
    parser._optionals.title = t("cli.help.options")
    return parser


def build_parser(lang: str) -> argparse.ArgumentParser:
    """The argument parser with every help text in ``lang``."""
    t = Translator(lang)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGUAGES, default=lang, help=t("cli.help.lang"))
    common.add_argument("--quiet", "-q", action="store_true", help=t("cli.help.quiet"))

    parser = argparse.ArgumentParser(
        prog="vrijuit", description=t("cli.help.description"), parents=[common], **_localised(t)
    )
    _finish(parser, t)
    parser.add_argument(
        "--version", action="version", version=f"vrijuit {__version__}", help=t("cli.help.version")
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", title=t("cli.help.commands")
    )

    analyze = _finish(
        commands.add_parser(
            "analyze",
            parents=[common],
            help=t("cli.help.analyze"),
            description=t("cli.help.analyze"),
            **_localised(t),
        ),
        t,
    )
    analyze.add_argument("responses", metavar="RESPONSES", help=t("cli.help.responses"))
    analyze.add_argument("--instrument", default="vrijuit", help=t("cli.help.instrument"))
    analyze.add_argument("--team", default="team", help=t("cli.help.team"))
    analyze.add_argument("--id", dest="id_column", default="respondent_id", help=t("cli.help.id"))
    analyze.add_argument("--tree", help=t("cli.help.tree"))
    analyze.add_argument("--by", action="append", default=[], help=t("cli.help.by"))
    analyze.add_argument("--wave", help=t("cli.help.wave"))
    analyze.add_argument(
        "--levels",
        action="append",
        default=[],
        metavar="ATTRIBUTE=LOW,...,HIGH",
        help=t("cli.help.levels"),
    )
    analyze.add_argument("--role", help=t("cli.help.role"))
    analyze.add_argument("--k", type=int, default=5, help=t("cli.help.k"))
    analyze.add_argument("--mapping", help=t("cli.help.mapping"))
    analyze.add_argument("--sheet", help=t("cli.help.sheet"))
    analyze.add_argument("--encoding", help=t("cli.help.encoding"))
    analyze.add_argument(
        "--exclude-bad-rows", action="store_true", help=t("cli.help.exclude_bad_rows")
    )
    analyze.add_argument("--out", default="report.html", help=t("cli.help.out"))
    analyze.add_argument("--format", choices=FORMATS, help=t("cli.help.format"))

    demo = _finish(
        commands.add_parser(
            "demo",
            parents=[common],
            help=t("cli.help.demo"),
            description=t("cli.help.demo"),
            **_localised(t),
        ),
        t,
    )
    demo.add_argument("--out", default="out", help=t("cli.help.demo_out"))

    generate = _finish(
        commands.add_parser(
            "generate-demo",
            parents=[common],
            help=t("cli.help.generate"),
            description=t("cli.help.generate"),
            **_localised(t),
        ),
        t,
    )
    generate.add_argument("--out", required=True, help=t("cli.help.generate_out"))
    generate.add_argument("--seed", type=int, default=2026, help=t("cli.help.seed"))

    _finish(
        commands.add_parser(
            "instruments",
            parents=[common],
            help=t("cli.help.instruments"),
            description=t("cli.help.instruments"),
            **_localised(t),
        ),
        t,
    )
    return parser


class StageProgress:
    """A progress bar over the analysis stages, on stderr; silent when not a terminal or quiet.

    Called as ``progress(stage, done, total)`` — the contract of ``build_report(progress=...)``.
    """

    def __init__(self, lang: str, *, enabled: bool, stream: TextIO | None = None) -> None:
        self.t = Translator(lang)
        self.bar: Any = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=len(STAGES),
                file=stream or sys.stderr,
                bar_format="{desc} |{bar}| {percentage:3.0f}%",
                leave=False,
            )

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        index = STAGES.index(stage) if stage in STAGES else len(STAGES) - 1
        fraction = done / total if total > 0 else 1.0
        self.bar.n = round(index + min(max(fraction, 0.0), 1.0), 3)
        label = f"cli.stage.{stage}" if stage in STAGES else "cli.stage.working"
        self.bar.set_description_str(self.t(label))
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _format_for(out: Path, explicit: str | None, t: Translator) -> str:
    if explicit:
        return explicit
    suffix = out.suffix.lower().lstrip(".")
    if suffix == "htm":
        suffix = "html"
    if suffix not in FORMATS:
        raise UsageError(t("cli.error.unknown_format", path=str(out)))
    return suffix


def _read_tree(path: str | Path, t: Translator) -> Any:
    import pandas as pd

    if not Path(path).is_file():
        raise UsageError(t("cli.error.no_such_file", path=str(path)))
    units = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    from vrijuit.stats.rollup import UnitTree

    try:
        tree = UnitTree.from_frame(
            units,
            unit="unit_id",
            parent="parent_id",
            name_en="name_en",
            name_nl="name_nl",
            level="level",
        )
    except (KeyError, ValueError) as exc:
        # A UnitTreeError words its problem in the user's language (exc.message(lang)).
        problem = _describe(exc, t.lang)
        raise UsageError(t("cli.error.bad_tree", path=str(path), problem=problem)) from exc
    return tree


def parse_levels(values: Sequence[str], t: Translator) -> dict[str, tuple[str, ...]]:
    """Parse ``--levels position=phd,postdoc,...`` into an ordered mapping (lowest first).

    >>> parse_levels(["position=phd, postdoc ,full_professor"], Translator("en"))
    {'position': ('phd', 'postdoc', 'full_professor')}
    """
    ordered: dict[str, tuple[str, ...]] = {}
    for value in values:
        attribute, sep, listed = value.partition("=")
        order = tuple(part.strip() for part in listed.split(",") if part.strip())
        if not sep or not attribute.strip() or len(order) < 2 or len(set(order)) != len(order):
            raise UsageError(t("cli.error.bad_levels", value=value))
        ordered[attribute.strip()] = order
    return ordered


def _write_report(report: Any, out: Path, fmt: str, lang: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
        out.write_text(text + "\n", encoding="utf-8")
        return
    from vrijuit import render

    if fmt == "html":
        out.write_text(render.render_html(report, lang), encoding="utf-8")
    else:
        render.render_pdf(report, lang, out)


def _analyse(
    *,
    responses: str | Path,
    instrument_name: str,
    team: str,
    id_column: str,
    tree_path: str | Path | None,
    by: Sequence[str],
    wave: str | None,
    role: str | None,
    k: int,
    mapping: str | None,
    sheet: str | None,
    encoding: str | None,
    outputs: Sequence[tuple[Path, str]],
    exclude_bad_rows: bool = False,
    levels: Sequence[str] = (),
    lang: str,
    progress: Callable[[str, int, int], None],
) -> None:
    """Read, analyse and render: the body shared by ``analyze`` and ``demo``."""
    from vrijuit.stats.instruments import load_instrument
    from vrijuit.stats.io import read_responses
    from vrijuit.stats.report import build_report

    t = Translator(lang)
    if k < 1:
        raise UsageError(t("cli.error.bad_k", k=k))
    if not Path(responses).is_file():
        raise UsageError(t("cli.error.no_such_file", path=str(responses)))
    ordered_levels = parse_levels(levels, t)
    progress("reading", 0, 1)
    instrument = load_instrument(instrument_name)
    tree = _read_tree(tree_path, t) if tree_path else None
    attributes = tuple(dict.fromkeys([*by, *ordered_levels, *([role] if role else [])]))
    options: dict[str, Any] = {
        "instrument": instrument,
        "team_column": team,
        "id_column": id_column,
        "wave_column": wave,
        "attribute_columns": attributes,
        "mapping": mapping,
        "sheet": sheet,
        "encoding": encoding,
        "lang": lang,
        # Rows with problems stop the import unless the user asks to leave them out; the report
        # then lists every excluded row with its reason, so nothing is dropped silently.
        "on_bad_rows": "exclude" if exclude_bad_rows else "error",
    }
    imported = read_responses(Path(responses), **options)
    progress("reading", 1, 1)
    report = build_report(
        imported.data,
        instrument,
        team_column=team,
        tree=tree,
        by=tuple(by),
        levels=ordered_levels or None,
        wave_column=wave,
        role_column=role,
        k=k,
        progress=progress,
        excluded=imported.excluded,
    )
    for number, (out, fmt) in enumerate(outputs):
        progress("rendering", number, len(outputs))
        _write_report(report, out, fmt, lang)
    progress("rendering", len(outputs), len(outputs))


def _user_errors() -> tuple[type[BaseException], ...]:
    """The exception types that describe a problem in the user's input, not a bug."""
    # Imported here, not at the top: `--help` and `generate-demo` need no pandas-heavy imports.
    from vrijuit.stats.instruments import InstrumentError
    from vrijuit.stats.io import ResponseFileError

    return (UsageError, InstrumentError, ResponseFileError)


def _describe(error: BaseException, lang: str) -> str:
    """One clear message for a user error; the engine's errors translate themselves."""
    message = getattr(error, "message", None)
    if callable(message):
        return str(message(lang))
    return str(error)


def _run(args: argparse.Namespace, lang: str, out: TextIO) -> int:
    t = Translator(lang)
    quiet = bool(args.quiet)
    interactive = sys.stderr.isatty() and not quiet
    if args.command == "instruments":
        from vrijuit.stats.instruments import available_instruments, load_instrument

        for name in available_instruments():
            instrument = load_instrument(name)
            print(
                t(
                    "cli.instruments.line",
                    id=name,
                    version=instrument.version,
                    name=instrument.name.get(lang),
                    scales=len(instrument.scales),
                    items=len(instrument.item_ids()),
                ),
                file=out,
            )
        return 0
    if args.command == "generate-demo":
        from vrijuit.demo.generate import write_demo

        generated = write_demo(args.out, seed=args.seed)
        if not quiet:
            print(
                t(
                    "cli.generate.done",
                    n=len(generated.responses),
                    units=len(generated.units),
                    out=args.out,
                ),
                file=out,
            )
        return 0
    progress = StageProgress(lang, enabled=interactive)
    try:
        if args.command == "demo":
            folder = Path(args.out)
            with resources.as_file(resources.files("vrijuit.demo").joinpath("data")) as data:
                _analyse(
                    responses=data / "responses.csv",
                    instrument_name="vrijuit",
                    team="team",
                    id_column="respondent_id",
                    tree_path=data / "units.csv",
                    by=DEMO_ATTRIBUTES,
                    levels=DEMO_LEVELS,
                    wave="wave",
                    role="role",
                    k=5,
                    mapping=None,
                    sheet=None,
                    encoding=None,
                    outputs=[(folder / f"report.{fmt}", fmt) for fmt in FORMATS],
                    lang=lang,
                    progress=progress,
                )
            written = ", ".join(str(folder / f"report.{fmt}") for fmt in FORMATS)
        else:
            target = Path(args.out)
            fmt = _format_for(target, args.format, t)
            _analyse(
                responses=args.responses,
                instrument_name=args.instrument,
                team=args.team,
                id_column=args.id_column,
                tree_path=args.tree,
                by=args.by,
                wave=args.wave,
                role=args.role,
                k=args.k,
                mapping=args.mapping,
                sheet=args.sheet,
                encoding=args.encoding,
                outputs=[(target, fmt)],
                exclude_bad_rows=args.exclude_bad_rows,
                levels=args.levels,
                lang=lang,
                progress=progress,
            )
            written = str(target)
    finally:
        progress.close()
    if not quiet:
        print(t("cli.analyze.done", paths=written), file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``vrijuit`` command; returns the exit status (0 ok, 2 bad input or usage)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    lang = detect_language(arguments, os.environ)
    parser = build_parser(lang)
    try:
        args = parser.parse_args(arguments)
    except SystemExit as stop:  # --help, --version and usage errors end here
        return int(stop.code or 0) if not isinstance(stop.code, str) else 2
    lang = args.lang
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return _run(args, lang, sys.stdout)
    except _user_errors() as error:
        print(Translator(lang)("cli.error.prefix", message=_describe(error, lang)), file=sys.stderr)
        return 2
    except OSError as error:
        text = Translator(lang)("cli.error.os", path=str(error.filename or ""), problem=str(error))
        print(Translator(lang)("cli.error.prefix", message=text), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
