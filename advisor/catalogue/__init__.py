"""The questionnaire catalogue: versioned YAML data, validated when loaded."""

from .loader import (
    Catalogue,
    CatalogueError,
    FieldDef,
    Problem,
    catalogue_as_dict,
    catalogue_from_dict,
    load_all,
    load_catalogue,
)
from .schema import Question, Text

__all__ = [
    "Catalogue",
    "CatalogueError",
    "FieldDef",
    "Problem",
    "Question",
    "Text",
    "catalogue_as_dict",
    "catalogue_from_dict",
    "load_all",
    "load_catalogue",
]
