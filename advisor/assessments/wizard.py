"""The order of the wizard's sections and where each navigation button leads."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from advisor.catalogue import Catalogue

from .services import Progress


@dataclass(frozen=True)
class Section:
    """One step of the wizard."""

    key: str  # "profile", "field:<id>", "priorities", "summary"
    title: str
    url: str
    done: bool
    detail: str = ""


def section_keys(catalogue: Catalogue) -> list[str]:
    """All steps in order."""
    return ["profile", *(f"field:{f.id}" for f in catalogue.fields), "priorities", "summary"]


def section_url(aid: str, key: str) -> str:
    """The page of one step."""
    if key.startswith("field:"):
        return url_for("assessments.field", aid=aid, field_id=key[len("field:") :])
    return url_for(f"assessments.{key}", aid=aid)


def sections(catalogue: Catalogue, aid: str, progress: Progress, locale: str) -> list[Section]:
    """All steps in order, with their completion state for the step list."""
    from flask_babel import gettext as _

    result = []
    for key in section_keys(catalogue):
        detail = ""
        if key == "profile":
            title, done = _("Profile"), not progress.missing_profile
        elif key == "priorities":
            title, done = _("Priorities"), not progress.missing_priorities
        elif key == "summary":
            title, done = _("Summary"), False
        else:
            field_id = key[len("field:") :]
            fp = progress.of(field_id)
            title = catalogue.field(field_id).title.get(locale)
            done = fp.answered == fp.total
            if fp.total == 0 and fp.info:
                detail = _("for information only")
            else:
                detail = _("%(answered)s of %(total)s", answered=fp.answered, total=fp.total)
        result.append(Section(key, title, section_url(aid, key), done, detail))
    return result


def target_url(catalogue: Catalogue, aid: str, current: str, nav: str | None) -> str:
    """Where a submitted page leads: next, back, a chosen section, or the same page."""
    keys = section_keys(catalogue)
    index = keys.index(current)
    if nav == "next":
        index = min(index + 1, len(keys) - 1)
    elif nav == "back":
        index = max(index - 1, 0)
    elif nav and nav.startswith("section:") and nav[len("section:") :] in keys:
        index = keys.index(nav[len("section:") :])
    return section_url(aid, keys[index])


def resume_url(all_sections: list[Section]) -> str:
    """The first step with something open, else the summary."""
    return next((s.url for s in all_sections[:-1] if not s.done), all_sections[-1].url)
