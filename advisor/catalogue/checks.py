"""Rules that span a whole catalogue: references, scoring, sources, measure coverage.

Each check yields ``(file, located source, path inside the file, message)``; the loader
turns those into :class:`~advisor.catalogue.loader.Problem` with line numbers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from advisor.core import rules

from .schema import (
    EFFORT_PERSON_DAYS,
    PROFILE_LISTS,
    CatalogueFile,
    Condition,
    Duty,
    FieldFile,
    Measure,
    MeasureFile,
    Partner,
    ProfileOption,
    Question,
    Task,
)
from .yamlsource import Located

CROSS_CUTTING = "cross_cutting"
PLACEHOLDER = re.compile(r"\b(todo|tbd|fixme|xxx|lorem ipsum)\b", re.IGNORECASE)
BARE_DOMAIN = re.compile(r"^(www\.)?[\w-]+(\.[\w-]+)+(/\S*)?$")


@dataclass
class Parsed:
    """One validated file with its source positions."""

    path: Path
    src: Located
    data: FieldFile | MeasureFile | CatalogueFile


Finding = tuple[Path, Located, tuple, str]


def _f(parsed: Parsed, at: tuple, message: str) -> Finding:
    return parsed.path, parsed.src, at, message


def source_problem(source: str) -> str | None:
    """Why a source is neither a usable URL nor a citation, or None."""
    if PLACEHOLDER.search(source):
        return "placeholder instead of a source"
    if source.startswith(("http://", "https://")):
        parts = urlsplit(source)
        if " " in source or "." not in parts.netloc:
            return "not a valid URL"
        return None
    if BARE_DOMAIN.match(source):
        return "a web address needs https:// in front"
    if len(source.split()) < 2 or len(source) < 10:
        return "neither a URL nor a citation (name the law, paragraph, publisher or document)"
    return None


def run(root: Parsed, fields: list[Parsed], measure_files: list[Parsed]) -> Iterator[Finding]:
    """Every cross-reference and content rule of a catalogue."""
    spec: CatalogueFile = root.data  # type: ignore[assignment]
    types = {o.id for o in spec.profile.municipality_types}
    members = {o.id for o in spec.profile.municipality_types if o.administered_by}
    profile_values = {key: {o.id for o in spec.profile.options(key)} for key in PROFILE_LISTS}
    duties = {d.id for d in spec.duties}
    tasks = {t.id: t for t in spec.tasks}
    questions = {q.id: q for parsed in fields for q in parsed.data.questions}  # type: ignore[union-attr]

    yield from _sources(root, ("sources",), spec.sources)
    yield from _profile(root, spec, types, profile_values["state"])
    yield from _tasks(root, spec, types, profile_values["state"])
    for index, rule in enumerate(spec.sizing):
        yield from _conditions(
            root, ("sizing", index, "when"), rule.when, questions, profile_values, profile_only=True
        )
    for index, migration in enumerate(spec.migrations):
        for key, mapping in migration.profile.items():
            for old, new_values in mapping.items():
                for i, value in enumerate(new_values):
                    if value not in profile_values[key]:
                        yield _f(
                            root, ("migrations", index, "profile", key, old, i), f"unknown {key} {value!r}"
                        )
    for name, framework in spec.frameworks.items():
        yield from _sources(root, ("frameworks", name, "sources"), framework.sources)
    for index, duty in enumerate(spec.duties):
        at = ("duties", index)
        yield from _sources(root, (*at, "sources"), duty.sources)
        for i, kind in enumerate(duty.applies_to):
            if kind not in types:
                yield _f(root, (*at, "applies_to", i), f"unknown municipality type {kind!r}")
        yield from _duty_statement(root, at, duty, tasks, profile_values["state"])
        for d, deadline in enumerate(duty.deadlines):
            yield from _conditions(
                root,
                (*at, "deadlines", d, "when"),
                deadline.when,
                questions,
                profile_values,
                profile_only=True,
            )

    for parsed in fields:
        for index, question in enumerate(parsed.data.questions):  # type: ignore[union-attr]
            yield from _question(parsed, ("questions", index), question, spec, types, duties)
            if spec.tasks:
                yield from _question_task(parsed, ("questions", index), question, spec, tasks)

    measures: dict[str, tuple[Parsed, tuple, Measure]] = {}
    field_ids = {f.id for f in spec.fields} | {CROSS_CUTTING}
    for parsed in measure_files:
        for index, measure in enumerate(parsed.data.measures):  # type: ignore[union-attr]
            at = ("measures", index)
            if measure.id in measures:
                first = measures[measure.id][0].path.name
                yield _f(parsed, (*at, "id"), f"duplicate measure id {measure.id!r} (first in {first})")
                continue
            measures[measure.id] = (parsed, at, measure)
            yield from _measure(parsed, at, measure, field_ids, questions, profile_values, duties, members)

    for measure_id, (parsed, at, measure) in measures.items():
        for i, prerequisite in enumerate(measure.prerequisites):
            if prerequisite not in measures:
                yield _f(parsed, (*at, "prerequisites", i), f"unknown measure {prerequisite!r}")
            elif prerequisite == measure_id:
                yield _f(parsed, (*at, "prerequisites", i), "a measure cannot require itself")
    for cycle in _cycles({k: [p for p in v[2].prerequisites if p in measures] for k, v in measures.items()}):
        parsed, at, _ = measures[cycle[0]]
        yield _f(parsed, (*at, "prerequisites"), "prerequisites form a cycle: " + " -> ".join(cycle))

    if measure_files:
        yield from _coverage(fields, measures, questions, spec)
        yield from _small_types(measures, questions, spec)


def _profile(root: Parsed, spec: CatalogueFile, types: set[str], states: set[str]) -> Iterator[Finding]:
    for index, kind in enumerate(spec.profile.municipality_types):
        at = ("profile", "municipality_types", index)
        if kind.administered_by is not None and kind.administered_by not in types - {kind.id}:
            yield _f(root, (*at, "administered_by"), f"unknown municipality type {kind.administered_by!r}")
    for index, kind in enumerate(spec.profile.association_kinds):
        at = ("profile", "association_kinds", index)
        for i, state in enumerate(kind.states):
            if state not in states:
                yield _f(root, (*at, "states", i), f"unknown state {state!r}")
        if kind.your is None or kind.your_dative is None:
            yield _f(
                root,
                at,
                "a kind of administration needs `your` and `your_dative` (how a measure addresses it)",
            )


def _tasks(root: Parsed, spec: CatalogueFile, types: set[str], states: set[str]) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, task in enumerate(spec.tasks):
        at = ("tasks", index)
        if task.id in seen:
            yield _f(root, (*at, "id"), f"duplicate task id {task.id!r}")
        seen.add(task.id)
        general = [r for r, rule in enumerate(task.rules) if not rule.states]
        if general != [len(task.rules) - 1]:
            yield _f(
                root,
                (*at, "rules"),
                "the last rule, and only the last, holds for every other Land (no `states`)",
            )
        covered: set[str] = set()
        for r, rule in enumerate(task.rules):
            here = (*at, "rules", r)
            yield from _sources(root, (*here, "sources"), rule.sources)
            for i, state in enumerate(rule.states):
                if state not in states:
                    yield _f(root, (*here, "states", i), f"unknown state {state!r}")
                elif state in covered:
                    yield _f(root, (*here, "states", i), f"an earlier rule already covers {state!r}")
                covered.add(state)
            for i, kind in enumerate(rule.responsible):
                if kind not in types:
                    yield _f(root, (*here, "responsible", i), f"unknown municipality type {kind!r}")
        if isinstance(task.ask_others, list):
            for i, kind in enumerate(task.ask_others):
                if kind not in types:
                    yield _f(root, (*at, "ask_others", i), f"unknown municipality type {kind!r}")


def _duty_statement(
    root: Parsed, at: tuple, duty: Duty, tasks: dict[str, Task], states: set[str]
) -> Iterator[Finding]:
    """A duty says its basis, its date or that it has none, and whom it binds."""
    if duty.basis is None:
        yield _f(root, at, "a duty needs its legal basis (`basis`)")
    if bool(duty.deadlines) == (duty.no_deadline is not None):
        yield _f(root, at, "a duty has deadlines or says why it has none (`no_deadline`), not both")
    if duty.task is not None and duty.task not in tasks:
        yield _f(root, (*at, "task"), f"unknown task {duty.task!r}")
    if duty.task is None and not duty.applies_to:
        yield _f(root, at, "a duty names whom it binds: a `task` or the types it `applies_to`")
    for i, state in enumerate(duty.states):
        if state not in states:
            yield _f(root, (*at, "states", i), f"unknown state {state!r}")


def _question_task(
    parsed: Parsed, at: tuple, q: Question, spec: CatalogueFile, tasks: dict[str, Task]
) -> Iterator[Finding]:
    """Every question says whose task it is; where some type usually is not, it offers that."""
    if q.task is None:
        yield _f(parsed, at, "a question names its task (`task`): who carries what it asks about")
        return
    task = tasks.get(q.task)
    if task is None:
        yield _f(parsed, (*at, "task"), f"unknown task {q.task!r}")
        return
    if q.not_responsible_for:
        yield _f(
            parsed, (*at, "not_responsible_for"), "use the task's rules instead of `not_responsible_for`"
        )
    others = sorted(
        {
            kind
            for kind, land in _type_land_pairs(spec, task)
            if rules.responsibility(task, _types(spec), {"municipality_type": kind, "state": land})
            == rules.OTHER
        }
    )
    if others and not q.allow_not_responsible:
        yield _f(
            parsed,
            at,
            f"task {task.id!r} is not carried by {', '.join(others)}: set `allow_not_responsible: true`",
        )


def _types(spec: CatalogueFile) -> dict[str, ProfileOption]:
    return {t.id: t for t in spec.profile.municipality_types}


def _type_land_pairs(spec: CatalogueFile, task: Task | None) -> list[tuple[str, str | None]]:
    """Every type with every Land a task has a rule for, and with any other Land (None)."""
    lands: list[str | None] = [None, *(s for rule in (task.rules if task else []) for s in rule.states)]
    return [(t.id, land) for t in spec.profile.municipality_types for land in lands]


def _sources(parsed: Parsed, at: tuple, sources: list[str]) -> Iterator[Finding]:
    for i, source in enumerate(sources):
        problem = source_problem(source)
        if problem:
            yield _f(parsed, (*at, i), f"{problem}: {source!r}")


def _question(
    parsed: Parsed, at: tuple, q: Question, spec: CatalogueFile, types: set[str], duties: set[str]
) -> Iterator[Finding]:
    yield from _sources(parsed, (*at, "sources"), q.sources)
    for i, kind in enumerate(q.not_responsible_for):
        if kind not in types:
            yield _f(parsed, (*at, "not_responsible_for", i), f"unknown municipality type {kind!r}")
    for name, areas in q.frameworks.items():
        framework = spec.frameworks.get(name)
        if framework is None:
            yield _f(parsed, (*at, "frameworks", name), f"unknown framework {name!r}")
            continue
        known = {a.id for a in framework.areas}
        for i, area in enumerate(areas):
            if area not in known:
                yield _f(parsed, (*at, "frameworks", name, i), f"unknown {name} area {area!r}")
    if q.duty is not None and q.duty not in duties:
        yield _f(parsed, (*at, "duty"), f"unknown duty {q.duty!r}")
    options = q.options or []
    if q.type in ("single", "multiple"):
        for i, option in enumerate(options):
            if option.score is None:
                yield _f(parsed, (*at, "options", i), "option needs a score (0 to 1)")
        scores = [o.score for o in options if o.score is not None]
        if q.type == "single" and scores and (min(scores) != 0 or max(scores) != 1):
            yield _f(parsed, (*at, "options"), "option scores must range from 0 to 1")
        if q.type == "multiple" and scores:
            if sum(o.score or 0 for o in options if not o.exclusive) < 1:
                yield _f(parsed, (*at, "options"), "option scores must add up to at least 1")
            for i, option in enumerate(options):
                if option.exclusive and option.score:
                    yield _f(parsed, (*at, "options", i, "score"), "an exclusive option scores 0")
    elif any(o.score is not None for o in options):
        yield _f(parsed, (*at, "options"), "scores are only for choice questions")
    if q.type == "number":
        scale = q.scale or []
        if len(scale) < 2:
            yield _f(parsed, at, "a number question needs a scale of at least two points")
        else:
            values = [p.value for p in scale]
            if values != sorted(set(values)):
                yield _f(parsed, (*at, "scale"), "scale values must be strictly ascending")
            if q.min is not None and q.max is not None and (values[0] < q.min or values[-1] > q.max):
                yield _f(parsed, (*at, "scale"), "scale values must lie within min and max")
            if min(p.score for p in scale) != 0 or max(p.score for p in scale) != 1:
                yield _f(parsed, (*at, "scale"), "scale scores must range from 0 to 1")
    elif q.scale is not None:
        yield _f(parsed, (*at, "scale"), f"not allowed for a {q.type} question")


def _measure(
    parsed: Parsed,
    at: tuple,
    m: Measure,
    field_ids: set[str],
    questions: dict[str, Question],
    profile_values: dict[str, set[str]],
    duties: set[str],
    members: set[str],
) -> Iterator[Finding]:
    if m.field not in field_ids:
        yield _f(parsed, (*at, "field"), f"unknown field {m.field!r}")
    low, high = m.person_days
    if low > high:
        yield _f(parsed, (*at, "person_days"), "minimum above maximum")
    span = EFFORT_PERSON_DAYS[m.effort]
    if not (span[0] <= low and high <= span[1]):
        yield (
            parsed.path,
            parsed.src,
            (*at, "person_days"),
            (f"effort {m.effort} means {span[0]} to {span[1]} person-days; got {low} to {high}"),
        )
    if m.duration_months[0] > m.duration_months[1]:
        yield _f(parsed, (*at, "duration_months"), "minimum above maximum")
    for t, trigger in enumerate(m.triggers):
        yield from _conditions(parsed, (*at, "triggers", t, "when"), trigger.when, questions, profile_values)
    for v, variant in enumerate(m.variants):
        yield from _conditions(
            parsed, (*at, "variants", v, "when"), variant.when, questions, profile_values, profile_only=True
        )
        if variant.partner is not None:
            where = (*at, "variants", v, "partner")
            yield from _partner(parsed, where, variant.partner, variant.when, members)
    if m.partner is not None:
        yield from _partner(parsed, (*at, "partner"), m.partner, [], members)
    if m.fallback is not None:
        here = (*at, "fallback")
        if m.duty is None:
            yield _f(parsed, here, "a fallback is a way to meet a duty's deadline: the measure needs a duty")
        low, high = m.fallback.person_days
        if low > high:
            yield _f(parsed, (*here, "person_days"), "minimum above maximum")
        elif high >= m.person_days[1]:
            yield _f(parsed, (*here, "person_days"), "a fallback must cost less own effort than the measure")
        if m.fallback.duration_months and m.fallback.duration_months[0] > m.fallback.duration_months[1]:
            yield _f(parsed, (*here, "duration_months"), "minimum above maximum")
        if m.fallback.partner is not None:
            yield from _partner(parsed, (*here, "partner"), m.fallback.partner, [], members)
        yield from _sources(parsed, (*here, "sources"), m.fallback.sources)
    for r, raised in enumerate(m.raises):
        if raised.question not in questions:
            yield _f(parsed, (*at, "raises", r, "question"), f"unknown question {raised.question!r}")
    if m.duty is not None and m.duty not in duties:
        yield _f(parsed, (*at, "duty"), f"unknown duty {m.duty!r}")
    yield from _sources(parsed, (*at, "sources"), m.sources)
    for kind in ("funding", "good_practice"):
        for h, hint in enumerate(getattr(m, kind)):
            yield from _sources(parsed, (*at, kind, h, "sources"), hint.sources)


def _conditions(
    parsed: Parsed,
    at: tuple,
    conditions: list[Condition],
    questions: dict[str, Question],
    profile_values: dict[str, set[str]],
    profile_only: bool = False,
) -> Iterator[Finding]:
    for c, condition in enumerate(conditions):
        here = (*at, c)
        if condition.profile is not None:
            for value in condition.in_ or []:
                if value not in profile_values[condition.profile]:
                    yield _f(parsed, (*here, "in"), f"unknown {condition.profile} {value!r}")
            continue
        if profile_only:
            yield _f(parsed, here, "only profile conditions are allowed here")
            continue
        question = questions.get(condition.question or "")
        if question is None:
            yield _f(parsed, (*here, "question"), f"unknown question {condition.question!r}")
            continue
        yield from _condition_fits(parsed, here, condition, question)


def _condition_fits(parsed: Parsed, here: tuple, condition: Condition, q: Question) -> Iterator[Finding]:
    if condition.max_level is not None and q.type != "level":
        yield _f(parsed, (*here, "max_level"), f"max_level needs a level question, {q.id} is {q.type}")
    if condition.below is not None:
        if q.type != "number":
            yield _f(parsed, (*here, "below"), f"below needs a number question, {q.id} is {q.type}")
        elif (q.min is not None and condition.below <= q.min) or (
            q.max is not None and condition.below > q.max
        ):
            yield _f(parsed, (*here, "below"), f"{condition.below} is outside the range of {q.id}")
    if condition.lacks is not None and q.type != "multiple":
        yield _f(parsed, (*here, "lacks"), f"lacks needs a multiple-choice question, {q.id} is {q.type}")
    if condition.in_ is not None:
        allowed = {"yes", "no"} if q.type == "yes_no" else {o.id for o in q.options or []}
        if q.type in ("level", "number"):
            yield _f(parsed, (*here, "in"), f"in needs a choice or yes/no question, {q.id} is {q.type}")
        else:
            for value in condition.in_:
                if value not in allowed:
                    yield _f(parsed, (*here, "in"), f"{q.id} has no option {value!r}")
    for value in condition.lacks or []:
        if q.type == "multiple" and value not in {o.id for o in q.options or []}:
            yield _f(parsed, (*here, "lacks"), f"{q.id} has no option {value!r}")
    if condition.state == "unknown" and not q.allow_unknown:
        yield _f(parsed, (*here, "state"), f"{q.id} does not offer “unknown”")
    if condition.state == "not_responsible" and not q.offers_not_responsible:
        yield _f(parsed, (*here, "state"), f"{q.id} does not offer “not responsible”")


def _coverage(
    fields: list[Parsed],
    measures: dict[str, tuple[Parsed, tuple, Measure]],
    questions: dict[str, Question],
    spec: CatalogueFile,
) -> Iterator[Finding]:
    """Every question is raised by a measure and its lowest answer triggers one.

    The lowest answer must trigger a measure for every type (in every Land with a rule of
    its own) that carries what the question asks about.
    """
    raised = {r.question for _, _, m in measures.values() for r in m.raises}
    tasks = {t.id: t for t in spec.tasks}
    types = _types(spec)
    for parsed in fields:
        for index, q in enumerate(parsed.data.questions):  # type: ignore[union-attr]
            at = ("questions", index)
            if q.id not in raised:
                yield _f(parsed, (*at, "id"), f"no measure raises question {q.id!r}")
            answers = {q.id: rules.worst_answer(q)}
            task = tasks.get(q.task or "")
            missing = set()
            for kind, land in _type_land_pairs(spec, task):
                profile = {"municipality_type": kind, "state": land}
                if rules.responsibility(task, types, profile) != rules.OWN:
                    continue
                if not any(
                    rules.triggered(m.triggers, questions, answers, profile) for _, _, m in measures.values()
                ):
                    missing.add(kind if land is None else f"{kind} ({land})")
            if missing:
                yield (
                    parsed.path,
                    parsed.src,
                    (*at, "id"),
                    (f"the lowest answer to {q.id!r} triggers no measure for: {', '.join(sorted(missing))}"),
                )


def _partner(
    parsed: Parsed, at: tuple, partner: Partner, when: list[Condition], members: set[str]
) -> Iterator[Finding]:
    """Only a member of a joint administration has one to do its work; a district is named per type."""
    kinds = [set(c.in_ or ()) for c in when if c.profile == "municipality_type"]
    if partner.by == "administration" and not (kinds and all(k and k <= members for k in kinds)):
        yield _f(
            parsed,
            (*at, "by"),
            "only municipalities with a joint administration have one to do the work: "
            f"put this partner on a variant for {', '.join(sorted(members)) or 'such types'}",
        )
    elif partner.by == "district" and not kinds:
        yield _f(
            parsed,
            (*at, "by"),
            "the district does the work only for the types that belong to one: "
            "put this partner on a variant that names them",
        )


def _small_types(
    measures: dict[str, tuple[Parsed, tuple, Measure]],
    questions: dict[str, Question],
    spec: CatalogueFile,
) -> Iterator[Finding]:
    """Types without offices of their own (``lacks_roles``) get measures written for them.

    A measure such a type can reach (it can be triggered for the type and raises a question
    the type carries) needs a variant or a trigger that names the type, and the text the
    type sees names none of the roles it lacks.
    """
    tasks = {t.id: t for t in spec.tasks}
    types = _types(spec)
    for kind in spec.profile.municipality_types:
        if not kind.lacks_roles:
            continue
        for parsed, at, m in measures.values():
            lands = {
                land
                for r in m.raises
                for _, land in _type_land_pairs(spec, tasks.get(questions[r.question].task or ""))
                if r.question in questions
            }
            reachable = any(
                rules.responsibility(
                    tasks.get(questions[r.question].task or ""),
                    types,
                    {"municipality_type": kind.id, "state": land},
                )
                == rules.OWN
                for r in m.raises
                if r.question in questions
                for land in lands
            ) and any(_may_trigger_for(t.when, kind.id) for t in m.triggers)
            if not reachable:
                continue
            named = any(_names_type(t.when, kind.id) for t in m.triggers)
            if not named and not any(_names_type(v.when, kind.id) for v in m.variants):
                yield _f(
                    parsed,
                    (*at, "variants"),
                    f"{kind.id} can reach this measure: add a variant for it "
                    f"(when: [{{profile: municipality_type, in: [{kind.id}]}}]) or a trigger that names it",
                )
                continue
            if m.fallback is not None:  # the lighter way may be planned for any type
                texts = [((*at, "fallback", "title"), m.fallback.title.de)]
                texts += [((*at, "fallback", "summary"), m.fallback.summary.de)]
                texts += [
                    ((*at, "fallback", "first_steps", k), step.de)
                    for k, step in enumerate(m.fallback.first_steps or ())
                ]
                for where, text in texts:
                    lacking = [role for role in kind.lacks_roles if names_role(role, text)]
                    if lacking:
                        yield _f(
                            parsed, where, f"{kind.id} has no {', '.join(lacking)}: name who does it there"
                        )
            # The first variant that holds is what the type sees; a variant for a size band
            # or a Land listed before the type's own would win for that band or Land.
            seen: set[int | None] = set()
            for profile in _variant_profiles(m, kind.id):
                index = next(
                    (i for i, v in enumerate(m.variants) if rules.all_hold(v.when, questions, {}, profile)),
                    None,
                )
                if index in seen:
                    continue
                seen.add(index)
                for where, text in _shown_texts(m, at, index):
                    lacking = [role for role in kind.lacks_roles if names_role(role, text)]
                    if lacking:
                        yield _f(
                            parsed, where, f"{kind.id} has no {', '.join(lacking)}: name who does it there"
                        )


def _variant_profiles(measure: Measure, kind: str) -> Iterator[dict[str, str | None]]:
    """Every profile of this type that the measure's variants tell apart."""
    values: dict[str, set[str | None]] = {}
    for variant in measure.variants:
        for condition in variant.when:
            if condition.profile and condition.profile != "municipality_type":
                values.setdefault(condition.profile, {None}).update(condition.in_ or ())
    keys = sorted(values)
    for combination in itertools.product(*(sorted(values[k], key=str) for k in keys)):
        yield {"municipality_type": kind, **dict(zip(keys, combination, strict=True))}


