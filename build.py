#!/usr/bin/env python3
"""Command line: build, validate, serve and publish the report site from its data packages; import figures.

Exit status: 0 success, 2 bad input (one line per problem, no traceback), 1 internal fault.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from plantracker.exit_status import EXIT_BAD_INPUT, ExitStatusGroup
from plantracker.progress import Progress

# Each command imports its stages when it runs, not here: a build's helper processes (chart
# workers, MkDocs, validation) start with `spawn`, which imports this file again in each of them,
# and the pipeline's imports (DuckDB, Jinja, the stages) cost about half a second of CPU there.
REPO_ROOT = Path(__file__).resolve().parent  # plantracker.pipeline.REPO_ROOT
FOLDER, FILE = click.Path(path_type=Path, file_okay=False), click.Path(path_type=Path, dir_okay=False)


def _options(data: Path, out: Path, work: Path | None = None, previous: Path | None = None):
    from plantracker.pipeline import BuildOptions
    return BuildOptions(data_dir=data, out_dir=out, work_dir=work or REPO_ROOT / "build", previous_dir=previous)


data_option = click.option("--data", type=FOLDER, default=REPO_ROOT / "datapackages", show_default="datapackages/",
                           help="Folder holding one data package per plan.")
out_option = click.option("--out", type=FOLDER, default=REPO_ROOT / "site", show_default="site/",
                          help="Where the built site goes (replaced only on success).")
work_option = click.option("--work", type=FOLDER, help="Work folder for generated pages and files [default: build/].")
previous_option = click.option("--previous", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
                               help="Folder of the previous release's data packages, for the \"What changed\" page "
                                    "[default: the newest older release published on gh-pages].")


@click.group(cls=ExitStatusGroup, invoke_without_command=True)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@data_option
@out_option
@click.pass_context
def cli(ctx: click.Context, debug: bool, data: Path, out: Path) -> None:
    """Build the plan-tracking report site from the data packages.

    With no command, builds (`python build.py --data DIR --out DIR` is `build`)."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if ctx.invoked_subcommand is None:
        ctx.invoke(build, data=data, out=out, work=None, previous=None, quiet=False)


@cli.command()
@data_option
@out_option
@work_option
@previous_option
@click.option("--quiet", is_flag=True, help="No progress lines.")
def build(data: Path, out: Path, work: Path | None, previous: Path | None, quiet: bool) -> None:
    """Validate, load, query, chart, render and build the site into --out."""
    from plantracker.pipeline import build as build_site
    result = build_site(_options(data, out, work, previous), Progress(quiet))
    if not quiet:
        click.echo(f"built release {result.release.version}: {result.pages} pages, {result.charts} charts -> {out}", err=True)


@cli.command()
@data_option
@click.option("--json", "as_json", is_flag=True, help='Print {"valid", "count", "problems": [...]} on stdout.')
@click.pass_context
def validate(ctx: click.Context, data: Path, as_json: bool) -> None:
    """Check the data packages, release.toml and CITATION.cff against it; print every problem."""
    from plantracker.pipeline import validate as validate_input
    from plantracker.problems import problems_json
    ctx.obj["json"] = as_json
    release = validate_input(_options(data, REPO_ROOT / "site"))
    if as_json:
        click.echo(problems_json([]))
    click.echo(f"valid: release {release.version}, packages in {data}", err=True)


@cli.command()
@click.option("--release", "release_file", type=FILE, default=REPO_ROOT / "release.toml", show_default="release.toml",
              help="The release declaration to copy from.")
@click.option("--file", "citation_file", type=FILE, default=REPO_ROOT / "CITATION.cff", show_default="CITATION.cff",
              help="The citation file to update.")
def citation(release_file: Path, citation_file: Path) -> None:
    """Copy the release's version, date and URL from release.toml into CITATION.cff (nothing else changes)."""
    from plantracker.citation_cff import update_citation
    release, changed = update_citation(release_file, citation_file)
    click.echo(f"{citation_file.name}: version {release.version}, date-released {release.date}, url {release.url} "
               f"({'updated' if changed else 'already up to date'})", err=True)


@cli.command()
@data_option
@work_option
@previous_option
@click.option("--port", default=8000, show_default=True)
@click.pass_context
def serve(ctx: click.Context, data: Path, work: Path | None, previous: Path | None, port: int) -> None:
    """Build a preview into <work>/preview/, serve it on 127.0.0.1 and rebuild what changed when data,
    templates, site_src or release.toml change; open tabs reload themselves (Enter: a clean build)."""
    from plantracker.preview import serve_and_rebuild
    serve_and_rebuild(_options(data, REPO_ROOT / "site", work, previous), port, Progress(), debug=ctx.obj["debug"])


@cli.command()
@data_option
@out_option
@previous_option
@click.option("--push", is_flag=True, help="Push the gh-pages branch after deploying (off by default).")
@click.option("--force", is_flag=True, help="Replace an already published version whose content differs.")
@click.option("--alias-type", type=click.Choice(["symlink", "copy"]), default="symlink", show_default=True,
              help="How `latest` points at the newest release (copy for hosts without symlinks).")
def publish(data: Path, out: Path, previous: Path | None, push: bool, force: bool, alias_type: str) -> None:
    """Build (refusing on any validation error), then deploy as the release version with mike."""
    from plantracker.pipeline import build as build_site
    from plantracker.publish import check_committed, publish_release
    check_committed(REPO_ROOT)  # before the build, not after it: refused at once
    result = build_site(_options(data, out, previous=previous), Progress())
    published = publish_release(out, result.release, REPO_ROOT, push=push, force=force, alias_type=alias_type)
    click.echo(f"release {published.version}: {published.status} (commit {published.commit[:12]}, "
               f"latest -> {published.latest}{', pushed' if published.pushed else ''})", err=True)


@cli.command("import")
@click.argument("export_file", type=FILE)
@data_option
@click.option("--plan", required=True, help="Plan id: the package folder in --data to import into.")
@click.option("--source", "source_id", required=True, help="source_id of the export in sources.csv.")
@click.option("--source-title", help="Title of a source not yet listed (with --source-url adds its row).")
@click.option("--source-url", help="http(s) address of a source not yet listed.")
@click.option("--source-publisher", default="国家统计局", show_default=True, help="Publisher of a new source.")
@click.option("--write", is_flag=True, help="Apply the changes, then validate the data folder (default: only show them).")
@click.option("--revise", is_flag=True, help="Replace existing figures whose value differs (revisions).")
def import_(export_file: Path, data: Path, plan: str, source_id: str, source_title: str | None, source_url: str | None,
            source_publisher: str, write: bool, revise: bool) -> None:
    """Import a province-by-year table exported from the NBS data portal (CSV, .xls, .xlsx) into a plan's
    observations: shows what would change; --write applies it."""
    from plantracker.nbs_import import NewSource, import_export, validate_after_import
    source = NewSource(source_title or "", source_url or "", source_publisher) if source_title or source_url else None
    given = {"source_id": source_id, "source": source, "revise": revise}
    result = import_export(export_file, data / plan, **given)  # the diff first, also when the write is then refused
    click.echo("\n".join(result.diff_lines()))
    if write:
        result = import_export(export_file, data / plan, write=True, **given)
    click.echo(result.outcome())
    if write:
        valid, report = validate_after_import(data, written=result.written)
        click.echo(report, err=True)
        if not valid:
            sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":
    cli(obj={})
