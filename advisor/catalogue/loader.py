"""Load a catalogue directory into an immutable :class:`Catalogue`, or explain why not.

Every problem names the file, the line and the path inside the file, so that
an association editing the YAML can find it without reading Python.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from advisor.core import rules

from . import checks
from .schema import (
    LEVELS,
    SPECIAL_ANSWERS,
    CatalogueFile,
    Duty,
    FieldFile,
    FieldRef,
    Framework,
    Measure,
    MeasureFile,
    Profile,
    ProfileOption,
    Question,
    Sizing,
    Task,
    Text,
)
from .schema import Migration as MigrationSpec
from .yamlsource import Located, YamlProblem, load

CATALOGUE_FILE = "catalogue.yaml"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a catalogue file."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class CatalogueError(Exception):
    """A catalogue could not be loaded; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class FieldDef:
    """A field (Handlungsfeld) with its questions in asking order."""

    id: str
    title: Text
    description: Text
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue. ``hash`` identifies its content, whatever the formatting."""

    id: str
    version: str
    hash: str
    title: Text
    description: Text
    sources: tuple[str, ...]
    profile: Profile
    fields: tuple[FieldDef, ...]
    migrations: tuple[MigrationSpec, ...] = ()
    measures: tuple[Measure, ...] = ()
    duties: tuple[Duty, ...] = ()
    tasks: tuple[Task, ...] = ()
    sizing: tuple[Sizing, ...] = ()
    legal_as_of: date | None = None
    frameworks: dict[str, Framework] = field(default_factory=dict, compare=False)
    questions: dict[str, Question] = field(default_factory=dict, compare=False)
    field_of: dict[str, str] = field(default_factory=dict, compare=False)
    #: Memos of :meth:`responsibilities` and :meth:`variants` per profile: the catalogue never changes.
    _carriers: dict[tuple, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)
    _variants: dict[tuple, dict[str, int | None]] = field(default_factory=dict, compare=False, repr=False)

    def field(self, field_id: str) -> FieldDef | None:
        """Return the field with this id, or None."""
        return next((f for f in self.fields if f.id == field_id), None)

    @cached_property
    def task_map(self) -> dict[str, Task]:
        """Tasks by id."""
        return {t.id: t for t in self.tasks}

    @cached_property
    def type_map(self) -> dict[str, ProfileOption]:
        """Municipality types by id."""
        return {t.id: t for t in self.profile.municipality_types}

    @cached_property
    def association_types(self) -> frozenset[str]:
        """Types that belong to, or are, a joint administration: the profile asks which kind."""
        members = {t.id for t in self.profile.municipality_types if t.administered_by}
        bodies = {t.administered_by for t in self.profile.municipality_types if t.administered_by}
        return frozenset(members | bodies)  # type: ignore[arg-type]

    def responsibility(self, question: Question, profile: Mapping[str, str | None]) -> str:
        """Who carries what ``question`` asks about, for this profile (see :mod:`advisor.core.rules`)."""
        return rules.responsibility(self.task_map.get(question.task or ""), self.type_map, profile)

    def variants(self, profile: Mapping[str, str | None]) -> Mapping[str, int | None]:
        """Measure id -> the index of its first variant whose profile conditions hold, or None."""
        key = tuple(sorted((k, v) for k, v in profile.items() if v is not None))
        chosen = self._variants.get(key)
        if chosen is None:
            chosen = {
                m.id: next(
                    (
                        i
                        for i, v in enumerate(m.variants)
                        if rules.all_hold(v.when, self.questions, {}, profile)
                    ),
                    None,
                )
                for m in self.measures
            }
            self._variants[key] = chosen
        return chosen

    def responsibilities(self, profile: Mapping[str, str | None]) -> Mapping[str, str]:
        """:meth:`responsibility` of every question (computed once per type and Land)."""
        key = (profile.get("municipality_type"), profile.get("state"))
        carriers = self._carriers.get(key)
        if carriers is None:
            carriers = {qid: self.responsibility(q, profile) for qid, q in self.questions.items()}
            self._carriers[key] = carriers
        return carriers

    @property
    def question_count(self) -> int:
        """Number of questions over all fields."""
        return len(self.questions)


def load_catalogue(directory: Path) -> Catalogue:
    """Load and validate the catalogue in ``directory``; raise :class:`CatalogueError`."""
    directory = Path(directory)
    root_path = directory / CATALOGUE_FILE
    problems: list[Problem] = []
    root = _parse(root_path, CatalogueFile, problems)
    if root is None:
        raise CatalogueError(problems)
    spec, root_src = root
    problems += _check_root(spec, root_src, root_path)

    field_defs: list[FieldDef] = []
    parsed_fields: list[checks.Parsed] = []
    seen_questions: dict[str, str] = {}
    for index, ref in enumerate(spec.fields):
        field_path = directory / ref.file
        if not field_path.is_file():
            problems.append(
                _problem(root_path, root_src, ("fields", index, "file"), f"file not found: {ref.file}")
            )
            continue
        parsed = _parse(field_path, FieldFile, problems)
        if parsed is None:
            continue
        field_file, src = parsed
        problems += _check_field(field_file, src, field_path, ref, seen_questions)
        field_defs.append(FieldDef(ref.id, ref.title, ref.description, tuple(field_file.questions)))
        parsed_fields.append(checks.Parsed(field_path, src, field_file))

    parsed_measures: list[checks.Parsed] = []
    for index, name in enumerate(spec.measure_files):
        measure_path = directory / name
        if not measure_path.is_file():
            problems.append(
                _problem(root_path, root_src, ("measure_files", index), f"file not found: {name}")
            )
            continue
        parsed = _parse(measure_path, MeasureFile, problems)
        if parsed is not None:
            parsed_measures.append(checks.Parsed(measure_path, parsed[1], parsed[0]))

    questions = {q.id: q for f in field_defs for q in f.questions}
    for index, migration in enumerate(spec.migrations):
        for old, new in migration.renamed.items():
            if new not in questions:
                problems.append(
                    _problem(
                        root_path,
                        root_src,
                        ("migrations", index, "renamed", old),
                        f"renamed to unknown question {new!r}",
                    )
                )
    if not problems:
        # Cross-file rules only make sense once every file has the right shape.
        root_parsed = checks.Parsed(root_path, root_src, spec)
        for path, src, at, message in checks.run(root_parsed, parsed_fields, parsed_measures):
            problems.append(_problem(path, src, at, message))
    if problems:
        raise CatalogueError(problems)
    catalogue = Catalogue(
        id=spec.id,
        version=spec.version,
        hash="",
        title=spec.title,
        description=spec.description,
        sources=tuple(spec.sources),
        profile=spec.profile,
        fields=tuple(field_defs),
        migrations=tuple(spec.migrations),
        measures=tuple(m for parsed in parsed_measures for m in parsed.data.measures),
        duties=tuple(spec.duties),
        tasks=tuple(spec.tasks),
        sizing=tuple(spec.sizing),
        legal_as_of=spec.legal_as_of,
        frameworks=dict(spec.frameworks),
        questions=questions,
        field_of={q.id: f.id for f in field_defs for q in f.questions},
    )
    return replace(catalogue, hash=content_hash(catalogue))


def catalogue_as_dict(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue's content as JSON-ready data (what the hash covers and snapshots store)."""
    return {
        "id": catalogue.id,
        "version": catalogue.version,
        "title": catalogue.title.model_dump(),
        "description": catalogue.description.model_dump(),
        "sources": list(catalogue.sources),
        "profile": catalogue.profile.model_dump(mode="json"),
        "migrations": [m.model_dump(mode="json") for m in catalogue.migrations],
        "frameworks": {k: v.model_dump(mode="json") for k, v in catalogue.frameworks.items()},
        "duties": [d.model_dump(mode="json") for d in catalogue.duties],
        "tasks": [t.model_dump(mode="json") for t in catalogue.tasks],
        "sizing": [z.model_dump(mode="json", by_alias=True) for z in catalogue.sizing],
        "legal_as_of": catalogue.legal_as_of.isoformat() if catalogue.legal_as_of else None,
        "measures": [m.model_dump(mode="json", by_alias=True) for m in catalogue.measures],
        "fields": [
            {
                "id": f.id,
                "title": f.title.model_dump(),
                "description": f.description.model_dump(),
                "questions": [q.model_dump(mode="json", by_alias=True) for q in f.questions],
            }
            for f in catalogue.fields
        ],
    }


