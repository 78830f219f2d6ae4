"""Demo rescue bases, teams and experts, written through the registry service."""

from __future__ import annotations

from typing import Any

from responder.demo import people
from responder.demo.context import Demo
from responder.services import registry
from responder.services.actors import SYSTEM
from responder.services.resources import BASES, EXPERTS, TEAMS

# key: (name, level, specialties, district code, street, notes)
BASES_DATA: dict[str, tuple[str, str, list[str], str, str, str]] = {
    "hazchem": (
        "国家危险化学品应急救援杭州基地",
        "national",
        ["hazchem", "fire"],
        "330105",
        "石祥路",
        "城北老工业区旧址改建，承担区域危化品事故应急救援与培训演练。",
    ),
    "canal": (
        "杭州市京杭大运河水上应急救援基地",
        "municipal",
        ["water", "oil_spill"],
        "330105",
        "丽水路",
        "运河沿岸码头泊位 2 个，冲锋舟、橡皮艇常备，24 小时值守。",
    ),
    "west_lake": (
        "西湖水域应急救援站",
        "municipal",
        ["water"],
        "330106",
        "栖霞岭路",
        "负责西湖及周边水域游船、落水救援，汛期加强值守。",
    ),
    "land_search": (
        "浙江省陆地搜寻与救护杭州基地",
        "provincial",
        ["land_search", "medical"],
        "330106",
        "紫金港路",
        "建筑倒塌搜救训练场，搜救犬训练中心。",
    ),
    "mine": (
        "浙江省矿山应急救援杭州基地",
        "provincial",
        ["mine", "medical"],
        "330106",
        "古墩路",
        "承担杭州西部非煤矿山及地铁隧道事故救援，配备模拟巷道训练设施。",
    ),
    "city": (
        "杭州市综合应急救援基地",
        "municipal",
        ["fire", "construction", "special_equipment"],
        "330105",
        "湖州街",
        "市级综合性救援力量驻地，战勤保障中心。",
    ),
    "metro": (
        "杭州地铁城北应急抢险基地",
        "enterprise",
        ["construction", "special_equipment"],
        "330105",
        "香积寺路",
        "地铁运营公司抢险力量驻地，承担隧道、车站及电扶梯事故先期处置。",
    ),
    "energy": (
        "杭州市能源保障应急基地",
        "municipal",
        ["gas_pipeline", "power"],
        "330102",
        "新塘路",
        "燃气、电力抢修力量联合驻训。",
    ),
}

