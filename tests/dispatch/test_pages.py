"""Incident pages and the standalone incident map export."""

from __future__ import annotations

import json
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


def page_labels(html: str) -> dict:
    """The words a dispatch page hands its scripts (the ``page-labels`` JSON block)."""
    block = html.split('<script id="page-labels" type="application/json">')[1]
    return json.loads(block.split("</script>")[0])


def test_board_and_incident_page_speak_words_and_local_time(
    world,
    login_as,
    times_to,
    sign_in,
):
    from tests.dispatch.test_confirm import setup_incident
    from tests.dispatch.test_lifecycle import confirm_proposal

    api = login_as("operator")
    incident, _fire, _depot = setup_incident(world, api, times_to)
    confirm_proposal(api, incident["id"], propose(api, incident["id"]))
    operator = sign_in("operator")
    board = operator.get("/board")
    assert board.status_code == 200
    page = board.get_data(as_text=True)
    assert f'data-incident="{incident["id"]}"' in page and "途中" in page
    detail = operator.get(f"/incidents/{incident['id']}").get_data(as_text=True)
    assert "处置中" in detail and "标记到场" in detail and "close-form" in detail
    assert "UTC" not in detail, "times are local clock times"
    english = operator.get(f"/incidents/{incident['id']}?lang=en").get_data(as_text=True)
    assert "En route" in english and "Mark on scene" in english
    # The page scripts print material units from these words (套, 台 ...), not the codes
    assert page_labels(page)["units"]["set"] == "套"
    assert page_labels(english)["units"]["set"] == "set"
    viewer = sign_in("viewer").get(f"/incidents/{incident['id']}").get_data(as_text=True)
    assert "close-form" not in viewer and "data-advance" not in viewer


def test_operators_land_on_the_incident_board(sign_in):
    operator = sign_in("operator")
    landing = operator.get("/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/board")
    assert sign_in("clerk").get("/").status_code == 200  # everyone else: the index page
