"""How each kind of record looks on a map: marker colour and Font Awesome icon.

Marker colours are Leaflet.awesome-markers' named colours (the only ones its sprites have);
:data:`HEX` gives the matching CSS colour for legends and routes.  Icons are Font Awesome 6
solid icons (``prefix="fa"``), which we serve locally.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MarkerStyle:
    color: str
    icon: str

    @property
    def hex(self) -> str:
        return HEX[self.color]


#: awesome-markers colour name -> CSS colour of its sprite.
HEX: dict[str, str] = {
    "red": "#d63e2a",
    "darkred": "#a23336",
    "lightred": "#ff8e7f",
    "orange": "#f69730",
    "beige": "#ffcb92",
    "green": "#72b026",
    "darkgreen": "#728224",
    "lightgreen": "#bbf970",
    "blue": "#38aadd",
    "darkblue": "#0067a3",
    "cadetblue": "#436978",
    "purple": "#d252b9",
    "darkpurple": "#5b396b",
    "pink": "#ff91ea",
    "lightblue": "#8adaff",
    "lightgray": "#a3a3a3",
    "gray": "#575757",
    "black": "#303030",
    "white": "#fbfbfb",
}

#: Rescue-team specialty -> style (a team is drawn with its first specialty).
SPECIALTY: dict[str, MarkerStyle] = {
    "hazchem": MarkerStyle("purple", "biohazard"),
    "mine": MarkerStyle("black", "helmet-safety"),
    "fire": MarkerStyle("red", "fire"),
    "water": MarkerStyle("blue", "life-ring"),
    "land_search": MarkerStyle("green", "person-hiking"),
    "oil_spill": MarkerStyle("darkblue", "droplet"),
    "gas_pipeline": MarkerStyle("orange", "fire-flame-simple"),
    "power": MarkerStyle("cadetblue", "bolt"),
    "special_equipment": MarkerStyle("gray", "elevator"),
    "construction": MarkerStyle("darkred", "person-digging"),
    "medical": MarkerStyle("pink", "kit-medical"),
}

#: Other registry kinds -> style.
KIND: dict[str, MarkerStyle] = {
    "team": MarkerStyle("lightgray", "users"),
    "base": MarkerStyle("darkgreen", "house-flag"),
    "depot": MarkerStyle("darkpurple", "warehouse"),
    "enterprise": MarkerStyle("cadetblue", "industry"),
    "hazard_source": MarkerStyle("red", "triangle-exclamation"),
    "incident": MarkerStyle("darkred", "burst"),
}

#: Major hazard source grade (1 = highest) -> style.
HAZARD_GRADE: dict[int, MarkerStyle] = {
    1: MarkerStyle("darkred", "triangle-exclamation"),
    2: MarkerStyle("red", "triangle-exclamation"),
    3: MarkerStyle("orange", "triangle-exclamation"),
    4: MarkerStyle("beige", "triangle-exclamation"),
}


def for_team(specialties: list[str]) -> MarkerStyle:
    """The style of a team: its first specialty's, or the generic team style."""
    for code in specialties:
        if code in SPECIALTY:
            return SPECIALTY[code]
    return KIND["team"]
