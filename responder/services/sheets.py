"""How each registry kind maps to spreadsheet rows, for bulk import and export.

One :class:`Sheet` per kind names its columns (the API field names, in file order), the
Chinese header aliases accepted on import and the export row; the row loaders (the row
validated, then the same service call as the API) are in
:mod:`responder.services.sheet_loaders`.  The validators are passed in (:data:`Validators`):
the HTTP layer builds them from the API's own marshmallow schemas
(:mod:`responder.http.api.sheets`) and leaves them in ``app.extensions[VALIDATORS_KEY]``, so
the API, the import page and the ``flask registry import`` command check a row alike
without anything here (or in ``commands/``) importing HTTP code.  A CSV export re-imports
cleanly: export-only columns (``id``, ``updated_at``, ``verified_at`` ...) are recognised and
ignored.

Header aliases (case, spaces and full-width brackets are ignored)::

    name               名称  队伍名称  基地名称  储备库名称  企业名称  单位名称  危险源名称  姓名
    specialties        专业  专业类型            (several: separated by ; or 、)
    level              级别
    kind               性质  队伍性质
    headcount          人数  队伍人数
    mobilization_min   出动准备时间  出动准备时间(分钟)  出动时间(分钟)
    status             状态
    base_id            基地编号  基地ID
    lon / lat          经度 / 纬度
    jurisdiction_code  行政区划代码  辖区代码  区划代码   (optional; else located from lon/lat)
    contact_name       联系人
    contact_phone      联系电话
    contact            联系方式
    phone              电话  手机
    equipment          装备  主要装备
    address            地址
    notes              备注
    operator           管理单位  运营单位
    material_code      物资代码  物资编码
    quantity           数量  库存数量
    expiry_date        有效期  有效期至  (ISO date, e.g. 2027-06-30)
    credit_code        统一社会信用代码  信用代码
    industry           行业  行业类别
    scale              规模
    grade              等级  危险源等级  级别 (hazard sources)
    substances         危险物质  物质  (``名称:吨数`` items separated by ; or 、)
    monitored          在线监控  是否监控   (是/否, true/false)
    title              职称
    organization       工作单位  单位

Enumerated cells accept the API code or its Chinese or English label (``县级`` = ``county``,
``一级`` = ``1``).  Depot files hold one row per inventory line, with the depot's columns
repeated; rows are grouped into one depot by name and jurisdiction (the first row's depot
columns count).  Hazard-source rows name their enterprise by ``credit_code``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from responder import crs
from responder.errors import InvalidInput
from responder.services.imports import Row, RowInvalid, normalize_header
from responder.services.registry import ResourceKind
from responder.services.resources import (
    BASES,
    DEPOTS,
    ENTERPRISES,
    EXPERTS,
    HAZARD_SOURCES,
    TEAMS,
)
from responder.vocabulary import (
    ENTERPRISE_SCALES,
    HAZARD_GRADES,
    INDUSTRIES,
    SPECIALTIES,
    TEAM_KINDS,
    TEAM_LEVELS,
    TEAM_STATUSES,
    Vocabulary,
)

#: Validates one row's API input: returns the loaded values or raises :class:`RowInvalid`
#: with ``(field, message)`` problems.
Validator = Callable[[dict[str, Any]], dict[str, Any]]
#: One validator per sheet name, plus :data:`LINE` for a depot row's inventory line.
Validators = Mapping[str, Validator]
#: The key of a depot row's inventory-line validator in :data:`Validators`.
LINE = "inventory_line"
#: Where the app keeps its :data:`Validators` (``app.extensions[VALIDATORS_KEY]``).
VALIDATORS_KEY = "responder.sheet_validators"

LIST_SEPARATORS = re.compile(r"[;；、]")

ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "名称",
        "队伍名称",
        "基地名称",
        "储备库名称",
        "企业名称",
        "单位名称",
        "危险源名称",
        "姓名",
    ),
    "specialties": ("专业", "专业类型"),
    "level": ("级别",),
    "kind": ("性质", "队伍性质"),
    "headcount": ("人数", "队伍人数"),
    "mobilization_min": ("出动准备时间", "出动准备时间(分钟)", "出动时间(分钟)"),
    "status": ("状态",),
    "base_id": ("基地编号", "基地ID"),
    "lon": ("经度",),
    "lat": ("纬度",),
    "jurisdiction_code": ("行政区划代码", "辖区代码", "区划代码"),
    "contact_name": ("联系人",),
    "contact_phone": ("联系电话",),
    "contact": ("联系方式",),
    "phone": ("电话", "手机"),
    "equipment": ("装备", "主要装备"),
    "address": ("地址",),
    "notes": ("备注",),
    "operator": ("管理单位", "运营单位"),
    "material_code": ("物资代码", "物资编码"),
    "quantity": ("数量", "库存数量"),
    "expiry_date": ("有效期", "有效期至"),
    "credit_code": ("统一社会信用代码", "信用代码"),
    "industry": ("行业", "行业类别"),
    "scale": ("规模",),
    "grade": ("等级", "危险源等级"),
    "substances": ("危险物质", "物质"),
    "monitored": ("在线监控", "是否监控"),
    "title": ("职称",),
    "organization": ("工作单位", "单位"),
}
#: An optional column naming the coordinate system of a row's lon/lat (WGS-84 when absent);
#: the cell takes a code of :data:`responder.crs.CRS_CODES` (``gcj02``) or its label.
CRS_ALIASES = ("crs", "坐标系", "坐标系统")
#: Per-kind aliases that differ from the table above.
KIND_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {"hazard_sources": {"grade": ("级别",)}}

BOOLEAN_WORDS = {"是": "true", "否": "false", "有": "true", "无": "false"}
READ_ONLY = (
    "id",
    "jurisdiction_id",
    "jurisdiction_name",
    "created_at",
    "updated_at",
    "verified_at",
    "retired_at",
)


@dataclass(frozen=True)
class Sheet:
    """One registry kind as a spreadsheet."""

    name: str  # URL name: teams, depots, hazard_sources ...
    kind: ResourceKind
    columns: tuple[str, ...]  # importable columns, in export order
    read_only: tuple[str, ...] = READ_ONLY  # export-only columns, ignored on import
    vocabularies: dict[str, Vocabulary] = field(default_factory=dict)
    list_columns: tuple[str, ...] = ()
    boolean_columns: tuple[str, ...] = ()

    def aliases(self) -> dict[str, str]:
        """Normalized header text -> field name, for :func:`services.imports.read_table`."""
        table = {normalize_header(name): name for name in self.columns}
        overrides = KIND_ALIASES.get(self.name, {})
        for name in self.columns:
            for alias in overrides.get(name, ALIASES.get(name, ())):
                table.setdefault(normalize_header(alias), name)
        if self.kind.located:
            for alias in CRS_ALIASES:
                table.setdefault(normalize_header(alias), "crs")
        return table

    def ignored(self) -> set[str]:
        return {normalize_header(name) for name in self.read_only}


# --- turning a row into API input ---------------------------------------------------------


def _translate(sheet: Sheet, name: str, text: str) -> str:
    """Accept a vocabulary's Chinese or English label for its code."""
    vocabulary = sheet.vocabularies.get(name)
    if vocabulary is None:
        return BOOLEAN_WORDS.get(text, text) if name in sheet.boolean_columns else text
    folded = text.strip().lower()
    for code, (zh, en) in vocabulary.items():
        if folded in (code.lower(), zh.lower(), en.lower()):
            return code
    return text


