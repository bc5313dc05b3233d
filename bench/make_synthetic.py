"""Scale factor -> synthetic data packages (invented plans, fixed seed) in bench/out/<scale>x/. Not published.

    python bench/make_synthetic.py 10 100        # writes bench/out/10x/ and bench/out/100x/

Each synthetic plan is about the size of an average shipped plan (11 targets, 10 regions, about 30
observations, 12 sites, 16 sources), with its own regions and a 3-5 year period; a scale of k
writes 2k plans, so k=10 and k=100 hold about 10 and 100 times the shipped rows and pages.
The descriptor's schemas are copied from tests/fixtures/mini-plan, so the contract is the
fixture's. Check with: python build.py validate --data bench/out/10x
"""
from __future__ import annotations

import copy
import csv
import json
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "tests" / "fixtures" / "mini-plan" / "datapackage.json"
OUT = Path(__file__).resolve().parent / "out"
SEED = 20240515

PLANS_PER_SCALE = 2            # the shipped data holds 2 plans
PROVINCES = 8
TARGETS = 11
INDICATORS = 16
SITES = 12
SOURCES = 16
UNITS = [  # unit_id, dimension, factor, label_zh, label_en, display_zh, display_en
    ("t", "mass", 1, "吨", "tonnes", "true", "true"),
    ("kt", "mass", 1000, "千吨", "thousand tonnes", "false", "true"),
    ("wan-t", "mass", 10000, "万吨", "10 000 tonnes", "true", "false"),
    ("mt", "mass", 1000000, "百万吨", "million tonnes", "false", "true"),
    ("yi-t", "mass", 100000000, "亿吨", "100 million tonnes", "true", "false"),
    ("item", "count", 1, "个", "items", "true", "true"),
    ("wan-item", "count", 10000, "万个", "10 000 items", "true", "false"),
    ("percent", "share", 1, "%", "%", "true", "true"),
]
MASS_UNITS = ("t", "kt", "wan-t")


def _letters(n: int, width: int = 3) -> str:
    """0 -> 'AAA': region codes must be upper-case letters and digits."""
    text = ""
    for _ in range(width):
        n, r = divmod(n, 26)
        text = chr(65 + r) + text
    return text


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])


def _header(template: dict, name: str) -> list[str]:
    resource = next(r for r in template["resources"] if r["name"] == name)
    return [f["name"] for f in resource["schema"]["fields"]]


