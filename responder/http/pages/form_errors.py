"""Validation messages in the page's language.

The API answers in English (marshmallow's messages and the services' own); a page in English
shows exactly those words beside the field, so page and API say the same thing.  A page in
Chinese words the common ones in Chinese; a message not known here is shown as the API
gives it, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from responder.localization import current_language

Rewrite = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, template: str) -> Rewrite:
    return re.compile(pattern), lambda m: template.format(*m.groups())


CHINESE: tuple[Rewrite, ...] = (
    _rule(r"^Missing data for required field\.$", "必填"),
    _rule(r"^Field may not be null\.$", "必填"),
    _rule(r"^Not a valid integer\.$", "不是有效的整数"),
    _rule(r"^Not a valid number\.$", "不是有效的数字"),
    _rule(r"^Not a valid date\.$", "不是有效的日期"),
    _rule(r"^Not a valid datetime\.$", "不是有效的时间"),
    _rule(r"^Not a valid boolean\.$", "必须是“是”或“否”"),
    _rule(r"^Not a valid string\.$", "不是有效的文本"),
    _rule(
        r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$",
        "必须在 {} 到 {} 之间",
    ),
    _rule(r"^Must be greater than or equal to (\S+)\.$", "不能小于 {}"),
    _rule(r"^Must be less than or equal to (\S+)\.$", "不能大于 {}"),
    _rule(r"^Must be one of: (.+)\.$", "必须是以下之一：{}"),
    _rule(r"^Length must be between (\d+) and (\d+)\.$", "长度必须在 {} 到 {} 个字符之间"),
    _rule(r"^Length must be (\d+)\.$", "长度必须是 {} 个字符"),
    _rule(r"^Shorter than minimum length (\d+)\.$", "至少 {} 项"),
    _rule(r"^Longer than maximum length (\d+)\.$", "不能超过 {} 个字符"),
    _rule(r"^Unknown field\.$", "不认识的字段"),
    _rule(
        r"^a (\w+) named '(.+)' already exists in this jurisdiction$",
        "本行政区划已有同名记录“{1}”",
    ),
    _rule(r"^(.+) is outside your jurisdiction$", "超出您的管辖范围"),
    _rule(r"^role '(\w+)' may not do this \((.+)\)$", "您的角色无权进行此操作（{1}）"),
    _rule(r"^expected_back_at must be in the future$", "预计恢复时间必须晚于现在"),
    _rule(r"^(\w+) applies only to an unavailable team$", "只有不可用的队伍才能填写此项"),
    _rule(r"^credit_code (.+)$", "统一社会信用代码有误：{}"),
    _rule(r"^an enterprise with credit code (\w+) already exists$", "信用代码 {} 已登记"),
    _rule(r"^material code '(.+)' already exists$", "物资代码“{}”已存在"),
    _rule(
        r"^code must be 2-40 lower-case letters, digits or _$", "代码须为 2-40 位小写字母、数字或 _"
    ),
    _rule(r"^a location needs both lon and lat$", "位置需要经度和纬度"),
    _rule(r"^a team needs a location \(lon, lat\) or a base_id$", "请填写位置或选择所属基地"),
    _rule(r"^(\w+) (\d+) does not exist$", "所选记录不存在（{0} {1}）"),
    _rule(r"^quantity must be a non-negative number$", "数量不能为负数"),
    _rule(
        r"^(\d+) of (\d+) rows have problems; nothing was imported$",
        "{1} 行中有 {0} 行有问题，未导入任何记录",
    ),
    _rule(
        r"^(\d+) problem\(s\) in the header row; nothing was imported$",
        "表头有 {} 处问题，未导入任何记录",
    ),
    _rule(r"^unknown column$", "不认识的列"),
    _rule(r"^repeats column '(.+)'$", "与列“{}”重复"),
    _rule(r"^the file is empty$", "文件是空的"),
    _rule(r"^the file has a header but no data rows$", "文件只有表头，没有数据行"),
    _rule(
        r"^depot already has a line of (\S+) with expiry (\S+); adjust that line instead$",
        "该库已有同一物资、同一有效期的库存行（{0}，{1}），请修改那一行",
    ),
    _rule(r"^the team's status changed meanwhile .*$", "队伍状态已被他人或调度改变，请刷新后重试"),
    _rule(
        r"^a team moves into or out of '(\w+)' only through its incident.*$",
        "出动、到场、返回状态只能通过事件调度改变",
    ),
    # the jurisdiction tree
    _rule(
        r"^code '(.+)' is not a valid (\w+) administrative code$",
        "“{0}”不是该级别的有效行政区划代码",
    ),
    _rule(r"^jurisdiction code '(.+)' already exists$", "行政区划代码“{}”已存在"),
    _rule(r"^must be an administrative code of 6 to 12 digits$", "行政区划代码须为 6 至 12 位数字"),
    _rule(r"^a (\w+) cannot sit under a (\w+)$", "级别必须低于上级区划的级别"),
    _rule(
        r"^a jurisdiction cannot move under itself or one of its own subdivisions$",
        "不能移到本区划自身或其下级之下",
    ),
    _rule(r"^boundary is not JSON: .*$", "边界文件不是有效的 JSON"),
    _rule(
        r"^boundary must be a GeoJSON Polygon or MultiPolygon$",
        "边界必须是 GeoJSON 面（Polygon 或 MultiPolygon）",
    ),
    _rule(r"^boundary geometry is malformed: (.+)$", "边界几何有误：{}"),
    _rule(r"^boundary coordinates are out of range$", "边界坐标超出经纬度范围"),
    _rule(r"^boundary polygon is empty or self-intersecting$", "边界多边形为空或自相交"),
    # Drill editor and report (h13c).
    _rule(
        r"^at_min must be a number of minutes between 0 and (\d+)$", "必须是 0 到 {} 之间的分钟数"
    ),
    _rule(r"^pick the closed road on the map \(lon, lat\)$", "请在地图上点击要封闭的道路"),
    _rule(r"^no road within (\S+) m there to close$", "该处 {} 米内没有可封闭的道路"),
    _rule(r"^lon must be within \[-180, 180\]$", "请在地图上选择有效的位置"),
    _rule(r"^unknown inject kind '(.*)'.*$", "未知的注入类型“{}”"),
    _rule(r"^the incident is already (\w+): raise it to a higher grade$", "请选择比当前更高的等级"),
    _rule(r"^incident (\S+) is not one of this drill's incidents$", "请选择本演练中的一起事故"),
    _rule(
        r"^the incident starts at \+(\S+) min: raise it at or after that$",
        "事故在开始后 {} 分钟发生，升级时间不能早于此",
    ),
    _rule(r"^say what is to be done$", "请填写整改措施"),
    _rule(r"^name who owns the action$", "请填写责任人"),
    _rule(r"^give the action a due date$", "请填写完成期限"),
    _rule(r"^write what went well, the gaps or an action$", "请至少填写一项评估内容"),
    _rule(r"^save the evaluation first$", "请先保存演练评估"),
    _rule(r"^tick the plans this drill exercised$", "请勾选本次演练涉及的预案"),
    _rule(
        r"^this run is already recorded as a drill of plan (\d+)$", "本次运行已记录为预案 {} 的演练"
    ),
)


def in_chinese(message: str) -> str:
    """``message`` (an API message) in Chinese where a rule knows it; else unchanged."""
    for pattern, rewrite in CHINESE:
        match = pattern.match(message)
        if match:
            return rewrite(match)
    return message


def localized(message: str) -> str:
    """The message for the page being served: as the API says it in English, or in Chinese."""
    return message if current_language() == "en" else in_chinese(message)