def _crs_code(text: str) -> str:
    """A coordinate-system cell: a code (``gcj02``, ``GCJ-02``) or the start of its label."""
    for code, label in crs.CRS_LABELS.items():
        if text.strip() and label.upper().startswith(text.strip().upper()):
            return code
    return crs.check_crs(text)


def _to_wgs84(data: dict[str, Any]) -> dict[str, Any]:
    """Convert the row's lon/lat from the coordinate system its ``crs`` cell names."""
    name = data.pop("crs", None)
    if name is None:
        return data
    try:
        system = _crs_code(str(name))
    except crs.UnknownCRS as exc:
        raise RowInvalid([("crs", str(exc))]) from exc
    try:
        lon, lat = float(data["lon"]), float(data["lat"])
    except (KeyError, ValueError):
        return data  # the schema names the missing or malformed coordinate
    if system != crs.DEFAULT_CRS and -180 <= lon <= 180 and -90 <= lat <= 90:
        lon, lat = crs.to_wgs84(lon, lat, system)
        data.update(lon=round(lon, 7), lat=round(lat, 7))
    return data


def row_input(sheet: Sheet, row: Row) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, text in row.values.items():
        if name in sheet.list_columns:
            data[name] = [
                _translate(sheet, name, p.strip()) for p in LIST_SEPARATORS.split(text) if p.strip()
            ]
        else:
            data[name] = _translate(sheet, name, text)
    return _to_wgs84(data)


#: A depot row's inventory-line columns (after the depot's own).
LINE_COLUMNS = ("material_code", "quantity", "expiry_date")


# --- export rows --------------------------------------------------------------------------


