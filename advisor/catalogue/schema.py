"""The shape of catalogue files, checked by pydantic when a catalogue loads.

Two kinds of file make a catalogue: ``catalogue.yaml`` (identity, version,
profile options, the ordered list of fields) and one file per field under
``fields/`` holding that field's questions. Cross-references and rules that
span files are checked in :mod:`advisor.catalogue.loader`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$", strict=True)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, strict=True)]
Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, strict=True)]

LEVELS = (0, 1, 2, 3, 4)
QUESTION_TYPES = ("level", "single", "multiple", "number", "yes_no")
#: Answer states that are not a value; option ids must not collide with them.
SPECIAL_ANSWERS = ("unknown", "not_responsible")


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not silently drop content."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in German (the default) and English; both are required."""

    de: NonEmpty
    en: NonEmpty

    def get(self, locale: str) -> str:
        """Return the text for ``locale``, German for anything not English."""
        return self.en if locale == "en" else self.de


class Option(Strict):
    """One choice of a single- or multiple-choice question."""

    id: Slug
    label: Text
    #: "None of these": cannot be chosen together with another option.
    exclusive: bool = False


class Question(Strict):
    """One question; which keys it needs depends on its ``type``."""

    id: Slug
    type: Literal["level", "single", "multiple", "number", "yes_no"]
    text: Text
    help: Text | None = None
    levels: dict[int, Text] | None = None
    options: list[Option] | None = None
    unit: Text | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    allow_unknown: bool = True
    allow_not_responsible: bool = False
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    sources: list[Source] = []


class FieldFile(Strict):
    """``fields/<field>.yaml``: the questions of one field, in the order they are asked."""

    field: Slug
    questions: Annotated[list[Question], Field(min_length=1)]


class ProfileOption(Strict):
    """A choice in the municipality profile (type, state, size band)."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_+-]{1,32}$", strict=True)]
    label: Text
    min: int | None = None
    max: int | None = None


class Profile(Strict):
    """The closed lists the profile section offers."""

    municipality_types: Annotated[list[ProfileOption], Field(min_length=1)]
    states: Annotated[list[ProfileOption], Field(min_length=1)]
    population_bands: Annotated[list[ProfileOption], Field(min_length=1)]
    staff_bands: Annotated[list[ProfileOption], Field(min_length=1)]


class FieldRef(Strict):
    """A field (Handlungsfeld) as listed in ``catalogue.yaml``."""

    id: Slug
    title: Text
    description: Text
    file: NonEmpty


class Migration(Strict):
    """How answers exported against an older catalogue version map onto this one."""

    from_version: NonEmpty
    renamed: dict[str, str] = {}
    removed: list[str] = []


class CatalogueFile(Strict):
    """``catalogue.yaml``: identity, version and structure of one catalogue."""

    id: Slug
    version: NonEmpty
    title: Text
    description: Text
    sources: list[Source] = []
    profile: Profile
    fields: Annotated[list[FieldRef], Field(min_length=1)]
    migrations: list[Migration] = []


Kind = Literal["catalogue", "field"]
