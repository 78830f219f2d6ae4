"""The controlled vocabularies of the domain: codes (English, used by the API) and labels.

Codes never change; labels are what pages show (Chinese first, English second).  See
``docs/domain.md`` for where each list comes from.  Configurable *numbers* (default
mobilization times, arrival standards, filing rules) live in :mod:`responder.rules`.
"""

from __future__ import annotations

Vocabulary = dict[str, tuple[str, str]]

SPECIALTIES: Vocabulary = {
    "hazchem": ("危险化学品", "Hazardous chemicals"),
    "mine": ("矿山", "Mine"),
    "fire": ("消防", "Fire"),
    "water": ("水上/水域", "Water"),
    "land_search": ("陆地搜寻与救护", "Land search and rescue"),
    "oil_spill": ("海上溢油", "Oil spill"),
    "gas_pipeline": ("油气管道/燃气", "Oil and gas pipeline"),
    "power": ("电力抢修", "Power repair"),
    "special_equipment": ("特种设备", "Special equipment"),
    "construction": ("建筑施工/工程抢险", "Construction"),
    "medical": ("医疗救护", "Medical"),
}

#: Units of the material catalog (``materials.CATALOG``); a unit an admin typed that is not
#: here (say 箱) is shown as typed.
MATERIAL_UNITS: Vocabulary = {
    "t": ("吨", "t"),
    "m": ("米", "m"),
    "kg": ("千克", "kg"),
    "set": ("套", "set"),
    "unit": ("台", "unit"),
    "piece": ("个", "piece"),
}

TEAM_LEVELS: Vocabulary = {
    "national": ("国家级", "National"),
    "provincial": ("省级", "Provincial"),
    "municipal": ("市级", "Municipal"),
    "county": ("县级", "County"),
    "enterprise": ("企业", "Enterprise"),
}

TEAM_KINDS: Vocabulary = {
    "professional": ("专职", "Full-time professional"),
    "quasi_professional": ("准专业", "Quasi-professional"),
    "part_time": ("兼职", "Part-time"),
    "volunteer": ("志愿", "Volunteer"),
    "contracted": ("市场化/政府购买服务", "Contracted"),
}

TEAM_STATUSES: Vocabulary = {
    "available": ("待命", "Available"),
    "dispatched": ("出动", "Dispatched"),
    "on_scene": ("到场", "On scene"),
    "returning": ("返回", "Returning"),
    "unavailable": ("休整/维修", "Unavailable"),
}

JURISDICTION_LEVELS: Vocabulary = {
    "province": ("省", "Province"),
    "city": ("市", "City"),
    "county": ("县(市、区)", "County/district"),
    "township": ("乡镇(街道)", "Township/street"),
    "grid": ("网格", "Grid"),
}
#: Depth of each level in the tree; a child must be strictly deeper than its parent.
LEVEL_DEPTH = {level: depth for depth, level in enumerate(JURISDICTION_LEVELS)}

INDUSTRIES: Vocabulary = {
    "coal_mine": ("煤矿", "Coal mine"),
    "non_coal_mine": ("非煤矿山", "Non-coal mine"),
    "hazchem_production": ("危险化学品生产", "Hazchem production"),
    "hazchem_storage": ("危险化学品储存", "Hazchem storage"),
    "hazchem_operation": ("危险化学品经营", "Hazchem trading"),
    "hazchem_use": ("危险化学品使用", "Hazchem use"),
    "hazchem_transport": ("危险化学品运输", "Hazchem transport"),
    "fireworks": ("烟花爆竹", "Fireworks"),
    "civil_explosives": ("民用爆炸物品", "Civil explosives"),
    "construction": ("建筑施工", "Construction"),
    "metal_smelting": ("金属冶炼", "Metal smelting"),
    "oil_gas_pipeline": ("油气输送管道", "Oil and gas pipeline"),
    "crowded_place": ("人员密集场所", "Crowded place"),
    "urban_rail": ("城市轨道交通运营", "Urban rail transit operation"),
    "industry_trade": ("工贸", "Industry and trade"),
}

ENTERPRISE_SCALES: Vocabulary = {
    "above": ("规上", "Above designated size"),
    "below": ("规下", "Below designated size"),
}

HAZARD_GRADES: Vocabulary = {
    "1": ("一级", "Grade 1 (highest)"),
    "2": ("二级", "Grade 2"),
    "3": ("三级", "Grade 3"),
    "4": ("四级", "Grade 4"),
}