def make_plan(rng: random.Random, index: int, template: dict, dest: Path) -> None:
    """Plan number -> one synthetic package folder (descriptor + 7 CSVs) under dest."""
    pid = f"syn-{index:04d}"
    code = f"S{_letters(index)}"
    # A plan with a predecessor (odd numbers follow the even one before) starts after it: 2020-2024
    # against 2000-2019 (validation refuses a predecessor that starts no earlier).
    start = 2020 + rng.randrange(0, 5) if index % 2 == 1 else 2000 + rng.randrange(0, 20)
    end = start + rng.choice((2, 3, 4))
    folder = dest / pid
    (folder / "data").mkdir(parents=True)

    sources = [[f"src-{s}", f"合成来源 {pid} #{s}", "合成出版者", f"https://example.org/{pid}/{s}",
                f"{start}-03-01", "", rng.choice(("official", "state_media", "secondary")), "", "", "zh",
                "Synthetic benchmark source."] for s in range(SOURCES)]
    plan_region = code
    provinces = [f"{code}-P{p:02d}" for p in range(PROVINCES)]
    regions = [[plan_region, f"合成区域{index}", f"Synthetic region {index}", "plan_region", "", "", "", "", ""],
               [f"{code}-NAT", f"合成全国{index}", f"Synthetic nation {index}", "national", "", "", "", "", ""]]
    regions += [[p, f"合成省{index}-{n}", f"Province {index}-{n}", "province", plan_region, n % 4, n // 4,
                 "虚构。", "Invented."] for n, p in enumerate(provinces)]
    indicators = []
    for i in range(INDICATORS):
        unit = "item" if i % 5 == 4 else rng.choice(MASS_UNITS)
        indicators.append([f"ind-{i}", f"合成指标{i}", f"Synthetic indicator {i}", f"合成指标{i}的定义。",
                           f"Definition of synthetic indicator {i}.", unit, f"指标{i}达到目标", "", "", "",
                           f"syn-concept-{index // 2}-{i}" if i < 3 else "",  # shared with its predecessor
                           *(("synthetic facility", "synthetic facilities", "处") if unit == "item" else ("", "", ""))])
    targets, observations = [], []
    for t in range(TARGETS):
        ind = indicators[t % INDICATORS]
        indicator_id, unit = ind[0], ind[5]
        region = plan_region if t < 3 else provinces[t % PROVINCES]
        tid = f"t{t:02d}"
        # A plan's count targets are whole things (validation: fractional-count).
        whole = (lambda x: round(x)) if unit == "item" else (lambda x: round(x, 1))
        base = rng.uniform(50, 500)
        goal = whole(base * rng.uniform(1.2, 2.0))
        has_baseline = t % 3 != 2
        targets.append([tid, indicator_id, region, end, rng.choice(("at_least", "about", "more_than")), goal, unit,
                        start - 1 if has_baseline else "", whole(base) if has_baseline else "",
                        unit if has_baseline else "", "src-0" if has_baseline else "",
                        "true" if t < 4 else "false", f"到{end}年，{ind[1]}达到{goal}。",
                        f"Synthetic target {tid} of {pid}.", "src-0", f"{ind[1]}达到{goal}", "", ""])
        if has_baseline:  # the baseline's own row, whose quote its page shows (validation requires it)
            observations.append([f"o-{t}-baseline", indicator_id, region, start - 1, whole(base), unit, "", "baseline",
                                 "src-0", f"{ind[1]}基期{whole(base)}", "", ""])
        # Reported figures in some years of the period, rising towards the goal.
        for year in range(start, end + 1):
            if rng.random() < 0.55:
                value = round(base + (goal - base) * (year - start + 1) / (end - start + 2) * rng.uniform(0.7, 1.2), 1)
                observations.append([f"o-{t}-{year}", indicator_id, region, year, value, unit, "", "reported",
                                     f"src-{1 + (t + year) % (SOURCES - 1)}", f"{ind[1]}{value}", "", ""])
        if region == plan_region:
            # Province figures for the plan region's target: one year, several provinces -> a bar chart.
            year = end - 1
            for p in rng.sample(provinces, 4):
                value = round(rng.uniform(5, 80), 1)
                observations.append([f"o-{t}-{p.lower()}-{year}", indicator_id, p, year, value, unit, "", "reported",
                                     "src-1", f"{ind[1]}{value}", "", ""])
    sites = [[f"site-{s}", f"合成设施{s}", f"Synthetic site {s}", provinces[s % PROVINCES], "某市", "A city", "设施",
              "facility", f"t{s % TARGETS:02d}" if s % 2 == 0 else "", "true" if s % 3 == 0 else "false",
              start + s % 3, f"src-{s % SOURCES}", f"建设合成设施{s}", "", ""] for s in range(SITES)]

    tables = {"units": [list(u) for u in UNITS], "regions": regions, "indicators": indicators, "targets": targets,
              "observations": observations, "sites": sites, "sources": sources}
    for name, rows in tables.items():
        _write_csv(folder / "data" / f"{name}.csv", _header(template, name), rows)

    descriptor = copy.deepcopy(template)
    descriptor.update(name=pid, id=pid, title=f"合成计划 {index} / Synthetic plan {index}",
                      description="BENCHMARK: invented plan, invented figures. Not real data. 全部虚构。",
                      sources=[{"title": sources[0][1], "path": sources[0][3]}])
    descriptor["plan"] = {
        "title": {"zh": f"合成计划{index}", "en": f"Synthetic plan {index}"},
        "short_title": {"zh": f"合成{index}", "en": f"Synthetic {index}"},
        "description": {"zh": "基准测试用的虚构计划。", "en": "An invented plan for the build benchmark."},
        "issuer": {"zh": "合成政府", "en": "Synthetic government"},
        "issued": f"{start}-03-01", "issued_note": {"zh": "", "en": ""},
        "period_start": start, "period_end": end, "region_id": plan_region,
        "predecessor": f"syn-{index - 1:04d}" if index % 2 == 1 else None,
        "source_id": "src-0", "licence_note": {"zh": "虚构数据。", "en": "Invented data."}, "order": index,
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")


def make_scale(scale: int, out: Path = OUT) -> Path:
    """Scale factor -> bench/out/<scale>x/ holding 2*scale synthetic plans (replaced if present)."""
    dest = out / f"{scale}x"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    rng = random.Random(SEED)
    for index in range(PLANS_PER_SCALE * scale):
        make_plan(rng, index, template, dest)
    return dest


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["10", "100"]:
        print(make_scale(int(arg)))
