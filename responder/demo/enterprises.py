"""Demo enterprises (生产经营单位) across the high-risk industries, and major hazard sources.

Industries cluster where they would in a real coastal city: chemicals in the industrial park
(新城区) and the port (港区), mines in the hills of 南岭县 and 东山区, crowded places in the
old town and along the bay.  Credit codes are valid GB 32100 codes made from the county code.
"""

from __future__ import annotations

from typing import Any

from responder.demo import people
from responder.demo.context import Demo
from responder.models import Enterprise
from responder.services import credit_codes, registry
from responder.services.actors import SYSTEM
from responder.services.resources import ENTERPRISES, HAZARD_SOURCES

COUNTIES = ("380202", "380203", "380204", "380205", "380206", "380221")
#: industry: (how many, county weights in COUNTIES order, name endings)
INDUSTRY_PLAN: dict[str, tuple[int, tuple[float, ...], tuple[str, ...]]] = {
    "hazchem_production": (
        32,
        (0, 1, 1, 6, 4, 2),
        ("化工", "石化", "精细化工", "氯碱化工", "新材料", "化学"),
    ),
    "hazchem_storage": (20, (0, 1, 0, 3, 6, 1), ("石化仓储", "危险品仓储", "油库", "液化气储运")),
    "hazchem_operation": (36, (3, 2, 2, 3, 3, 2), ("加油站", "化工贸易", "燃气经营", "石油销售")),
    "hazchem_use": (28, (1, 2, 1, 5, 3, 2), ("电镀", "制药", "印染", "表面处理", "涂装")),
    "hazchem_transport": (14, (0, 1, 0, 3, 4, 1), ("危险品运输", "危货物流")),
    "non_coal_mine": (18, (0, 3, 0, 0, 0, 6), ("铜矿", "采石场", "铁矿", "金矿", "矿业")),
    "coal_mine": (4, (0, 1, 0, 0, 0, 3), ("煤矿",)),
    "fireworks": (8, (0, 2, 1, 1, 0, 3), ("烟花爆竹批发", "烟花爆竹")),
    "civil_explosives": (4, (0, 1, 0, 1, 0, 2), ("民爆器材", "爆破工程")),
    "construction": (40, (1, 1, 1, 1, 1, 1), ("建设工程", "建筑工程", "建工", "路桥工程")),
    "metal_smelting": (14, (0, 1, 0, 3, 2, 3), ("冶炼", "铸造", "钢铁", "铜业")),
    "oil_gas_pipeline": (6, (0, 1, 0, 2, 2, 2), ("燃气管网", "输油管道", "天然气")),
    "crowded_place": (
        42,
        (4, 1, 4, 2, 2, 1),
        ("购物中心", "大酒店", "宾馆", "商场", "影城", "滨海公园景区", "体育馆"),
    ),
    "industry_trade": (
        66,
        (2, 2, 2, 3, 2, 2),
        ("机械制造", "食品", "纺织", "木业", "家具", "粉末冶金", "塑料制品", "水产冷冻"),
    ),
}
# fmt: off
BRANDS = (
    "华泰", "宏达", "恒信", "海晟", "鑫源", "中孚", "金港", "蓝海", "瑞丰", "永安", "东方",
    "盛达", "天元", "博远", "嘉禾", "信诚", "联合", "新亚", "汇通", "凯瑞", "正源", "广厦",
    "明阳", "腾飞", "润泽", "万顺", "隆基", "安泰", "德丰", "远航", "银河", "华美", "富海",
    "长城", "振华", "合力", "星辰", "海湾", "南岭", "东山",
)
# fmt: on
FORMS = ("有限公司", "有限公司", "股份有限公司", "有限责任公司")
ROADS = (
    "海滨路",
    "港湾大道",
    "人民路",
    "解放路",
    "工业大道",
    "兴港路",
    "南岭路",
    "东山大道",
    "滨江路",
    "灯塔路",
    "新华路",
    "化工二路",
    "矿山路",
    "渔港路",
)
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
            ("汽油", 200, 20000),
            ("柴油", 500, 30000),
            ("液化石油气", 50, 2000),
            ("原油", 1000, 50000),
        ),
    ),
    "hazchem_use": (
        ("化学品仓库", "电镀车间"),
        (("氰化钠", 1, 20), ("硫酸", 20, 300), ("盐酸", 10, 200), ("液氨", 5, 40)),
    ),
    "hazchem_operation": (("液化气储配站", "储罐区"), (("液化石油气", 20, 300), ("汽油", 50, 500))),
    "metal_smelting": (("煤气柜区", "熔炼车间"), (("煤气", 5, 40), ("氧气", 50, 500))),
    "oil_gas_pipeline": (("门站", "分输站"), (("天然气", 5, 60),)),
    "fireworks": (("成品仓库",), (("烟花爆竹成品", 5, 100),)),
    "civil_explosives": (("炸药库",), (("硝酸铵类炸药", 5, 50),)),
    "non_coal_mine": (("炸药库",), (("乳化炸药", 1, 10),)),
}
HAZARD_SOURCE_TARGET = 80


