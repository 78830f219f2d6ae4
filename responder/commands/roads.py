"""``flask roads ...``: import and inspect road networks (thin wrappers over routing)."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from responder.models import db
from responder.routing import (
    CacheError,
    DownloadError,
    UnsupportedSource,
    download_place,
    ensure_compiled,
    read_meta,
)
from responder.routing.names import ensure_road_names
from responder.services import road_overlap

roads_cli = AppGroup("roads", help="Import and inspect road networks.")


def _maps_dir() -> Path:
    return Path(current_app.config["MAPS_DIR"])


def _region(region: str | None) -> str:
    name = region or current_app.config.get("REGION") or "demo"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise click.BadParameter("use letters, digits, '-' and '_' only", param_hint="--region")
    return name


def check_overlap(path: Path, *, force: bool) -> None:
    """Refuse a road file that misses the stored jurisdictions or looks datum-shifted
    against them (unless ``force``); say what was compared."""
    overlap = None
    if "sqlalchemy" in current_app.extensions:  # an app without a database stores nothing
        try:
            overlap = road_overlap.check(db.session, road_overlap.road_points(path))
        except SQLAlchemyError:  # no tables yet (before `db upgrade`): nothing stored
            db.session.rollback()
    if overlap is None:
        click.echo("overlap: no jurisdiction boundaries stored; nothing to compare")
        return
    if overlap.problem is None:
        click.echo(
            f"overlap: {1 - overlap.outside:.1%} of {overlap.points} sampled road points lie "
            "inside the stored boundaries"
        )
        return
    if not force:
        raise click.ClickException(f"{path.name}: {overlap.problem} (--force imports anyway)")
    click.echo(f"warning: {overlap.problem}; importing anyway (--force)", err=True)


def compile_region(path: Path, name: str) -> Path:
    """Compile ``path`` into MAPS_DIR/cache/NAME with a progress bar; return the cache."""
    with click.progressbar(length=100, label=f"importing {path.name}") as bar:

        def progress(stage: str, done: float) -> None:
            bar.label = f"importing {path.name}: {stage}"
            bar.update(int(done * 100) - bar.pos)

        cache = ensure_compiled(
            path,
            _maps_dir() / "cache" / name,
            current_app.config.get("SPEED_TABLE"),
            progress=progress,
        )
        ensure_road_names(cache, source=path)  # street names, beside the compiled arrays
        return cache


@roads_cli.command("import")
@click.argument(
    "path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--region", help="Region name; the cache goes to MAPS_DIR/cache/REGION.")
@click.option("--place", help="Download this place with osmnx instead (needs internet).")
@click.option(
    "--force",
    is_flag=True,
    help="Import even if the roads miss the stored jurisdictions or look datum-shifted.",
)
def import_command(path: Path | None, region: str | None, place: str | None, force: bool) -> None:
    """Compile PATH (.osm, .osm.bz2, .osm.pbf, .graphml) or --place into the cache.

    When jurisdictions with boundaries are stored, the roads must overlap them (and not
    look shifted like GCJ-02 against WGS-84), or the import is refused.
    """
    if (path is None) == (place is None):
        raise click.UsageError("give either PATH or --place")
    name = _region(region)
    try:
        if place is not None:
            click.echo(f"downloading {place!r} with osmnx ...")
            path = download_place(place, _maps_dir() / name / f"{name}.graphml")
        assert path is not None
        check_overlap(path, force=force)
        cache = compile_region(path, name)
    except (DownloadError, UnsupportedSource, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    _echo_meta(read_meta(cache), cache)


@roads_cli.command("info")
@click.option("--region", help="Region name (default: the REGION setting).")
def info_command(region: str | None) -> None:
    """Show the compiled road network of a region."""
    cache = _maps_dir() / "cache" / _region(region)
    try:
        meta = read_meta(cache)
    except CacheError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo_meta(meta, cache)


def _echo_meta(meta: dict, cache: Path) -> None:
    info = meta.get("info", {})
    report = info.get("import", {})
    click.echo(f"region cache: {cache}")
    click.echo(f"version:      {meta['version']}")
    click.echo(f"source:       {info.get('source', '?')} ({info.get('source_format', '?')})")
    click.echo(f"nodes/edges:  {meta['node_count']} / {meta['edge_count']}")
    click.echo("bounds:       " + ", ".join(f"{b:.5f}" for b in meta["bounds"]))
    if report:
        click.echo(
            f"dropped:      {report['edges_not_drivable']} non-drivable edges; "
            f"{report['nodes_dropped']} nodes / {report['edges_dropped']} edges outside "
            "the largest strongly connected component"
        )