INCIDENT_TYPES: Vocabulary = {
    "hazchem_leak": ("危险化学品泄漏", "Hazchem leak"),
    "fire_explosion": ("火灾爆炸", "Fire or explosion"),
    "mine_accident": ("矿山事故", "Mine accident"),
    "tailings_dam_failure": ("尾矿库溃坝", "Tailings dam failure"),
    "collapse": ("坍塌", "Collapse"),
    "water_accident": ("水上事故", "Water accident"),
    "oil_spill": ("溢油", "Oil spill"),
    "pipeline_leak": ("油气管道泄漏", "Pipeline leak"),
    "confined_space": ("有限空间中毒窒息", "Confined-space poisoning"),
    "dust_explosion": ("粉尘爆炸", "Dust explosion"),
    "special_equipment": ("特种设备事故", "Special-equipment accident"),
    "power_outage": ("大面积停电", "Large-scale power outage"),
    "hazmat_transport": ("危化品运输事故", "Hazmat transport accident"),
}

SEVERITIES: Vocabulary = {
    "general": ("一般", "General"),
    "larger": ("较大", "Larger"),
    "major": ("重大", "Major"),
    "especially_major": ("特别重大", "Especially major"),
}

PLAN_TYPES: Vocabulary = {
    "comprehensive": ("综合应急预案", "Comprehensive plan"),
    "special": ("专项应急预案", "Special plan"),
    "on_site": ("现场处置方案", "On-site disposal scheme"),
    "response_card": ("应急处置卡", "Response card"),
}

PLAN_OWNER_KINDS: Vocabulary = {
    "enterprise": ("生产经营单位", "Enterprise"),
    "government": ("政府及部门", "Government body"),
}

PLAN_STATUSES: Vocabulary = {
    "draft": ("草稿", "Draft"),
    "submitted": ("已报送", "Submitted"),
    "filed": ("已备案", "Filed"),
    "returned": ("已退回", "Returned"),
    "superseded": ("已修订替代", "Superseded"),
    "withdrawn": ("已撤回", "Withdrawn"),
}

#: Filing materials (办法 Art 27; 2024 办法 for government plans): a document's role.
PLAN_MATERIALS: Vocabulary = {
    "application_form": ("备案申请表", "Filing application form"),
    "review_opinion": ("评审（论证）意见", "Review opinion"),
    "plan_text": ("应急预案文本", "Plan text"),
    "risk_assessment": ("风险评估结果", "Risk assessment"),
    "resource_survey": ("应急资源调查清单", "Emergency-resource survey"),
    "drafting_notes": ("编制说明", "Drafting notes"),
    "other": ("其他材料", "Other material"),
}

#: Drill forms (办法 Art 33): a tabletop exercise or a live one.
DRILL_KINDS: Vocabulary = {
    "tabletop": ("桌面演练", "Tabletop drill"),
    "live": ("实战演练", "Live drill"),
}

#: A plan's filing state as lists show it (``deemed_filed``: submitted, complete, and the
#: authority's check window passed without an answer: 视为已经备案).
FILING_STATES: Vocabulary = {
    "deemed_filed": ("视为已备案", "Deemed filed"),
    "awaiting_check": ("待审核", "Awaiting check"),
    "incomplete": ("材料不全", "Incomplete materials"),
}

FILING_LISTS: Vocabulary = {
    "missing": ("未备案企业", "Required enterprises without a valid filed plan"),
    "overdue_evaluation": ("预案评估逾期", "Plans overdue for evaluation"),
    "overdue_drill": ("演练逾期", "Plans overdue for a drill"),
    "filed_late": ("逾期备案", "Plans filed late"),
}

ROLES: Vocabulary = {
    "admin": ("管理员", "Administrator"),
    "operator": ("值班员", "Command-center operator"),
    "clerk": ("预案备案管理员", "Plan filing clerk"),
    "drill_organizer": ("演练组织者", "Drill organizer"),
    "enterprise_staff": ("企业填报人员", "Enterprise staff"),
    "viewer": ("只读用户", "Viewer"),
}


def label(vocabulary: Vocabulary, code: str, locale: str = "zh") -> str:
    """The display label of ``code`` in ``locale`` ('zh' or 'en'); the code itself if unknown."""
    pair = vocabulary.get(code)
    if pair is None:
        return code
    return pair[1] if locale.startswith("en") else pair[0]
