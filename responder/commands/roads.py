"""``flask roads ...``: import and inspect road networks (thin wrappers over routing)."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from responder.routing import (
    CacheError,
    DownloadError,
    UnsupportedSource,
    download_place,
    ensure_compiled,
    read_meta,
)

roads_cli = AppGroup("roads", help="Import and inspect road networks.")


def _maps_dir() -> Path:
    return Path(current_app.config["MAPS_DIR"])


def _region(region: str | None) -> str:
    name = region or current_app.config.get("REGION") or "demo"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise click.BadParameter("use letters, digits, '-' and '_' only", param_hint="--region")
    return name


@roads_cli.command("import")
@click.argument(
    "path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--region", help="Region name; the cache goes to MAPS_DIR/cache/REGION.")
@click.option("--place", help="Download this place with osmnx instead (needs internet).")
def import_command(path: Path | None, region: str | None, place: str | None) -> None:
    """Compile PATH (.osm, .osm.bz2, .osm.pbf, .graphml) or --place into the cache."""
    if (path is None) == (place is None):
        raise click.UsageError("give either PATH or --place")
    name = _region(region)
    try:
        if place is not None:
            click.echo(f"downloading {place!r} with osmnx ...")
            path = download_place(place, _maps_dir() / name / f"{name}.graphml")
        assert path is not None
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