def _credit_code(demo: Demo, county: str) -> str:
    """91 (enterprise, company) + the county code + a 9-character organisation code."""
    org = "".join(demo.rng.choice(credit_codes.ALPHABET) for _ in range(9))
    return credit_codes.make(f"91{county}{org}")


def _name(demo: Demo, industry: str, endings: tuple[str, ...], taken: set[str]) -> str:
    while True:
        ending = demo.rng.choice(endings)
        brand = demo.rng.choice(BRANDS)
        form = "" if industry == "crowded_place" else demo.rng.choice(FORMS)
        name = f"滨海{brand}{ending}{form}"
        if name not in taken:
            taken.add(name)
            return name


def _enterprise_values(
    demo: Demo, industry: str, weights: tuple[float, ...], endings: tuple[str, ...], taken: set[str]
) -> dict[str, Any]:
    county = demo.rng.choices(COUNTIES, weights=weights)[0]
    town = demo.township(county)
    lon, lat = demo.place(town)
    code = _credit_code(demo, county)
    while code in taken:
        code = _credit_code(demo, county)
    taken.add(code)
    road = demo.rng.choice(ROADS)
    return {
        "name": _name(demo, industry, endings, taken),
        "credit_code": code,
        "industry": industry,
        "scale": "above" if demo.rng.random() < 0.4 else "below",
        "lon": lon,
        "lat": lat,
        "address": f"{demo.tree.county(county).node.name}{town.node.name}"
        f"{road}{demo.rng.randint(1, 999)}号",
        "contact": people.contact(demo.rng),
        "verified_at": demo.verified_at(),
    }


def load_enterprises(demo: Demo) -> None:
    """About 330 enterprises: every high-risk industry, crowded places, industry-and-trade."""
    taken: set[str] = set()
    for industry, (count, weights, endings) in INDUSTRY_PLAN.items():
        for _ in range(count):
            data = _enterprise_values(demo, industry, weights, endings, taken)
            demo.enterprises.append(registry.create(demo.session, SYSTEM, ENTERPRISES, data))
            demo.counts["enterprises"] += 1


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
    """About eighty major hazard sources (grades 1–4) in the industries that hold them; a
    few plants have two."""
    holders = [e for e in demo.enterprises if e.industry in HAZARD_PROFILES]
    chosen = demo.rng.sample(holders, k=min(len(holders), HAZARD_SOURCE_TARGET - 8))
    chosen += demo.rng.sample(chosen, k=8)  # a second source at some plants
    for enterprise in chosen:
        registry.create(demo.session, SYSTEM, HAZARD_SOURCES, _hazard_values(demo, enterprise))
        demo.counts["hazard_sources"] += 1