def _when(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _common(record: Any) -> dict[str, Any]:
    jurisdiction = getattr(record, "jurisdiction", None)
    return {
        "id": record.id,
        "jurisdiction_id": getattr(record, "jurisdiction_id", ""),
        "jurisdiction_code": jurisdiction.code if jurisdiction is not None else "",
        "jurisdiction_name": jurisdiction.name if jurisdiction is not None else "",
        "created_at": _when(record.created_at),
        "updated_at": _when(record.updated_at),
        "verified_at": _when(record.verified_at),
        "retired_at": _when(record.retired_at),
    }


def _plain(sheet: Sheet, record: Any) -> dict[str, Any]:
    row = _common(record)
    for name in sheet.columns:
        if name in row:
            continue
        value = getattr(record, name, "")
        if name in sheet.list_columns and all(isinstance(item, str) for item in value or []):
            value = ";".join(value or [])
        row[name] = "" if value is None else value
    return row


def _hazard_row(sheet: Sheet, record: Any) -> dict[str, Any]:
    enterprise = record.enterprise
    row = _plain(sheet, record)
    row.update(
        jurisdiction_id=enterprise.jurisdiction_id,
        jurisdiction_code=enterprise.jurisdiction.code,
        jurisdiction_name=enterprise.jurisdiction.name,
        credit_code=enterprise.credit_code,
        enterprise_name=enterprise.name,
        lon=enterprise.lon,
        lat=enterprise.lat,
        substances=";".join(
            f"{s['name']}:{s['quantity_t']:g}" if s.get("quantity_t") is not None else s["name"]
            for s in record.substances or []
        ),
    )
    return row


def _depot_rows(sheet: Sheet, depot: Any) -> Iterator[dict[str, Any]]:
    """One row per inventory line (a depot without stock gives one row without a line)."""
    base = _plain(sheet, depot)
    if not depot.lines:
        yield base
    for line in depot.lines:
        yield {
            **base,
            "material_code": line.material.code,
            "material_name_zh": line.material.name_zh,
            "unit": line.material.unit,
            "quantity": line.quantity,
            "expiry_date": _when(line.expiry_date),
            "line_id": line.id,
            "line_updated_at": _when(line.updated_at),
            "line_verified_at": _when(line.verified_at),
        }


DEPOT_COLUMNS = (
    "name",
    "operator",
    "level",
    "base_id",
    "lon",
    "lat",
    "jurisdiction_code",
    "address",
    "contact",
)

SHEETS: dict[str, Sheet] = {
    sheet.name: sheet
    for sheet in (
        Sheet(
            "teams",
            TEAMS,
            (
                "name",
                "specialties",
                "level",
                "kind",
                "headcount",
                "mobilization_min",
                "status",
                "base_id",
                "lon",
                "lat",
                "jurisdiction_code",
                "contact_name",
                "contact_phone",
                "equipment",
            ),
            read_only=(*READ_ONLY, "status_changed_at"),
            vocabularies={
                "specialties": SPECIALTIES,
                "level": TEAM_LEVELS,
                "kind": TEAM_KINDS,
                "status": TEAM_STATUSES,
            },
            list_columns=("specialties",),
        ),
        Sheet(
            "bases",
            BASES,
            (
                "name",
                "specialties",
                "level",
                "lon",
                "lat",
                "jurisdiction_code",
                "address",
                "contact",
                "notes",
            ),
            vocabularies={"specialties": SPECIALTIES, "level": TEAM_LEVELS},
            list_columns=("specialties",),
        ),
        Sheet(
            "depots",
            DEPOTS,
            (*DEPOT_COLUMNS, *LINE_COLUMNS),
            read_only=(
                *READ_ONLY,
                "material_name_zh",
                "unit",
                "line_id",
                "line_updated_at",
                "line_verified_at",
            ),
            vocabularies={"level": TEAM_LEVELS},
        ),
        Sheet(
            "enterprises",
            ENTERPRISES,
            (
                "name",
                "credit_code",
                "industry",
                "scale",
                "lon",
                "lat",
                "jurisdiction_code",
                "address",
                "contact",
            ),
            vocabularies={"industry": INDUSTRIES, "scale": ENTERPRISE_SCALES},
        ),
        Sheet(
            "hazard_sources",
            HAZARD_SOURCES,
            ("credit_code", "name", "grade", "substances", "monitored"),
            read_only=(*READ_ONLY, "enterprise_name", "lon", "lat", "jurisdiction_code"),
            vocabularies={"grade": HAZARD_GRADES},
            list_columns=("substances",),
            boolean_columns=("monitored",),
        ),
        Sheet(
            "experts",
            EXPERTS,
            ("name", "specialties", "title", "organization", "phone", "jurisdiction_code"),
            vocabularies={"specialties": SPECIALTIES},
            list_columns=("specialties",),
        ),
    )
}


def sheet_for(name: str) -> Sheet:
    sheet = SHEETS.get(name)
    if sheet is None:
        raise InvalidInput(f"unknown kind '{name}'; one of {', '.join(SHEETS)}", field="kind")
    return sheet


def export_rows(session: Session, sheet: Sheet, stmt: Select[Any]) -> Iterator[dict[str, Any]]:
    """The rows of a filtered list statement, flattened for CSV/XLSX."""
    for record in session.scalars(stmt).unique():
        if sheet.name == "depots":
            yield from _depot_rows(sheet, record)
        elif sheet.name == "hazard_sources":
            yield _hazard_row(sheet, record)
        else:
            yield _plain(sheet, record)


def export_headers(sheet: Sheet) -> list[str]:
    """Column order of an export: id, the importable columns, then export-only columns."""
    extra = [name for name in sheet.read_only if name not in ("id", *sheet.columns)]
    return ["id", *sheet.columns, *extra]
