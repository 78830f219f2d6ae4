"""Demo rescue bases, teams and experts, written through the registry service."""

from __future__ import annotations

from typing import Any

from responder.demo import people
from responder.demo.context import Demo
from responder.services import registry
from responder.services.actors import SYSTEM
from responder.services.resources import BASES, EXPERTS, TEAMS

# key: (name, level, specialties, county code, notes)
BASES_DATA: dict[str, tuple[str, str, list[str], str, str]] = {
    "hazchem": (
        "国家危险化学品应急救援滨海基地",
        "national",
        ["hazchem", "fire"],
        "380205",
        "依托化工园区建设，承担区域危化品事故应急救援与培训演练。",
    ),
    "water": (
        "滨海市水上应急救援基地",
        "municipal",
        ["water"],
        "380204",
        "码头泊位 2 个，冲锋舟、橡皮艇常备，24 小时值守。",
    ),
    "oil_spill": (
        "滨海港海上溢油应急处置基地",
        "national",
        ["oil_spill", "water"],
        "380206",
        "国家船舶溢油应急设备库配套基地。",
    ),
    "land_search": (
        "滨海省陆地搜寻与救护基地",
        "provincial",
        ["land_search", "medical"],
        "380203",
        "山地、建筑倒塌搜救训练场，搜救犬训练中心。",
    ),
    "mine": (
        "滨海省矿山应急救援南岭基地",
        "provincial",
        ["mine", "medical"],
        "380221",
        "承担南岭矿区及尾矿库事故救援，配备模拟巷道训练设施。",
    ),
    "city": (
        "滨海市综合应急救援基地",
        "municipal",
        ["fire", "construction", "special_equipment"],
        "380202",
        "市级综合性救援力量驻地，战勤保障中心。",
    ),
    "energy": (
        "滨海市能源保障应急基地",
        "municipal",
        ["gas_pipeline", "power"],
        "380203",
        "燃气、电力抢修力量联合驻训。",
    ),
}

#: name|specialties|level|kind|headcount|base key or county code|status
TEAMS_TABLE = """
国家危险化学品应急救援滨海队|hazchem fire|national|professional|120|hazchem|available
滨海市危化品应急救援支队|hazchem|municipal|professional|60|hazchem|available
滨海石化企业专职消防队|hazchem fire|enterprise|professional|45|380205|available
港区危化品应急处置队|hazchem|county|quasi_professional|25|380206|available
南岭县危化品应急救援队|hazchem|county|part_time|18|380221|unavailable
滨海省矿山救护大队|mine medical|provincial|professional|90|mine|available
南岭县矿山救护中队|mine|county|professional|35|mine|available
铜矿镇非煤矿山救护队|mine|enterprise|quasi_professional|22|380221|available
滨海尾矿库应急抢险队|mine construction|enterprise|part_time|30|380221|available
东山区矿山应急救援兼职队|mine|county|part_time|16|380203|available
滨海市消防救援支队特勤大队|fire hazchem|municipal|professional|80|city|available
北城区消防救援站|fire|county|professional|32|380202|available
海湾区消防救援站|fire|county|professional|30|380204|available
新城区工业园消防救援站|fire hazchem|county|professional|36|380205|available
港区消防救援站|fire|county|professional|28|380206|available
南岭县专职消防队|fire|county|quasi_professional|20|380221|available
东山区志愿消防队|fire|county|volunteer|24|380203|available
滨海市水上应急救援队|water|municipal|professional|48|water|available
海湾区蓝天救援队|water land_search|county|volunteer|40|380204|available
港区渔港水上救助队|water|county|quasi_professional|26|380206|available
河口街道水域救援志愿队|water|county|volunteer|15|380202|unavailable
滨海省陆地搜寻与救护队|land_search medical|provincial|professional|70|land_search|available
滨海市山地搜救队|land_search|municipal|quasi_professional|35|land_search|available
北城区应急志愿者搜救队|land_search|county|volunteer|50|380202|available
新城区社会应急力量搜救队|land_search|county|contracted|28|380205|available
滨海港海上溢油应急处置队|oil_spill|national|professional|55|oil_spill|available
滨海市海上溢油清污队|oil_spill water|municipal|contracted|30|oil_spill|available
港区石油码头溢油应急队|oil_spill|enterprise|quasi_professional|20|380206|available
海湾区渔政溢油应急队|oil_spill|county|part_time|14|380204|available
滨海燃气集团应急抢修队|gas_pipeline|enterprise|professional|40|energy|available
中油滨海输油管道抢修队|gas_pipeline hazchem|enterprise|professional|36|380205|available
北城区燃气应急抢险队|gas_pipeline|county|quasi_professional|18|380202|available
南岭县天然气管道巡护抢修队|gas_pipeline|enterprise|part_time|12|380221|unavailable
国网滨海供电公司电力应急抢修队|power|municipal|professional|60|energy|available
北城区供电抢修班|power|county|professional|24|380202|available
港区供电抢修班|power|county|professional|20|380206|available
南岭县电力应急抢修队|power|county|quasi_professional|18|380221|available
滨海市特种设备应急处置队|special_equipment|municipal|professional|26|city|available
滨海电梯应急救援联动队|special_equipment|municipal|contracted|30|380204|available
港区起重机械抢修队|special_equipment construction|enterprise|quasi_professional|16|380206|available
新城区特种设备应急救援队|special_equipment|county|part_time|12|380205|unavailable
滨海市建筑工程抢险队|construction|municipal|contracted|60|city|available
滨海建工集团应急抢险队|construction|enterprise|quasi_professional|45|380205|available
东山区工程抢险队|construction land_search|county|part_time|30|380203|available
海湾区市政工程抢险队|construction|county|contracted|35|380204|available
滨海市急救中心|medical|municipal|professional|85|380202|available
滨海市第一人民医院紧急医学救援队|medical|municipal|professional|40|380204|available
新城区卫生应急队|medical|county|quasi_professional|22|380205|available
港区医疗救护队|medical|county|professional|26|380206|available
南岭县人民医院医疗救护队|medical mine|county|part_time|18|380221|available
"""


