"""Demo material catalog and depots with stock (库存), written through the services.

Stock is realistic for a city on the Grand Canal and West Lake, with oil depots, gas and
metro lines, and has the flaws a real roster has: some lines are past their expiry date
and some depots hold only a token quantity, so dispatch proposals show splits and
shortfalls.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from responder.demo import people
from responder.demo.context import Demo
from responder.models import Depot
from responder.services import inventory, materials, matrix, registry
from responder.services.actors import SYSTEM
from responder.services.resources import DEPOTS

#: Typical stock of one material in one depot: (low, high, decimals), in the catalog unit.
TYPICAL: dict[str, tuple[float, float, int]] = {
    "foam_concentrate": (3, 30, 1),
    "oil_boom": (400, 3000, -2),
    "absorbent_felt": (300, 5000, -1),
    "breathing_apparatus": (12, 80, 0),
    "protective_suit": (10, 100, 0),
    "gas_detector": (6, 50, 0),
    "neutralizer": (0.5, 2.5, 1),  # scarce: a severe hazchem leak finds too little
    "sandbag": (2000, 20000, -2),
    "drainage_pump": (2, 20, 0),
    "generator": (2, 15, 0),
    "hydraulic_tools": (1, 3, 0),  # scarce: a severe collapse finds too few
    "assault_boat": (2, 12, 0),
    "life_jacket": (50, 500, -1),
    "self_rescuer": (60, 400, 0),
    "stretcher": (10, 60, 0),
}
#: Materials with a shelf life, in years (the others carry no expiry date).
SHELF_LIFE_YEARS: dict[str, int] = {
    "foam_concentrate": 8,
    "absorbent_felt": 5,
    "neutralizer": 3,
    "self_rescuer": 3,
    "protective_suit": 5,
}
#: One depot per block: name|operator|level|base key or district code/street, then the
#: materials it holds ("*": the whole catalog).
DEPOTS_TABLE = """
杭州市应急物资储备库|杭州市应急管理局|municipal|330105/石桥路
  *
国家危险化学品应急救援杭州基地物资库|国家危险化学品应急救援杭州队|national|hazchem
  foam_concentrate breathing_apparatus protective_suit gas_detector neutralizer absorbent_felt
杭州市消防救援支队战勤保障库|杭州市消防救援支队|municipal|city
  foam_concentrate breathing_apparatus hydraulic_tools generator stretcher protective_suit
京杭运河内河溢油应急设备库|京杭运河内河溢油应急处置队|municipal|canal
  oil_boom absorbent_felt assault_boat life_jacket
西湖水域救援物资库|西湖水域救援队|municipal|west_lake
  assault_boat life_jacket drainage_pump sandbag
浙江省矿山救援杭州物资储备库|浙江省矿山救护杭州中队|provincial|mine
  self_rescuer gas_detector drainage_pump breathing_apparatus stretcher
拱墅区应急物资储备点|拱墅区应急管理局|county|330105/祥园路
  sandbag drainage_pump generator stretcher life_jacket
拱墅区运河防汛物资仓库|拱墅区水利局|county|330105/丽水路
  sandbag drainage_pump assault_boat life_jacket
西湖区应急物资储备点|西湖区应急管理局|county|330106/振华路
  sandbag generator hydraulic_tools stretcher
上城区应急物资储备库|上城区应急管理局|county|330102/同协路
  foam_concentrate neutralizer protective_suit gas_detector absorbent_felt breathing_apparatus
上城区防汛物资仓库|上城区水利局|county|330102/开创街
  sandbag drainage_pump life_jacket generator
杭城供电应急物资库|杭城供电公司|enterprise|energy
  generator drainage_pump gas_detector
杭城燃气集团抢修物资库|杭城燃气集团|enterprise|energy
  gas_detector foam_concentrate breathing_apparatus
杭州地铁运营应急物资库|杭州地铁运营公司|enterprise|330105/香积寺路
  hydraulic_tools stretcher generator breathing_apparatus
"""


def _depot_rows() -> list[tuple[str, str, str, str, list[str]]]:
    lines = DEPOTS_TABLE.strip().splitlines()
    rows = []
    for head, held in zip(lines[::2], lines[1::2], strict=True):
        name, operator, level, where = head.split("|")
        codes = list(TYPICAL) if held.strip() == "*" else held.split()
        rows.append((name, operator, level, where, codes))
    return rows


def load_catalog(demo: Demo) -> None:
    """The material catalog: the catalog service's seed (the docs/domain.md list)."""
    materials.seed_catalog(demo.session, SYSTEM)
    demo.materials = {code: materials.by_code(demo.session, code) for code in TYPICAL}
    demo.counts["materials"] = len(demo.materials)


def load_response_matrix(demo: Demo) -> None:
    """The default response matrix (incident type -> specialties, materials), so dispatch
    proposals in the demo have needs to fill."""
    notes = matrix.seed(demo.session, demo.rules)
    if notes:
        raise ValueError(
            "response matrix names materials missing from the catalog: " + "; ".join(notes)
        )


def _add_line(demo: Demo, depot: Depot, code: str, quantity: float, expiry: date | None) -> None:
    inventory.add_line(
        demo.session, SYSTEM, depot, material_code=code, quantity=quantity, expiry_date=expiry
    )
    demo.counts["inventory_lines"] += 1


def _quantity(demo: Demo, code: str) -> float:
    """A typical quantity; one line in eight holds only a token amount (shortfalls)."""
    low, high, decimals = TYPICAL[code]
    if demo.rng.random() < 0.125:
        return 1.0 if decimals >= 0 else float(10**-decimals)
    return float(round(demo.rng.uniform(low, high), decimals))


def _expiry(demo: Demo, code: str) -> date | None:
    """An expiry date for shelf-life materials; about one in five is already past."""
    years = SHELF_LIFE_YEARS.get(code)
    if years is None:
        return None
    if demo.rng.random() < 0.2:
        return demo.today - timedelta(days=demo.rng.randint(10, 400))
    return demo.today + timedelta(days=demo.rng.randint(60, 365 * years))


def _depot_values(demo: Demo, name: str, operator: str, level: str, where: str) -> dict[str, Any]:
    base = demo.bases.get(where)
    data: dict[str, Any] = {
        "name": name,
        "operator": operator,
        "level": level,
        "contact": people.contact(demo.rng),
        "verified_at": demo.verified_at(),
    }
    if base is not None:
        data.update(base_id=base.id, lon=base.lon, lat=base.lat, address=base.address)
    else:
        district, street = where.split("/")
        data["lon"], data["lat"], street = demo.site(district, street)
        data["address"] = demo.address(district, street)
    return data


def _stock(demo: Demo, depot: Depot, codes: list[str]) -> None:
    for code in codes:
        expiry = _expiry(demo, code)
        _add_line(demo, depot, code, _quantity(demo, code), expiry)
        if expiry is not None and expiry < demo.today and demo.rng.random() < 0.5:
            # the replacement batch has arrived: an expired line beside a fresh one
            fresh = demo.today + timedelta(days=demo.rng.randint(200, 365 * 3))
            _add_line(demo, depot, code, _quantity(demo, code), fresh)


def load_depots(demo: Demo) -> None:
    """Fourteen depots (national, provincial, municipal, county, enterprise) and their stock."""
    for name, operator, level, where, codes in _depot_rows():
        depot = registry.create(
            demo.session, SYSTEM, DEPOTS, _depot_values(demo, name, operator, level, where)
        )
        demo.counts["depots"] += 1
        _stock(demo, depot, codes)
