"""Employer matching (unionkit/employers.py) measured on tests/data/employer_variants.yml: the
share of variants matched to the right employer (recall), the share of matches that are right
(precision), and names that must match nothing. The README quotes what this prints; the asserts
keep what was reached."""
from __future__ import annotations

from pathlib import Path

import yaml

from backend.orgs import Tree, parse
from unionkit.employers import best_match, core

ROOT = Path(__file__).resolve().parents[2]
DATA = yaml.safe_load((ROOT / "tests" / "data" / "employer_variants.yml").read_text("utf-8"))
TREE = Tree(o for _n, o in parse("demo_orgs.csv", (ROOT / "config" / "demo_orgs.csv").read_bytes()))
PLACES = TREE.places()


def _listed() -> list[tuple[str, str]]:
    """(the org's first employer, each employer it lists): what routing matches against."""
    return [(o.employers[0], e) for o in TREE.of_level("grassroots") for e in o.employers]


def measure() -> dict:
    listed = _listed()
    right = wrong = missed = 0
    misses, wrongs = [], []
    for employer, variants in DATA["match"].items():
        for variant in variants:
            found = best_match(variant, listed, PLACES)
            if found is None:
                missed += 1
                misses.append(variant)
            elif found[0] == employer:
                right += 1
            else:
                wrong += 1
                wrongs.append((variant, found[0]))
    false_alarms = [(n, best_match(n, listed, PLACES)[0]) for n in DATA["none"] if best_match(n, listed, PLACES)]
    total = right + wrong + missed
    return {"variants": total, "right": right, "wrong": wrong, "missed": missed, "misses": misses, "wrongs": wrongs,
            "recall": right / total, "precision": right / (right + wrong) if right + wrong else 1.0,
            "negatives": len(DATA["none"]), "false_alarms": false_alarms}


def test_the_issue_example():
    assert best_match("顺达物流", [("g01", "邯郸市顺达物流有限公司")])[0] == "g01"
    assert core("河北省邯郸市丛台区顺达物流有限责任公司") == "顺达物流"


def test_match_quality_on_the_variants():
    m = measure()
    print(m)
    assert m["wrong"] == 0 and m["false_alarms"] == []
    assert m["recall"] >= 0.9
