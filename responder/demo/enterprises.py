"""Demo enterprises (生产经营单位) of an urban district, and their major hazard sources.

What a city office in central Hangzhou files plans for: petrol and gas stations, LPG and
chemical storage, construction sites (incl. metro works), shopping malls, hotels and scenic
spots (crowded places), the metro operator, elevator and other industry-and-trade firms, in
拱墅区, 西湖区 and 上城区, each on a real street.  Names are made up (``杭城`` + a brand);
credit codes are valid GB 32100 codes marked demo: 91 + district code + ``DEM`` + 6.
"""

from __future__ import annotations

from typing import Any

from responder.demo import people
from responder.demo.context import Demo
from responder.demo.region import DISTRICTS
from responder.models import Enterprise
from responder.services import credit_codes, registry
from responder.services.actors import SYSTEM
from responder.services.resources import ENTERPRISES, HAZARD_SOURCES

#: The marker in every demo credit code (characters 9–11, the organisation code's start).
DEMO_MARK = "DEM"
#: industry: (how many, weights for DISTRICTS (拱墅, 西湖, 上城), name endings)
INDUSTRY_PLAN: dict[str, tuple[int, tuple[float, ...], tuple[str, ...]]] = {
    "hazchem_operation": (
        48,
        (3, 2, 2),
        ("加油站", "加气站", "液化气供应站", "化工贸易", "石油销售", "燃气经营"),
    ),
    "hazchem_storage": (14, (3, 1, 2), ("液化气储配站", "危险品仓储", "油库", "化学品仓储")),
    "hazchem_use": (16, (2, 3, 1), ("医药研发", "生物试剂", "电镀", "印刷", "检测技术")),
    "hazchem_production": (6, (2, 1, 1), ("精细化工", "工业气体", "涂料")),
    "hazchem_transport": (8, (3, 1, 2), ("危险品运输", "危货物流")),
    "civil_explosives": (2, (1, 1, 0), ("爆破工程",)),
    "construction": (
        50,
        (3, 3, 3),
        ("建设工程", "建筑工程", "建工", "地铁工程", "市政工程", "幕墙工程"),
    ),
    "oil_gas_pipeline": (4, (1, 1, 1), ("燃气管网", "天然气")),
    "crowded_place": (
        92,
        (3, 3, 2),
        ("购物中心", "大酒店", "宾馆", "商场", "影城", "运河街区景区", "湿地景区", "体育馆"),
    ),
    "industry_trade": (
        100,
        (3, 3, 3),
        ("电梯工程", "电梯维保", "机械制造", "食品", "服装", "印务", "物流仓储", "家具", "电子"),
    ),
}
#: Enterprises every city has exactly one of (industry, name, district, street).
LANDMARKS: tuple[tuple[str, str, str, str], ...] = (
    ("crowded_place", "杭城轨道交通运营有限公司", "330105", "香积寺路"),
    ("crowded_place", "杭城运河游船旅游有限公司", "330105", "丽水路"),
    ("crowded_place", "杭城西湖游船有限公司", "330106", "栖霞岭路"),
    ("hazchem_storage", "杭城石化储运有限公司城北油库", "330105", "石祥路"),
    ("oil_gas_pipeline", "杭城燃气集团有限公司", "330102", "新塘路"),
)
# fmt: off
BRANDS = (
    "华泰", "宏达", "恒信", "钱晟", "鑫源", "中孚", "金运", "湖光", "瑞丰", "永安", "东方",
    "盛达", "天元", "博远", "嘉禾", "信诚", "联合", "新亚", "汇通", "凯瑞", "正源", "广厦",
    "明阳", "腾飞", "润泽", "万顺", "隆基", "安泰", "德丰", "远航", "银河", "华美", "富春",
    "长城", "振华", "合力", "星辰", "运河", "湖墅", "武林",
)
# fmt: on
FORMS = ("有限公司", "有限公司", "股份有限公司", "有限责任公司")
#: Which industries hold major hazard sources: industry -> (named units, substances).
HAZARD_PROFILES: dict[str, tuple[tuple[str, ...], tuple[tuple[str, float, float], ...]]] = {
    "hazchem_production": (
        ("生产装置区", "罐区", "液氯储罐区", "甲类仓库"),
        (
            ("液氯", 5, 80),
            ("液氨", 10, 150),
            ("甲醇", 50, 2000),
            ("苯", 20, 500),
            ("氢气", 0.5, 8),
            ("环氧乙烷", 5, 60),
            ("丙烯", 20, 400),
        ),
    ),
    "hazchem_storage": (
        ("储罐区", "成品油罐区", "液化石油气球罐区"),
        (
            ("汽油", 200, 5000),
            ("柴油", 200, 8000),
            ("液化石油气", 50, 500),
        ),
    ),
    "hazchem_use": (
        ("化学品仓库", "电镀车间"),
        (("氰化钠", 1, 20), ("硫酸", 20, 300), ("盐酸", 10, 200), ("液氨", 5, 40)),
    ),
    "hazchem_operation": (("液化气储配站", "储罐区"), (("液化石油气", 20, 300), ("汽油", 50, 500))),
    "oil_gas_pipeline": (("门站", "调压站"), (("天然气", 5, 60),)),
    "civil_explosives": (("炸药库",), (("硝酸铵类炸药", 5, 50),)),
}
HAZARD_SOURCE_TARGET = 40


