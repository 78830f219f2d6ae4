"""The OpenAPI document and the interactive docs, served without any CDN."""

from __future__ import annotations


def test_openapi_document_lists_every_api_and_the_bearer_scheme(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearer": []}]
    paths = set(spec["paths"])
    for expected in [
        "/api/v1/teams",
        "/api/v1/depots/{depot_id}/inventory",
        "/api/v1/enterprises",
        "/api/v1/incidents/{incident_id}/proposal",
        "/api/v1/incidents/{incident_id}/dispatch",
        "/api/v1/plans",
        "/api/v1/filing/rates",
        "/api/v1/drills",
        "/api/v1/coverage",
        "/api/v1/roads/closures",
        "/api/v1/audit",
        "/api/v1/imports/{kind}",
    ]:
        assert expected in paths, expected


def test_interactive_docs_load_local_assets(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "//" not in html.split("<script", 1)[1].split(">", 1)[0]  # no CDN script
    bundle = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    bundle.close()