def catalogue_from_dict(content: dict[str, Any]) -> Catalogue:
    """Rebuild a catalogue from :func:`catalogue_as_dict` output (a stored snapshot)."""
    fields = tuple(
        FieldDef(
            f["id"],
            Text.model_validate(f["title"]),
            Text.model_validate(f["description"]),
            tuple(Question.model_validate(q) for q in f["questions"]),
        )
        for f in content["fields"]
    )
    catalogue = Catalogue(
        id=content["id"],
        version=content["version"],
        hash="",
        title=Text.model_validate(content["title"]),
        description=Text.model_validate(content["description"]),
        sources=tuple(content["sources"]),
        profile=Profile.model_validate(content["profile"]),
        fields=fields,
        migrations=tuple(MigrationSpec.model_validate(m) for m in content["migrations"]),
        measures=tuple(Measure.model_validate(m) for m in content.get("measures", [])),
        duties=tuple(Duty.model_validate(d) for d in content.get("duties", [])),
        tasks=tuple(Task.model_validate(t) for t in content.get("tasks", [])),
        sizing=tuple(Sizing.model_validate(z) for z in content.get("sizing", [])),
        legal_as_of=date.fromisoformat(content["legal_as_of"]) if content.get("legal_as_of") else None,
        frameworks={k: Framework.model_validate(v) for k, v in content.get("frameworks", {}).items()},
        questions={q.id: q for f in fields for q in f.questions},
        field_of={q.id: f.id for f in fields for q in f.questions},
    )
    return replace(catalogue, hash=content_hash(catalogue))


