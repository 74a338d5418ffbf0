"""The report's bundled text face: licence, German glyphs, figures, an unslashed zero, coverage."""

from __future__ import annotations

import re

import pytest
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont

from tests.conftest import PROJECT

FONTS = PROJECT / "reports" / "fonts"
STYLES = ("Regular", "Bold", "Italic", "BoldItalic")
GERMAN = "äöüßÄÖÜẞ„“‚‘–—€§…·"


def contours(font: TTFont, char: str) -> int:
    """Closed outlines of the glyph the font shows for ``char`` by default (composites resolved)."""
    pen = RecordingPen()
    font.getGlyphSet()[font.getBestCmap()[ord(char)]].draw(pen)
    return sum(1 for operator, _ in pen.value if operator == "closePath")


@pytest.fixture(scope="module", params=STYLES)
def face(request) -> TTFont:
    return TTFont(FONTS / f"NotoSans-{request.param}.ttf")


def test_the_stylesheet_uses_exactly_the_bundled_files():
    css = (PROJECT / "reports" / "report.css").read_text()
    sources = re.findall(r"src: url\(fonts/([^)]+)\)", css)
    assert sorted(sources) == sorted(f"NotoSans-{style}.ttf" for style in STYLES)
    assert sorted(p.name for p in FONTS.glob("*.ttf")) == sorted(sources)  # no file left unused
    assert "slashed-zero" not in css and '"zero"' not in css  # the slashed form stays off


def test_the_face_is_under_the_open_font_license_without_a_reserved_name(face):
    names = face["name"]
    assert names.getDebugName(1) == "Noto Sans"
    assert "SIL Open Font License" in names.getDebugName(13)
    licence = (FONTS / "OFL.txt").read_text()
    assert "Google LLC" in licence and "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert not re.search(r"with Reserved Font Names?", licence.split("-----")[0])  # subsetting is allowed


def test_the_zero_is_an_open_oval(face):
    """A slashed or dotted zero has a third contour; an open one has two, like the O."""
    assert contours(face, "0") == contours(face, "O") == 2
    assert contours(face, "8") == 3  # the count does see inner shapes


def test_german_glyphs_and_tabular_figures(face):
    cmap = face.getBestCmap()
    assert [c for c in GERMAN if ord(c) not in cmap] == []
    assert "tnum" in {record.FeatureTag for record in face["GSUB"].table.FeatureList.FeatureRecord}
    widths = {face["hmtx"][cmap[ord(digit)]][0] for digit in "0123456789"}
    assert len(widths) == 1  # figures line up in columns even without the feature


def test_every_character_the_report_can_print_is_in_every_face(face):
    """No text of the catalogue, the templates or the German translation falls back to a system font."""
    sources = [
        *(PROJECT / "questionnaires").rglob("*.yaml"),
        *(PROJECT / "reports" / "templates").glob("*.html"),
        PROJECT / "templates" / "_charts.html",
        *(PROJECT / "advisor" / "translations").rglob("*.po"),
        PROJECT / "tests" / "fixtures" / "full_assessment.json",
    ]
    assert len(sources) > 5
    text = "".join(path.read_text(encoding="utf-8") for path in sources)
    cmap = face.getBestCmap()
    missing = sorted({c for c in text if not c.isspace() and ord(c) not in cmap})
    assert missing == []
