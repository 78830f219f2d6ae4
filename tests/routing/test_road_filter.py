"""The emergency-vehicle road filter: the drive set plus service roads, minus dead ends
nobody is rescued from (parking aisles, driveways) and closed private ways."""

from __future__ import annotations

import pytest

from responder.routing.importer import DRIVE_CLASSES, EMERGENCY_ROADS, RoadFilter


@pytest.mark.parametrize(
    ("tags", "kept"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "service"}, True),  # the road into a plant, depot or hospital
        ({"highway": "service", "service": "alley"}, True),
        ({"highway": "service", "service": "emergency_access"}, True),
        ({"highway": "service", "service": "parking_aisle"}, False),
        ({"highway": "service", "service": "driveway"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "private", "emergency": "yes"}, True),
        ({"highway": "primary", "motor_vehicle": "no"}, False),
        ({"highway": "footway"}, False),
        ({"highway": "service", "area": "yes"}, False),
        ({"highway": ["service", "residential"], "service": "driveway"}, False),
    ],
)
def test_emergency_roads(tags: dict[str, object], kept: bool) -> None:
    assert EMERGENCY_ROADS.keeps(tags) is kept


def test_the_plain_drive_set_drops_service_roads() -> None:
    assert not RoadFilter(classes=DRIVE_CLASSES).keeps({"highway": "service"})
