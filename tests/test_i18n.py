"""German by default, English complete and switchable; the German catalogue covers every string."""

from __future__ import annotations

import subprocess
import sys

from babel.messages.pofile import read_po

from tests.conftest import PROJECT


def test_german_is_the_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Zum Inhalt springen" in page


def test_switch_to_english_and_back(client):
    aid, _ = client.start()
    response = client.get(f"/language/en?next=/a/{aid}/fields/alpha")
    assert response.status_code == 303
    assert response.location == f"/a/{aid}/fields/alpha"
    page = client.get(f"/a/{aid}/fields/alpha").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Skip to content" in page
    assert "How far is A?" in page  # catalogue text follows the language
    assert "Level 2: Partly in place" in page
    client.get("/language/de")
    assert "Wie weit ist A?" in client.get(f"/a/{aid}/fields/alpha").get_data(as_text=True)


def test_language_switch_refuses_foreign_redirects(client):
    assert client.get("/language/en?next=https://evil.example/").location == "/"
    assert client.get("/language/en?next=//evil.example/x").location == "/"


def test_unknown_language_keeps_german(client):
    client.get("/language/xx")
    assert '<html lang="de">' in client.get("/").get_data(as_text=True)


def test_german_catalogue_translates_every_string(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",  # babel.cfg's patterns are relative to the project, as `make messages` runs it
        ],
        cwd=PROJECT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with (PROJECT / "advisor/translations/de/LC_MESSAGES/messages.po").open("rb") as handle:
        german = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in german
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy
    }
    assert len(wanted) > 1000, "the extraction found too few messages: check babel.cfg's patterns"
    missing = sorted(wanted - translated)
    assert not missing, f"untranslated: {missing[:10]}"
