"""`flask --app server orgs import FILE.csv|FILE.xlsx` and `orgs export FILE`: the tree through the
back end's API (BACKEND_URL; it must be running), all rows or none as the staff import."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from unionkit.backend_client import BackendRejected, BackendUnavailable

orgs_cli = AppGroup("orgs", help="Import and export the organisation tree.")


@orgs_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Mark the organisations as demo data.")
def import_cmd(path: Path, demo: bool):
    """Import (create or update by code) every row of the file, or nothing."""
    backend = current_app.extensions["union_backend"]
    try:
        result = backend.upload("/v1/orgs/import", path.name, path.read_bytes(), demo=demo)
    except BackendRejected as exc:
        for p in (exc.body or {}).get("problems", []):
            click.echo(f"row {p['row']}: {p['field']}: {p['code']}", err=True)
        raise click.ClickException("nothing was imported") from exc
    except BackendUnavailable as exc:
        raise click.ClickException(f"the back end does not answer ({exc}); start it first") from exc
    click.echo(f"imported {result['rows']} rows: {result['created']} created, {result['updated']} updated")


@orgs_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_cmd(path: Path):
    """Write the tree to PATH (.xlsx or .csv by its name)."""
    backend = current_app.extensions["union_backend"]
    kind = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    path.write_bytes(backend.download("/v1/orgs/export", format=kind))
    click.echo(f"wrote {path}")