def _team_rows() -> list[tuple[str, list[str], str, str, int, str, str]]:
    rows = []
    for line in TEAMS_TABLE.strip().splitlines():
        name, specialties, level, kind, headcount, where, status = (
            cell.strip() for cell in line.split("|")
        )
        rows.append((name, specialties.split(), level, kind, int(headcount), where, status))
    return rows


#: Equipment notes by specialty (one is drawn per team and specialty).
EQUIPMENT: dict[str, list[str]] = {
    "hazchem": [
        "防化洗消车 1 辆、侦检车 1 辆、A 级防化服 20 套、有毒气体检测仪 12 台",
        "堵漏器材组 3 套、输转泵 2 台、重型防化服 12 套、空气呼吸器 30 具",
    ],
    "mine": [
        "正压氧气呼吸器 40 台、多功能气体检测仪 15 台、矿用担架 10 副",
        "自救器 200 台、排水泵 4 台、生命探测仪 2 台、井下通讯系统 1 套",
    ],
    "fire": [
        "水罐消防车 3 辆、泡沫消防车 2 辆、举高喷射车 1 辆、空气呼吸器 24 具",
        "抢险救援车 1 辆、泡沫消防车 1 辆、水罐车 2 辆、破拆工具组 2 套",
    ],
    "water": [
        "冲锋舟 6 艘、橡皮艇 4 艘、救生衣 120 件、潜水装备 8 套",
        "冲锋舟 3 艘、抛投器 4 具、救生衣 60 件、水域救援绳包 20 个",
    ],
    "land_search": [
        "生命探测仪 4 台、搜救犬 6 条、液压破拆工具 3 套、帐篷 20 顶",
        "无人机 3 架、卫星电话 4 部、担架 15 副、照明设备 10 套",
    ],
    "oil_spill": [
        "围油栏 3000 米、收油机 4 台、吸油毡 5 吨、清污船 1 艘",
        "围油栏 1200 米、收油机 2 台、消油剂 2 吨、储油囊 6 个",
    ],
    "gas_pipeline": [
        "燃气抢险车 3 辆、可燃气体检测仪 20 台、带压封堵设备 2 套",
        "管道抢修车 2 辆、防爆工具 4 套、焊接设备 3 套、移动发电机 2 台",
    ],
    "power": [
        "应急发电车 2 辆、移动发电机 8 台、抢修车 6 辆、照明车 1 辆",
        "带电作业车 1 辆、发电机 4 台、电缆故障检测仪 2 台",
    ],
    "special_equipment": [
        "电梯救援工具包 12 套、起重吊装设备 2 套、液压顶升装置 4 台",
        "高空救援设备 3 套、探伤仪 2 台、液压破拆工具 2 套",
    ],
    "construction": [
        "挖掘机 4 台、装载机 3 台、吊车 2 台、液压破拆工具 4 套",
        "钢支撑 200 根、切割机 6 台、挖掘机 2 台、照明设备 8 套",
    ],
    "medical": [
        "救护车 8 辆、负压救护车 2 辆、移动 ICU 1 套、担架 30 副",
        "救护车 3 辆、急救药品箱 20 个、除颤仪 4 台、担架 12 副",
    ],
}

