"""``flask jurisdictions import`` and ``flask onboard``: an office's own tree and roads.

Thin wrappers over :mod:`responder.services.jurisdiction_import` (the admin page calls the
same service) and :mod:`responder.services.road_overlap`.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from responder import crs as crs_module
from responder.errors import DomainError
from responder.models import db
from responder.models.base import begin_write
from responder.services import jurisdiction_import as service
from responder.services.actors import SYSTEM

jurisdictions_cli = AppGroup("jurisdictions", help="Import an office's jurisdiction tree.")

CRS_OPTION = click.option(
    "--crs",
    type=click.Choice(list(crs_module.CRS_CODES)),
    default=crs_module.DEFAULT_CRS,
    show_default=True,
    help="Datum of the file's coordinates; gcj02/bd09 are converted to WGS-84.",
)


def _echo_report(report: service.ImportReport | dict) -> None:
    data = report.as_dict() if isinstance(report, service.ImportReport) else report
    for item in data["features"]:
        boundary = "boundary" if item["boundary"] else "no boundary"
        note = f" — {item['note']}" if item["note"] else ""
        click.echo(
            f"#{item['index']:<3} {item['status']:<8} {item['code']:<12} {item['name']} "
            f"({item['level'] or '?'}, parent {item['parent_code'] or '-'}, {boundary}){note}"
        )


def features_for(
    file: Path | None,
    adcode: str | None,
    *,
    crs: str,
    fields: service.FieldMap,
    repair: bool,
    layer: str | None,
) -> list[service.Feature]:
    """The features an import of FILE and/or --adcode stands for (see the service)."""
    if file is None and adcode is None:
        raise click.UsageError("give a FILE, --adcode CODE, or both")
    return service.gather(file, adcode, crs=crs, fields=fields, repair=repair, layer=layer)


def run_import(features: list[service.Feature], *, dry_run: bool) -> service.ImportReport:
    """Import in one transaction; print the report; exit non-zero when refused."""
    try:
        begin_write(db.session)
        report = service.import_features(db.session, SYSTEM, features, dry_run=dry_run)
    except DomainError as error:
        db.session.rollback()
        if isinstance(error.details, dict) and "features" in error.details:
            _echo_report(error.details)
        raise click.ClickException(error.message) from error
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    _echo_report(report)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.counts.items()))
    click.echo(f"{'checked (dry run)' if dry_run else 'imported'}: {counts}")
    return report


@jurisdictions_cli.command("import")
@click.argument("file", required=False, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--adcode",
    help="Build this province/city/county's tree from geotool-cn (codes and names); "
    "boundaries come from FILE when given, matched by code.",
)
@CRS_OPTION
@click.option("--code-field", default="adcode", show_default=True)
@click.option("--name-field", default="name", show_default=True)
@click.option(
    "--level-field",
    default="level",
    show_default=True,
    help="province/city/district/street (DataV) or ours; missing: from the code.",
)
@click.option("--parent-field", default="parent_adcode", show_default=True)
@click.option("--layer", default=None, help="Layer of a GeoPackage.")
@click.option(
    "--repair/--no-repair",
    default=True,
    show_default=True,
    help="Repair invalid polygons with make_valid (else refuse them).",
)
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
def import_command(
    file: Path | None,
    adcode: str | None,
    crs: str,
    code_field: str,
    name_field: str,
    level_field: str,
    parent_field: str,
    layer: str | None,
    repair: bool,
    dry_run: bool,
) -> None:
    """Import jurisdictions from FILE (GeoJSON, Shapefile, GeoPackage) and/or --adcode.

    Every feature or none: the report names each feature and what happened to it.
    """
    fields = service.FieldMap(code_field, name_field, level_field, parent_field)
    try:
        features = features_for(file, adcode, crs=crs, fields=fields, repair=repair, layer=layer)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    run_import(features, dry_run=dry_run)


@click.command("onboard")
@click.option("--adcode", required=True, help="The office's province, city or county code.")
@click.option(
    "--roads",
    "roads_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OSM XML/PBF (or GraphML) of the office's area.",
)
@click.option(
    "--boundaries",
    type=click.Path(exists=True, path_type=Path),
    help="The office's boundary file (GeoJSON/Shapefile/GeoPackage), matched by code.",
)
@CRS_OPTION
@click.option("--region", default=None, help="Road region name (default: the REGION setting).")
@click.option("--force", is_flag=True, help="Compile the roads even if the overlap check fails.")
def onboard_command(
    adcode: str,
    roads_file: Path,
    boundaries: Path | None,
    crs: str,
    region: str | None,
    force: bool,
) -> None:
    """Set up a new office: its jurisdiction tree, its roads, and a check that they overlap.

    1. builds the tree of ADCODE from geotool-cn (boundaries from --boundaries if given);
    2. checks that the road file overlaps the stored boundaries (and is not datum-shifted);
    3. imports and compiles the roads into the region's cache.
    """
    from responder.commands import roads

    try:
        features = features_for(
            boundaries, adcode, crs=crs, fields=service.FieldMap(), repair=True, layer=None
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"1/3 jurisdictions of {adcode}")
    run_import(features, dry_run=False)
    click.echo("2/3 overlap of roads and boundaries")
    roads.check_overlap(roads_file, force=force)
    click.echo("3/3 roads")
    name = roads._region(region)
    cache = roads.compile_region(roads_file, name)
    roads._echo_meta(roads.read_meta(cache), cache)
    click.echo(f"onboarded {adcode}: restart the service to load region '{name}'")
