"""Incident pages and the standalone incident map export."""

from __future__ import annotations

import re

from tests.fixtures.dispatch import central_node, place_incident, propose


def test_incident_page_and_standalone_map(world, login_as, times_to, sign_in):
    api = login_as("operator")
    target = central_node(world.network)
    reference = times_to(target)
    near = min((n for n, t in reference.items() if t > 120), key=lambda n: reference[n])
    world.add_team(near, ["fire"], name="滨海消防一中队")
    incident = place_incident(api, world, target)
    propose(api, incident["id"])
    client = sign_in("viewer")

    page = client.get(f"/incidents/{incident['id']}")
    assert page.status_code == 200
    assert "滨海消防一中队" in page.get_data(as_text=True)

    export = client.get(f"/incidents/{incident['id']}/map.html?download=1")
    assert export.status_code == 200
    assert "attachment" in export.headers["Content-Disposition"]
    document = export.get_data(as_text=True)
    assert not re.search(r"<script[^>]+src=", document), "scripts are inlined: opens offline"
    assert "L.polyline" in document or "L.polyline(" in document.replace(" ", "")
    assert "reachable in 5 min" in document and "reachable in 30 min" in document

    assert client.get("/incidents/99999").status_code == 404
    assert client.get("/console").status_code == 200
