"""The JSON Schema of the export and the OpenAPI description of the API match what the
application produces and serves (docs/statistics.schema.json, docs/statistics-api.yaml)."""

from __future__ import annotations

import json
import re

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from tests.conftest import PROJECT, Client
from tests.stats.factories import make_snapshot, staff
from tests.test_stats import completed, snapshot

DOCS = PROJECT / "docs"
SCHEMA = json.loads((DOCS / "statistics.schema.json").read_text())
OPENAPI = yaml.safe_load((DOCS / "statistics-api.yaml").read_text())
REGISTRY = Registry().with_resource("statistics.schema.json", Resource.from_contents(SCHEMA))


def validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())


def component(name: str) -> dict:
    """A schema of the OpenAPI file, with its references resolvable."""
    return {**OPENAPI["components"]["schemas"][name], "components": OPENAPI["components"]}


def test_the_schema_is_valid_and_a_real_export_matches_it(app, runner):
    Draft202012Validator.check_schema(SCHEMA)
    client = Client(app)
    for number in range(10):
        completed(client, f"Kommune {number}")
    completed(client, "Einzelstück", state="BY")  # withheld
    snapshot(app)
    document = json.loads(runner.invoke(args=["stats", "export", "--format", "json"]).output)
    assert any(c["suppressed"] for t in document["tables"] for c in t["cells"])
    assert list(validator(SCHEMA).iter_errors(document)) == []
    # A withheld cell with figures, or a published one without a count, does not pass.
    broken = json.loads(json.dumps(document))
    cell = next(c for t in broken["tables"] for c in t["cells"] if c["suppressed"])
    cell["n"] = 1
    assert list(validator(SCHEMA).iter_errors(broken))
    broken["tables"][0]["cells"][0].pop("n")
    assert not validator(SCHEMA).is_valid(broken)


def test_the_openapi_file_describes_the_routes_the_app_serves(app):
    assert OPENAPI["openapi"].startswith("3.1")
    base = OPENAPI["servers"][0]["url"]
    documented = {base + re.sub(r"\{(\w+)\}", r"<int:\1>", path) for path in OPENAPI["paths"]}
    served = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("stats_api.")}
    assert documented == served - {"/api/v1/<path:rest>"}  # the catch-all answers errors only
    assert OPENAPI["components"]["securitySchemes"]["bearerToken"] == {
        **OPENAPI["components"]["securitySchemes"]["bearerToken"],
        "type": "http",
        "scheme": "bearer",
    }
    assert OPENAPI["security"] == [{"bearerToken": []}]
    # Every reference leads somewhere: inside the file, or into the JSON Schema beside it.
    text = (DOCS / "statistics-api.yaml").read_text()
    for ref in set(re.findall(r'\$ref: "([^"]+)"', text)):
        target, _, pointer = ref.partition("#")
        node = OPENAPI if not target else json.loads((DOCS / target).read_text())
        for part in filter(None, pointer.split("/")):
            node = node[part]
        assert isinstance(node, dict), ref


def test_the_api_answers_as_the_openapi_file_says(app):
    make_snapshot(app)
    analyst = staff(app, "analyst")
    page = analyst.post("/statistics/tokens", {"name": "Prüfung"}).get_data(as_text=True)
    token = re.search(r"(advs_[A-Za-z0-9_-]{43})", page).group(1)
    http = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    listing = http.get("/api/v1/snapshots", headers=headers).json
    assert list(validator(component("SnapshotList")).iter_errors(listing)) == []
    latest = http.get("/api/v1/snapshots/latest", headers=headers).json
    assert list(validator(component("Export")).iter_errors(latest)) == []
    for response in (http.get("/api/v1/snapshots"), http.get("/api/v1/snapshots/99", headers=headers)):
        assert list(validator(component("Error")).iter_errors(response.json)) == []
