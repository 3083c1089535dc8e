"""``hipstride map …`` (import and list OpenStreetMap extracts) and ``hipstride route …`` (plan).

The commands only parse arguments and call :mod:`hipstride.map`; the library is imported inside
each command so that ``hipstride --help`` stays fast.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hipstride.cli._common import HOME_OPTION, dump_json, open_store
from hipstride.errors import InputError

if TYPE_CHECKING:
    from hipstride.map.network import FootNetwork
    from hipstride.map.planner import Plan

__all__ = ["COMMANDS", "map_group", "route_group"]

_OUT = click.Path(dir_okay=False, writable=True, path_type=Path)


def _lat_lon(value: str, what: str) -> tuple[float, float]:
    """Parse ``"LAT,LON"`` in decimal degrees."""
    try:
        lat_s, lon_s = value.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise InputError(f"{what} must be LAT,LON in decimal degrees, e.g. 49.4093,8.6947") from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InputError(f"{what} {value} is not a position on Earth (LAT,LON in degrees)")
    return lat, lon


@click.group("map")
def map_group() -> None:
    """OpenStreetMap extracts turned into compact foot networks (surfaces, grades, steps)."""


@map_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Name to store the map under (default: from the file name).")
@click.option("--dem", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help="Elevation model for the grade of every way: an SRTM .hgt tile (plain or "
                   "zipped) or a GeoTIFF; repeat for several tiles.")
@HOME_OPTION
def import_map(file: Path, name: str | None, dem: tuple[Path, ...], home: Path | None) -> None:
    """Read FILE (.osm.pbf, .osm, .osm.gz, .osm.bz2) once and store its foot network."""
    from hipstride.map.osm_import import read_osm
    from hipstride.map.store import map_name_for, save_map

    started = time.perf_counter()
    map_name = name or map_name_for(file)
    network = read_osm(file, name=map_name, dem=list(dem) or None)
    info = save_map(network, map_name, home, tables=True)
    meta = info.meta
    counts = meta["counts"]
    click.echo(f"stored map '{map_name}' in {info.path.parent} "
               f"({counts['edges']} edges, {meta['length_km']} km of usable ways, "
               f"{meta['surface_tagged_share']:.0%} of it with a surface tag) "
               f"in {time.perf_counter() - started:.1f} s")
    click.echo(f"map data {meta['attribution']}, ODbL")
    from hipstride.library.api import library_path

    if library_path(home).is_file():    # the runs this map now covers best take it up
        from hipstride.library.api import refresh_for_maps

        with open_store(home) as store:
            again = refresh_for_maps(store, every_athlete=True)
        if again:
            click.echo(f"analysed {again} stored run(s) again with the stored maps")


@map_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@HOME_OPTION
def list_command(as_json: bool, home: Path | None) -> None:
    """List the stored maps and the area each covers."""
    from hipstride.map.store import list_maps, unlisted_maps

    maps = list_maps(home)
    for name in unlisted_maps(home):
        click.echo(f"hipstride: warning: map '{name}' is unreadable or stored in an older layout "
                   "and is not used: import it again", err=True)
    if as_json:
        docs = [{"name": m.name, "bbox": list(m.bbox), **{k: m.meta.get(k) for k in (
            "source_file", "counts", "length_km", "surface_tagged_share", "dem", "created_utc",
            "attribution")}} for m in maps]
        dump_json(docs)
        return
    if not maps:
        click.echo("no stored maps yet: run `hipstride map import FILE.osm.pbf`")
        return
    for m in maps:
        s, w, n, e = m.bbox
        click.echo(f"{m.name}: lat {s:.4f}..{n:.4f}, lon {w:.4f}..{e:.4f}, "
                   f"{m.meta.get('length_km')} km of ways ({m.meta.get('source_file')})")
    click.echo("map data © OpenStreetMap contributors, ODbL")


def _network_for(map_name: str | None, home: Path | None, lat: float, lon: float) -> FootNetwork:
    """The map :func:`hipstride.map.surfaces.choose_map` picks for the start (a note if several)."""
    from hipstride.map.surfaces import choose_map, load_chosen_map

    choice = choose_map(lat, lon, name=map_name, home=home, what="the start")
    if choice is None:
        raise InputError(f"no stored map covers ({lat:.5f}, {lon:.5f}): import one with "
                         "`hipstride map import FILE.osm.pbf` or name one with --map")
    if choice.note is not None and "smallest" in choice.note:
        click.echo(f"note: planning on {choice.note}; choose another with --map", err=True)
    return load_chosen_map(choice, home)


def _output(plan: Plan, net: FootNetwork, as_json: bool, gpx: Path | None,
            html_out: Path | None) -> None:
    from hipstride.map.export import write_plan_gpx
    from hipstride.report.plan_page import write_plan_html
    from hipstride.report.terminal import plan_lines

    if gpx is not None:
        write_plan_gpx(plan, gpx, with_elevation=bool(net.meta.get("dem")))
        click.echo(f"wrote {gpx}", err=True)
    if html_out is not None:
        write_plan_html(plan, net, html_out)
        click.echo(f"wrote {html_out}", err=True)
    if as_json:
        dump_json(plan.to_dict())
        return
    for line in plan_lines(plan):
        click.echo(line)


def _plan_options(f: Any) -> Any:
    for option in reversed([
        click.option("--map", "map_name", help="Stored map to plan on (default: the one covering the start)."),
        click.option("--profile", "profile_path", type=click.Path(path_type=Path),
                     help="Hip-load profile TOML file (default: the shipped profile)."),
        click.option("--gpx", type=_OUT, help="Write the routes as GPX 1.1 (one track each) for a watch."),
        click.option("--html", "html_out", type=_OUT, help="Write an offline HTML page with a map."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
        HOME_OPTION,
    ]):
        f = option(f)
    return f


@click.group("route")
def route_group() -> None:
    """Plan hip-friendly runs on a stored map: loops of a given length, or A→B."""


@route_group.command("loop")
@click.option("--start", required=True, help="Start as LAT,LON (decimal degrees).")
@click.option("--distance-km", required=True, type=float, help="Length of the loop, km.")
@click.option("--count", default=3, show_default=True, type=int, help="Distinct loops to offer.")
@click.option("--seed", type=int,
              help="Draw another set of loops (default 0: the same request gives the same loops).")
@_plan_options
def loop_command(start: str, distance_km: float, count: int, seed: int | None,
                 map_name: str | None, profile_path: Path | None, gpx: Path | None,
                 html_out: Path | None, as_json: bool, home: Path | None) -> None:
    """Loops of the asked length from START that keep hip load low (best first)."""
    from hipstride.map.planner import plan_loops
    from hipstride.model.profile import load_profile

    lat, lon = _lat_lon(start, "--start")
    profile = load_profile(profile_path)
    net = _network_for(map_name, home, lat, lon)
    plan = plan_loops(net, start_lat_deg=lat, start_lon_deg=lon, distance_m=distance_km * 1000.0,
                      profile=profile, count=count, seed=seed)
    _output(plan, net, as_json, gpx, html_out)


@route_group.command("to")
@click.option("--start", required=True, help="Start as LAT,LON (decimal degrees).")
@click.option("--end", required=True, help="End as LAT,LON (decimal degrees).")
@_plan_options
def to_command(start: str, end: str, map_name: str | None, profile_path: Path | None,
               gpx: Path | None, html_out: Path | None, as_json: bool, home: Path | None) -> None:
    """The route from START to END that keeps hip load low, beside the shortest one."""
    from hipstride.map.planner import plan_route
    from hipstride.model.profile import load_profile

    a, b = _lat_lon(start, "--start"), _lat_lon(end, "--end")
    profile = load_profile(profile_path)
    net = _network_for(map_name, home, a[0], a[1])
    plan = plan_route(net, start_lat_deg=a[0], start_lon_deg=a[1], end_lat_deg=b[0],
                      end_lon_deg=b[1], profile=profile)
    _output(plan, net, as_json, gpx, html_out)


COMMANDS = [map_group, route_group]
