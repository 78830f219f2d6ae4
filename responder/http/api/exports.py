"""Export: ``GET /api/v1/exports/{kind}.{csv|xlsx|geojson}``, with the list filters.

CSV (UTF-8 with a BOM, so Excel shows Chinese) and XLSX carry the import columns plus
export-only ones, so an exported file imports again unchanged.  Every cell goes through
:func:`~responder.http.api.cells.spreadsheet_cell` (formulas neutralised, control
characters removed), as the filing lists' exports do.  Depots are flattened to one
row per inventory line; GeoJSON has one Point feature per record (depots carry their lines
as an ``inventory`` list; hazard sources sit at their enterprise; experts have no geometry).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder import crs as crs_module
from responder.http.api.cells import spreadsheet_cell
from responder.http.api.common import list_query
from responder.http.api.depots import DepotArgs
from responder.http.api.enterprises import EnterpriseArgs, HazardSourceArgs
from responder.http.api.experts import ExpertArgs
from responder.http.api.teams import BaseArgs, TeamArgs
from responder.http.auth import current_actor
from responder.models import db
from responder.models.quantity import json_number
from responder.services import registry
from responder.services.sheets import SHEETS, Sheet, export_headers, export_rows

blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api/v1/exports",
    description="Export registry lists as CSV, XLSX or GeoJSON",
)

FILTERS = {
    "teams": TeamArgs,
    "bases": BaseArgs,
    "depots": DepotArgs,
    "enterprises": EnterpriseArgs,
    "hazard_sources": HazardSourceArgs,
    "experts": ExpertArgs,
}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


def _csv(headers: list[str], rows: Iterator[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=headers, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({key: spreadsheet_cell(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(sheet: Sheet, headers: list[str], rows: Iterator[dict[str, Any]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet.name)
    worksheet.append(headers)
    for row in rows:
        worksheet.append([spreadsheet_cell(row.get(name, "")) for name in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _geojson(sheet: Sheet, rows: Iterator[dict[str, Any]]) -> bytes:
    features: dict[Any, dict[str, Any]] = {}
    line_keys = (
        "material_code",
        "material_name_zh",
        "unit",
        "quantity",
        "expiry_date",
        "line_id",
        "line_updated_at",
        "line_verified_at",
    )
    for row in rows:
        line = {key: row.pop(key) for key in line_keys if key in row}
        feature = features.get(row["id"])
        if feature is None:
            point = row.get("lon") not in (None, "") and row.get("lat") not in (None, "")
            geometry = {"type": "Point", "coordinates": [row["lon"], row["lat"]]} if point else None
            feature = {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": row}
            if sheet.name == "depots":
                row["inventory"] = []
            features[row["id"]] = feature
        if sheet.name == "depots" and line.get("line_id"):
            feature["properties"]["inventory"].append(line)
    collection = {"type": "FeatureCollection", "features": list(features.values())}
    return json.dumps(collection, ensure_ascii=False, default=_json_value).encode("utf-8")


def _json_value(value: Any) -> Any:
    """Quantities as JSON numbers, dates and times as ISO text."""
    return json_number(value) if isinstance(value, Decimal) else str(value)


def _in_crs(rows: Iterator[dict[str, Any]], crs: str) -> Iterator[dict[str, Any]]:
    """Rows with ``lon``/``lat`` converted from the stored WGS-84 to ``crs`` (e.g. GCJ-02 for
    高德/腾讯 web maps).  The converted file imports back with the same ``crs``."""
    for row in rows:
        if crs != "wgs84" and row.get("lon") not in (None, "") and row.get("lat") not in (None, ""):
            lon, lat = crs_module.from_wgs84(float(row["lon"]), float(row["lat"]), crs)
            row = {**row, "lon": round(lon, 8), "lat": round(lat, 8)}
        yield row


def _with_crs(args_schema: type[Schema]) -> type[Schema]:
    """The list filters plus ``crs``: the coordinate system the file is written in."""
    crs_field = fields.String(
        load_default=crs_module.DEFAULT_CRS,
        validate=validate.OneOf(crs_module.CRS_CODES),
        metadata={"description": "coordinates of the file: wgs84 (stored), gcj02, bd09"},
    )
    return type(f"{args_schema.__name__}Export", (args_schema,), {"crs": crs_field})


def _add_export_route(name: str) -> None:
    sheet = SHEETS[name]
    args_schema = _with_crs(FILTERS[name])

    class Export(MethodView):
        @blp.arguments(args_schema, location="query")
        @blp.response(200)
        def get(self, args: dict[str, Any], fmt: str) -> Any:
            """Every record matching the list endpoint's filters (no paging); ``?crs=gcj02``
            writes GCJ-02 coordinates for Chinese web maps."""
            current_actor()
            crs = args.pop("crs", crs_module.DEFAULT_CRS)
            stmt = registry.list_query(
                sheet.kind, list_query(args, tuple(sheet.kind.filters), entity=sheet.kind.entity)
            )
            rows = _in_crs(export_rows(db.session, sheet, stmt), crs_module.check_crs(crs))
            if fmt == "csv":
                body = _csv(export_headers(sheet), rows)
            elif fmt == "xlsx":
                body = _xlsx(sheet, export_headers(sheet), rows)
            else:
                body = _geojson(sheet, rows)
            filename = f"{name}-{date.today().isoformat()}.{fmt}"
            return Response(
                body,
                mimetype=MEDIA_TYPES[fmt],
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )

    Export.__name__ = f"Export{name.title().replace('_', '')}"
    blp.route(f"/{name}.<any(csv, xlsx, geojson):fmt>", endpoint=f"export_{name}")(Export)


for _name in FILTERS:
    _add_export_route(_name)