# (specialties, title, organization, county code or "" for the city)
EXPERTS_DATA: list[tuple[list[str], str, str, str]] = [
    (["hazchem"], "教授级高级工程师", "滨海石化集团安全环保部", ""),
    (["hazchem"], "高级工程师", "滨海化工园区管委会", "380205"),
    (["hazchem", "fire"], "教授", "滨海理工大学化学工程学院", ""),
    (["hazchem"], "高级工程师", "滨海市安全生产科学研究院", ""),
    (["hazchem", "gas_pipeline"], "高级工程师", "中油滨海输油分公司", "380205"),
    (["mine"], "教授级高级工程师", "滨海省矿山救护总队", ""),
    (["mine"], "高级工程师", "南岭铜业集团", "380221"),
    (["mine", "construction"], "研究员", "滨海省地质矿产勘查院", ""),
    (["mine"], "高级工程师", "南岭县应急管理局", "380221"),
    (["fire"], "高级工程师", "滨海市消防救援支队", ""),
    (["fire"], "工程师", "港区消防救援大队", "380206"),
    (["water"], "高级船长", "滨海海事局", "380206"),
    (["water", "oil_spill"], "高级工程师", "滨海港集团", "380206"),
    (["oil_spill"], "研究员", "滨海海洋环境监测中心", ""),
    (["land_search"], "教官", "滨海省陆地搜寻与救护基地", "380203"),
    (["gas_pipeline"], "高级工程师", "滨海燃气集团", ""),
    (["power"], "高级工程师", "国网滨海供电公司", ""),
    (["special_equipment"], "高级工程师", "滨海市特种设备检验研究院", ""),
    (["special_equipment"], "工程师", "滨海电梯协会", "380204"),
    (["construction"], "教授级高级工程师", "滨海建工集团", ""),
    (["construction"], "高级工程师", "滨海市建设工程质量安全监督站", "380202"),
    (["medical"], "主任医师", "滨海市急救中心", ""),
    (["medical"], "主任医师", "滨海市第一人民医院", "380204"),
    (["medical", "hazchem"], "副主任医师", "滨海市职业病防治院", ""),
]


def _base_values(demo: Demo, key: str) -> dict[str, Any]:
    name, level, specialties, county, notes = BASES_DATA[key]
    town = demo.township(county)
    lon, lat = demo.place(town)
    return {
        "name": name,
        "level": level,
        "specialties": specialties,
        "lon": lon,
        "lat": lat,
        "address": f"{demo.tree.county(county).node.name}{town.node.name}",
        "contact": people.contact(demo.rng),
        "notes": notes,
        "verified_at": demo.verified_at(),
    }


def load_bases(demo: Demo) -> None:
    """The rescue bases (国家级危化品基地, 水上, 溢油, 陆地搜救, 矿山, 综合, 能源)."""
    for key in BASES_DATA:
        demo.bases[key] = registry.create(demo.session, SYSTEM, BASES, _base_values(demo, key))
        demo.counts["bases"] += 1


def _team_values(demo: Demo, row: tuple[str, list[str], str, str, int, str, str]) -> dict[str, Any]:
    name, specialties, level, kind, headcount, where, status = row
    rng = demo.rng
    data: dict[str, Any] = {
        "name": name,
        "specialties": specialties,
        "level": level,
        "kind": kind,
        "headcount": headcount,
        "status": status,
        "contact_name": people.person_name(rng),
        "contact_phone": people.mobile(rng),
        "equipment": "；".join(rng.choice(EQUIPMENT[s]) for s in specialties),
        "verified_at": demo.verified_at(),
    }
    if rng.random() < 0.25:  # some teams state their own 出动准备 time
        data["mobilization_min"] = float(rng.choice((3, 5, 8, 10, 15, 30)))
    if where in demo.bases:
        data["base_id"] = demo.bases[where].id
    else:
        data["lon"], data["lat"] = demo.place(demo.township(where))
    return data


def load_teams(demo: Demo) -> None:
    """Fifty teams across all eleven specialties, some at bases, a few unavailable."""
    for row in _team_rows():
        registry.create(demo.session, SYSTEM, TEAMS, _team_values(demo, row))
        demo.counts["teams"] += 1


def load_experts(demo: Demo) -> None:
    """The expert pool (专家库), city-level unless a county keeps its own."""
    for specialties, title, organization, county in EXPERTS_DATA:
        where = demo.tree.county(county).node if county else demo.tree.city
        data = {
            "name": people.person_name(demo.rng),
            "specialties": specialties,
            "title": title,
            "organization": organization,
            "phone": people.mobile(demo.rng),
            "jurisdiction_id": where.id,
            "verified_at": demo.verified_at(),
        }
        registry.create(demo.session, SYSTEM, EXPERTS, data)
        demo.counts["experts"] += 1
