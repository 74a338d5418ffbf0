"""No value interpolated into a message reaches a page unescaped (issue 12, finding 3).

Flask-Babel's lazy strings count as HTML, and with them whatever was interpolated into them.
Every message of the catalogue is run with script and meta payloads, and the pages that show
such messages are fed crafted input.
"""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string

from advisor.i18n import lazy_gettext
from tests.assessments.test_exchange import upload
from tests.conftest import PROJECT, Client

PAYLOADS = ("<script>alert(1)</script>", '<meta http-equiv="refresh" content="0;url=//evil.example">')
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
with (PROJECT / "advisor" / "translations" / "messages.pot").open("rb") as pot:
    MESSAGES = [m.id for m in read_po(pot) if isinstance(m.id, str) and PLACEHOLDER.search(m.id)]


def test_the_catalogue_has_messages_with_values():
    assert len(MESSAGES) > 40


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("locale", ["de", "en"])
def test_every_message_escapes_what_is_put_into_it(app, payload, locale):
    with app.test_request_context(headers={"Accept-Language": locale}):
        for msgid in MESSAGES:
            values = dict.fromkeys(PLACEHOLDER.findall(msgid), payload)
            for html in (
                render_template_string("{{ message }}", message=lazy_gettext(msgid, **values)),
                render_template_string("{{ _(msgid, **values) }}", msgid=msgid, values=values),
            ):
                assert "<script" not in html and "<meta" not in html, msgid
                assert "&lt;" in html, msgid


def test_an_imported_file_cannot_put_markup_into_the_page(kommunal_app):
    client = Client(kommunal_app)
    document = json.loads((PROJECT / "docs" / "examples" / "assessment.json").read_text())
    document["answers"][PAYLOADS[1]] = {"value": 1}
    document["profile"]["state"] = PAYLOADS[0]
    document["priorities"]["<b>field</b>"] = {"relevance": 3, "target_level": 2}
    page = upload(client, json.dumps(document).encode()).get_data(as_text=True)
    assert "nicht importiert" in page
    assert "<meta http-equiv" not in page and "<script>alert" not in page and "<b>field" not in page
    assert (
        "&lt;meta http-equiv=&#34;refresh&#34;" in page or "&lt;meta http-equiv=&quot;refresh&quot;" in page
    )


def test_a_form_field_name_cannot_put_markup_into_the_error_page(client):
    aid, _ = client.start()
    response = client.post(f"/a/{aid}/profile", {PAYLOADS[0]: "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