def _credit_code(demo: Demo, district: str, taken: set[str]) -> str:
    """91 (enterprise, company) + the district code + ``DEM`` + 6 characters + check."""
    while True:
        org = DEMO_MARK + "".join(demo.rng.choice(credit_codes.ALPHABET) for _ in range(6))
        code = credit_codes.make(f"91{district}{org}")
        if code not in taken:
            taken.add(code)
            return code


def _name(demo: Demo, industry: str, endings: tuple[str, ...], taken: set[str]) -> str:
    while True:
        ending = demo.rng.choice(endings)
        brand = demo.rng.choice(BRANDS)
        form = "" if industry == "crowded_place" else demo.rng.choice(FORMS)
        name = f"杭城{brand}{ending}{form}"
        if name not in taken:
            taken.add(name)
            return name


def _enterprise_values(
    demo: Demo, industry: str, name: str, district: str, street: str | None, taken: set[str]
) -> dict[str, Any]:
    lon, lat, street = demo.site(district, street)
    return {
        "name": name,
        "credit_code": _credit_code(demo, district, taken),
        "industry": industry,
        "scale": "above" if demo.rng.random() < 0.4 else "below",
        "lon": lon,
        "lat": lat,
        "address": demo.address(district, street),
        "contact": people.contact(demo.rng),
        "verified_at": demo.verified_at(),
    }


def _create(demo: Demo, data: dict[str, Any]) -> None:
    demo.enterprises.append(registry.create(demo.session, SYSTEM, ENTERPRISES, data))
    demo.counts["enterprises"] += 1


def load_enterprises(demo: Demo) -> None:
    """About 345 enterprises of the three central districts, each on a real street."""
    taken: set[str] = set()
    for industry, name, district, street in LANDMARKS:
        taken.add(name)
        _create(demo, _enterprise_values(demo, industry, name, district, street, taken))
    for industry, (count, weights, endings) in INDUSTRY_PLAN.items():
        for _ in range(count):
            district = demo.rng.choices(DISTRICTS, weights=weights)[0]
            name = _name(demo, industry, endings, taken)
            _create(demo, _enterprise_values(demo, industry, name, district, None, taken))


def _hazard_values(demo: Demo, enterprise: Enterprise) -> dict[str, Any]:
    units, substances = HAZARD_PROFILES[enterprise.industry]
    picked = demo.rng.sample(substances, k=min(len(substances), demo.rng.choice((1, 1, 2))))
    grade = demo.rng.choices((1, 2, 3, 4), weights=(1, 2, 3, 4))[0]
    return {
        "enterprise_id": enterprise.id,
        "name": demo.rng.choice(units),
        "grade": grade,
        "substances": [
            {"name": name, "quantity_t": round(demo.rng.uniform(low, high), 1)}
            for name, low, high in picked
        ],
        "monitored": grade <= 2 or demo.rng.random() < 0.7,
        "verified_at": demo.verified_at(),
    }


def load_hazard_sources(demo: Demo) -> None:
    """About forty major hazard sources (grades 1–4): LPG stations, oil and chemical
    stores, gas stations of the network; a few sites have two."""
    holders = [e for e in demo.enterprises if e.industry in HAZARD_PROFILES]
    chosen = demo.rng.sample(holders, k=min(len(holders), HAZARD_SOURCE_TARGET - 4))
    chosen += demo.rng.sample(chosen, k=4)  # a second source at some sites
    for enterprise in chosen:
        registry.create(demo.session, SYSTEM, HAZARD_SOURCES, _hazard_values(demo, enterprise))
        demo.counts["hazard_sources"] += 1