def content_hash(catalogue: Catalogue) -> str:
    """Hash the validated content, so comments and formatting do not change the version."""
    canonical = json.dumps(
        catalogue_as_dict(catalogue), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_all(root: Path) -> dict[str, Catalogue]:
    """Load every catalogue below ``root``; collect problems of all of them before raising."""
    catalogues: dict[str, Catalogue] = {}
    problems: list[Problem] = []
    for directory in sorted(p.parent for p in Path(root).glob(f"*/{CATALOGUE_FILE}")):
        try:
            catalogue = load_catalogue(directory)
        except CatalogueError as exc:
            problems += exc.problems
            continue
        if catalogue.id in catalogues:
            problems.append(
                Problem(
                    _display(directory / CATALOGUE_FILE), 1, "id", f"duplicate catalogue id {catalogue.id!r}"
                )
            )
        catalogues[catalogue.id] = catalogue
    if problems:
        raise CatalogueError(problems)
    return catalogues


def catalogue_dirs_for(paths: Iterable[Path]) -> list[Path]:
    """Map files or folders named on the command line to the catalogue folders they belong to."""
    result: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and not (path / CATALOGUE_FILE).exists():
            candidates = sorted(p.parent for p in path.glob(f"*/{CATALOGUE_FILE}"))
        elif path.is_dir():
            candidates = [path]
        else:
            directory = path.parent
            while directory != directory.parent and not (directory / CATALOGUE_FILE).exists():
                directory = directory.parent
            candidates = [directory if (directory / CATALOGUE_FILE).exists() else path.parent]
        for candidate in candidates:
            if candidate not in result:
                result.append(candidate)
    return result


# -- internals ---------------------------------------------------------------------------


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _format_path(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problem(file: Path, src: Located | None, path: tuple, message: str) -> Problem:
    line = src.line_of(path) if src else None
    return Problem(_display(file), line or 0, _format_path(path), message)


_LANGUAGE = {"de": "German", "en": "English"}


def _describe(error: dict) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "missing":
        if loc and loc[-1] in _LANGUAGE:
            return f"missing {_LANGUAGE[loc[-1]]} text"
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "string_too_short":
        if loc and loc[-1] in _LANGUAGE:
            return f"empty {_LANGUAGE[loc[-1]]} text"
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return "invalid id: use lower-case letters, digits and _ and start with a letter"
    if kind == "literal_error":
        return f"must be one of {error['ctx']['expected']}"
    return error["msg"]


def _parse(path: Path, model: type, problems: list[Problem]):
    try:
        src = load(path)
    except FileNotFoundError:
        problems.append(Problem(_display(path), 0, "", "file not found"))
        return None
    except YamlProblem as exc:
        problems.append(Problem(_display(path), exc.line or 0, "", exc.message))
        return None
    if not isinstance(src.data, dict):
        problems.append(Problem(_display(path), 1, "", "the file must hold a mapping of keys"))
        return None
    try:
        return model.model_validate(src.data), src
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            problems.append(_problem(path, src, loc, _describe(error)))
        return None


def _duplicates(items: Iterable[str]) -> list[tuple[int, str]]:
    seen: set[str] = set()
    dups = []
    for index, item in enumerate(items):
        if item in seen:
            dups.append((index, item))
        seen.add(item)
    return dups


def _check_root(spec: CatalogueFile, src: Located, path: Path) -> list[Problem]:
    problems = []
    for index, ident in _duplicates(f.id for f in spec.fields):
        problems.append(_problem(path, src, ("fields", index, "id"), f"duplicate field id {ident!r}"))
    for name in ("municipality_types", "states", "population_bands", "staff_bands", "association_kinds"):
        options = getattr(spec.profile, name)
        for index, ident in _duplicates(o.id for o in options):
            problems.append(
                _problem(path, src, ("profile", name, index, "id"), f"duplicate option id {ident!r}")
            )
        for index, option in enumerate(options):
            if option.min is not None and option.max is not None and option.min > option.max:
                problems.append(
                    _problem(path, src, ("profile", name, index, "min"), "min is greater than max")
                )
    return problems


def _check_field(
    spec: FieldFile, src: Located, path: Path, ref: FieldRef, seen: dict[str, str]
) -> list[Problem]:
    problems = []
    if spec.field != ref.id:
        problems.append(
            _problem(path, src, ("field",), f"file is listed for field {ref.id!r} but says {spec.field!r}")
        )
    for index, question in enumerate(spec.questions):
        at = ("questions", index)
        if question.id in seen:
            problems.append(
                _problem(
                    path,
                    src,
                    (*at, "id"),
                    f"duplicate question id {question.id!r} (first in {seen[question.id]})",
                )
            )
        else:
            seen[question.id] = _display(path)
        problems += [_problem(path, src, (*at, *sub), msg) for sub, msg in _question_rules(question)]
    return problems


def _question_rules(q: Question) -> list[tuple[tuple, str]]:
    """Type-specific rules; each returns the path inside the question it concerns."""
    out: list[tuple[tuple, str]] = []
    allowed = {
        "level": {"levels"},
        "single": {"options"},
        "multiple": {"options"},
        "number": {"unit", "min", "max", "integer"},
        "yes_no": set(),
    }[q.type]
    for key in ("levels", "options", "unit", "min", "max"):
        if key not in allowed and getattr(q, key) is not None:
            out.append(((key,), f"not allowed for a {q.type} question"))
    if q.integer and q.type != "number":
        out.append((("integer",), f"not allowed for a {q.type} question"))
    if q.type == "level":
        levels = q.levels or {}
        if q.levels is None:
            out.append(((), "a level question needs levels 0 to 4"))
        for key in levels:
            if key not in LEVELS:
                out.append((("levels", key), f"level {key} is out of range (0 to 4)"))
        missing = [lv for lv in LEVELS if lv not in levels]
        if q.levels is not None and missing:
            out.append((("levels",), f"levels missing: {', '.join(map(str, missing))}"))
    if q.type in ("single", "multiple"):
        options = q.options or []
        if len(options) < 2:
            out.append((("options",) if q.options is not None else (), "needs at least two options"))
        for index, ident in _duplicates(o.id for o in options):
            out.append((("options", index, "id"), f"duplicate option id {ident!r}"))
        for index, option in enumerate(options):
            if option.id in SPECIAL_ANSWERS:
                out.append((("options", index, "id"), f"{option.id!r} is reserved"))
    if q.type == "number":
        if q.unit is None:
            out.append(((), "a number question needs a unit"))
        if q.min is None or q.max is None:
            out.append(((), "a number question needs min and max"))
        elif q.min >= q.max:
            out.append((("min",), "min must be less than max"))
    return out
