"""What the console map draws from our data (services/dispatch/layers.py): live records only,
as plain values, and the label points of the major roads inside the map's frame."""

from __future__ import annotations

from responder.models import db
from responder.services import dispatch, registry
from responder.services.actors import SYSTEM
from responder.services.resources import TEAMS


def test_console_layers_are_live_records_and_major_road_labels(app, world):
    kept = world.add_team(10, ["fire", "medical"], name="在册队伍")
    gone = world.add_team(20, ["fire"], name="已撤销队伍")
    registry.retire(db.session, SYSTEM, TEAMS, gone)
    db.session.commit()
    world.add_depot(30, {"foam_concentrate": 5})
    names = app.extensions["responder.road_names"]
    bounds = world.network.bounds

    layers = dispatch.layers.console_layers(db.session, streets=names, bbox=bounds)

    assert [(t.name, t.specialties, t.status) for t in layers.teams] == [
        ("在册队伍", ("fire", "medical"), "available")
    ]
    assert (layers.teams[0].lon, layers.teams[0].lat) == (kept.lon, kept.lat)
    assert len(layers.depots) == 1 and layers.enterprises == [] and layers.hazard_sources == []
    assert layers.road_labels and "莫干山路" in {label.name for label in layers.road_labels}
    x0, y0, x1, y1 = bounds
    assert all(x0 <= r.lon <= x1 and y0 <= r.lat <= y1 for r in layers.road_labels)
    west_half = (x0, y0, (x0 + x1) / 2, y1)
    fewer = dispatch.layers.console_layers(db.session, streets=names, bbox=west_half)
    assert 0 < len(fewer.road_labels) < len(layers.road_labels)
    assert dispatch.layers.console_layers(db.session).road_labels == []