#: name|specialties|level|kind|headcount|base key, or district code/street|status
TEAMS_TABLE = """
国家危险化学品应急救援杭州队|hazchem fire|national|professional|120|hazchem|available
杭州市危化品应急救援支队|hazchem|municipal|professional|60|hazchem|available
拱墅区半山危化品应急处置队|hazchem|county|quasi_professional|25|330105/沈半路|available
上城区危化品应急救援队|hazchem|county|part_time|18|330102/笕丁路|unavailable
杭城油库企业专职消防队|hazchem fire|enterprise|professional|30|330105/石祥路|available
浙江省矿山救护杭州中队|mine medical|provincial|professional|60|mine|available
杭州市非煤矿山救护队|mine|municipal|contracted|30|mine|available
西湖区地下工程与隧道救援队|mine construction|county|quasi_professional|22|330106/文一西路|available
杭州市消防救援支队特勤大队|fire hazchem|municipal|professional|80|city|available
拱墅区小河消防救援站|fire|county|professional|32|330105/小河路|available
拱墅区和睦消防救援站|fire|county|professional|30|330105/和睦路|available
拱墅区东新消防救援站|fire|county|professional|30|330105/东新路|available
拱墅区朝晖消防救援站|fire|county|professional|28|330105/朝晖路|available
西湖区文三消防救援站|fire|county|professional|30|330106/文三路|available
西湖区古荡消防救援站|fire|county|professional|28|330106/古翠路|available
西湖区三墩专职消防队|fire|county|quasi_professional|20|330106/三墩街|available
上城区凯旋消防救援站|fire|county|professional|30|330102/凯旋路|available
上城区笕桥消防救援站|fire|county|professional|28|330102/机场路|available
上城区九堡社区志愿消防队|fire|county|volunteer|24|330102/大农港路|available
杭州市京杭运河水上救援队|water|municipal|professional|48|canal|available
西湖水域救援队|water|municipal|professional|36|west_lake|available
拱墅区运河蓝天救援队|water land_search|county|volunteer|40|330105/湖墅南路|available
上城区运河东路水上救助队|water|county|quasi_professional|20|330102/运河东路|available
西湖景区游船安全救援队|water|enterprise|part_time|15|330106/环城西路|unavailable
浙江省陆地搜寻与救护队|land_search medical|provincial|professional|70|land_search|available
杭州市城市搜救队|land_search|municipal|quasi_professional|35|land_search|available
拱墅区应急志愿者搜救队|land_search|county|volunteer|50|330105/上塘路|available
西湖区社会应急力量搜救队|land_search|county|contracted|28|330106/天目山路|available
京杭运河内河溢油应急处置队|oil_spill water|municipal|professional|30|canal|available
杭州港航溢油清污队|oil_spill|municipal|contracted|20|canal|available
运河油品码头溢油应急队|oil_spill|enterprise|quasi_professional|16|330105/丽水路|available
杭城燃气集团应急抢修队|gas_pipeline|enterprise|professional|40|energy|available
拱墅区燃气应急抢险队|gas_pipeline|county|quasi_professional|18|330105/大关路|available
西湖区燃气管网抢修队|gas_pipeline|enterprise|professional|24|330106/西溪路|available
上城区天然气管道巡护抢修队|gas_pipeline|enterprise|part_time|12|330102/天城路|unavailable
杭城供电公司电力应急抢修队|power|municipal|professional|60|energy|available
拱墅区供电抢修班|power|county|professional|24|330105/莫干山路|available
西湖区供电抢修班|power|county|professional|20|330106/文二西路|available
上城区电力应急抢修队|power|county|quasi_professional|18|330102/艮山西路|available
杭州市特种设备应急处置队|special_equipment|municipal|professional|26|city|available
杭州电梯应急救援联动队|special_equipment|municipal|contracted|30|330106/文一路|available
拱墅区电梯维保应急队|special_equipment|enterprise|quasi_professional|16|330105/登云路|available
上城区特种设备应急救援队|special_equipment|county|part_time|12|330102/景昙路|unavailable
杭州市建筑工程抢险队|construction|municipal|contracted|60|city|available
杭城建工集团应急抢险队|construction|enterprise|quasi_professional|45|330102/钱潮路|available
杭州地铁运营抢险队|construction special_equipment|enterprise|professional|40|metro|available
拱墅区市政工程抢险队|construction|county|contracted|35|330105/长浜路|available
杭州市急救中心|medical|municipal|professional|85|330105/体育场路|available
杭州市城北人民医院紧急医学救援队|medical|municipal|professional|40|330105/湖墅北路|available
西溪人民医院紧急医学救援队|medical|county|professional|26|330106/西溪路|available
上城区卫生应急队|medical|county|quasi_professional|22|330102/新风路|available
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

# (specialties, title, organization, district code or "" for the city)
EXPERTS_DATA: list[tuple[list[str], str, str, str]] = [
    (["hazchem"], "教授级高级工程师", "杭城石化储运公司安全环保部", ""),
    (["hazchem"], "高级工程师", "拱墅区应急管理局", "330105"),
    (["hazchem", "fire"], "教授", "钱塘理工学院化学工程系", ""),
    (["hazchem"], "高级工程师", "杭州市安全生产科学研究所", ""),
    (["hazchem", "gas_pipeline"], "高级工程师", "杭城燃气集团", "330102"),
    (["mine"], "教授级高级工程师", "浙江省矿山救护杭州中队", ""),
    (["mine", "construction"], "研究员", "浙西地质矿产勘查院", ""),
    (["mine"], "高级工程师", "西湖区应急管理局", "330106"),
    (["fire"], "高级工程师", "杭州市消防救援支队", ""),
    (["fire"], "工程师", "拱墅区消防救援大队", "330105"),
    (["water"], "高级船长", "京杭运河杭州航运管理处", "330105"),
    (["water", "oil_spill"], "高级工程师", "杭州港航管理中心", ""),
    (["oil_spill"], "研究员", "杭州市生态环境监测站", ""),
    (["land_search"], "教官", "浙江省陆地搜寻与救护杭州基地", "330106"),
    (["gas_pipeline"], "高级工程师", "杭城燃气集团", ""),
    (["power"], "高级工程师", "杭城供电公司", ""),
    (["special_equipment"], "高级工程师", "杭州市特种设备检测研究所", ""),
    (["special_equipment"], "工程师", "杭州电梯行业协会", "330106"),
    (["construction"], "教授级高级工程师", "杭城建工集团", ""),
    (["construction"], "高级工程师", "杭州地铁运营公司安全部", "330105"),
    (["construction"], "高级工程师", "上城区建设工程质量安全监督站", "330102"),
    (["medical"], "主任医师", "杭州市急救中心", ""),
    (["medical"], "主任医师", "杭州市城北人民医院", "330105"),
    (["medical", "hazchem"], "副主任医师", "杭州市职业病防治所", ""),
]


def _base_values(demo: Demo, key: str) -> dict[str, Any]:
    name, level, specialties, district, street, notes = BASES_DATA[key]
    lon, lat, street = demo.site(district, street)
    return {
        "name": name,
        "level": level,
        "specialties": specialties,
        "lon": lon,
        "lat": lat,
        "address": demo.address(district, street),
        "contact": people.contact(demo.rng),
        "notes": notes,
        "verified_at": demo.verified_at(),
    }


def load_bases(demo: Demo) -> None:
    """The rescue bases (国家级危化品基地, 运河和西湖水上, 陆地搜救, 矿山, 综合, 能源)."""
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
        district, street = where.split("/")
        lon, lat, street = demo.site(district, street)
        data.update(lon=lon, lat=lat)
    return data


def load_teams(demo: Demo) -> None:
    """Fifty teams across all eleven specialties in 拱墅区, 西湖区 and 上城区: fire and rescue
    stations, hazchem, water rescue on the Grand Canal and West Lake, gas and power repair,
    hospitals' emergency teams; some at bases, a few unavailable."""
    for row in _team_rows():
        registry.create(demo.session, SYSTEM, TEAMS, _team_values(demo, row))
        demo.counts["teams"] += 1


def load_experts(demo: Demo) -> None:
    """The expert pool (专家库), city-level unless a county keeps its own."""
    for specialties, title, organization, county in EXPERTS_DATA:
        where = demo.tree.county(county) if county else demo.tree.city
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