def _shown_texts(m: Measure, at: tuple, index: int | None) -> list[tuple[tuple, str]]:
    """The German texts a profile sees of a measure, with where each comes from."""
    if index is None:
        texts = [((*at, "title"), m.title.de), ((*at, "summary"), m.summary.de)]
        texts += [((*at, "first_steps", k), step.de) for k, step in enumerate(m.first_steps)]
        return [*texts, ((*at, "responsible"), m.responsible.de)]
    v, here = m.variants[index], (*at, "variants", index)
    texts = [((*here, "title"), (v.title or m.title).de), ((*here, "summary"), (v.summary or m.summary).de)]
    texts += [((*here, "first_steps", k), step.de) for k, step in enumerate(v.first_steps or m.first_steps)]
    return [*texts, ((*here, "responsible"), (v.responsible or m.responsible).de)]


#: A role named as its joint administration's ("das Bürgerbüro der Verbandsgemeinde") is fine.
_OF_THE_ADMINISTRATION = (
    r"(?!\s+(?:der|des|bei der|beim|bei|im|in der|von)\s+(?:\{administration(?:_dative)?\}|Verbandsgemeinde"
    r"|Samtgemeinde|Verwaltungsgemeinschaft|Amtes|Amts|Amt\b|gemeinsamen Verwaltung|Verwaltung"
    r"|Kreis|Kreises|Landkreises))"
)


def names_role(role: str, text: str) -> bool:
    """Whether ``text`` names ``role`` as the municipality's own (not its administration's)."""
    return re.search(rf"\b{re.escape(role)}\w*+{_OF_THE_ADMINISTRATION}", text) is not None


def _may_trigger_for(conditions: list[Condition], kind: str) -> bool:
    """Whether a trigger's profile conditions allow this municipality type."""
    return all(c.profile != "municipality_type" or kind in (c.in_ or ()) for c in conditions)


def _names_type(conditions: list[Condition], kind: str) -> bool:
    return any(c.profile == "municipality_type" and kind in (c.in_ or ()) for c in conditions)


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle once, as a path that returns to its start."""
    found: list[list[str]] = []
    seen_cycles: set[frozenset[str]] = set()
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :] + [nxt]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    found.append(cycle)
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found
