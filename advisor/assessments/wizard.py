"""The order of the wizard's sections and where each navigation button leads."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from advisor.catalogue import Catalogue

from .models import Assessment
from .services import Progress


@dataclass(frozen=True)
class Section:
    """One step of the wizard."""

    key: str  # "profile", "field:<id>", "priorities", "summary"
    title: str
    url: str
    done: bool
    detail: str = ""


def sections(catalogue: Catalogue, assessment: Assessment, progress: Progress, locale: str) -> list[Section]:
    """All steps in order, with their completion state for the step list."""
    from flask_babel import gettext as _

    aid = assessment.public_id
    result = [
        Section(
            "profile",
            _("Profile"),
            url_for("assessments.profile", aid=aid),
            not progress.missing_profile,
        )
    ]
    for field in catalogue.fields:
        fp = progress.of(field.id)
        result.append(
            Section(
                f"field:{field.id}",
                field.title.get(locale),
                url_for("assessments.field", aid=aid, field_id=field.id),
                fp is not None and fp.answered == fp.total,
                _("%(answered)s of %(total)s", answered=fp.answered, total=fp.total) if fp else "",
            )
        )
    result.append(
        Section(
            "priorities",
            _("Priorities"),
            url_for("assessments.priorities", aid=aid),
            not progress.missing_priorities,
        )
    )
    result.append(Section("summary", _("Summary"), url_for("assessments.summary", aid=aid), False))
    return result


def target_url(all_sections: list[Section], current: str, nav: str | None) -> str:
    """Where a submitted page leads: next, back, a chosen section, or the same page."""
    keys = [s.key for s in all_sections]
    index = keys.index(current)
    if nav == "next":
        return all_sections[min(index + 1, len(keys) - 1)].url
    if nav == "back":
        return all_sections[max(index - 1, 0)].url
    if nav and nav.startswith("section:") and nav[len("section:") :] in keys:
        return all_sections[keys.index(nav[len("section:") :])].url
    return all_sections[index].url


def resume_url(all_sections: list[Section]) -> str:
    """The first step with something open, else the summary."""
    return next((s.url for s in all_sections[:-1] if not s.done), all_sections[-1].url)
