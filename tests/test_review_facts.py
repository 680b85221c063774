"""A sample of facts from the review, typed by hand from its text, compared with the data.

Each expected value below was read from ../shared/seed/000_a8d6d6ff0cb5a81a.txt, not
from the code or the data. Where the review's own words are quoted, the test also
checks that the words are in the review.
"""

from __future__ import annotations

import re

import pytest

from dxcli.reference import loader


def ev(kind, rid, condition, **match):
    rec = loader.by_id(kind)[rid]
    rows = [e for e in rec["evidence"] if e["condition"] == condition]
    rows = [e for e in rows if all(e.get(k) == v for k, v in match.items())] or rows
    return rows[0]


def muscle(mid):
    return loader.by_id("muscle")[mid]


def fig(cid, pred):
    return next(f for f in loader.by_id("condition")[cid].get("figures", []) if pred(f))


# (description, actual-getter, expected-from-review, words-in-review)
FACTS = [
    ("gluteus maximus nerve", lambda: muscle("gluteus-maximus")["nerve"], "inferior-gluteal-nerve", "Inferior gluteal nerve (L5, S1, S2)"),
    ("gluteus maximus roots", lambda: muscle("gluteus-maximus")["roots"], ["L5", "S1", "S2"], None),
    ("gluteus medius nerve", lambda: muscle("gluteus-medius")["nerve"], "superior-gluteal-nerve", "Superior gluteal nerve (L4, L5, S1)"),
    ("gluteus medius roots", lambda: muscle("gluteus-medius")["roots"], ["L4", "L5", "S1"], None),
    ("gluteus minimus roots", lambda: muscle("gluteus-minimus")["roots"], ["L4", "L5", "S1"], None),
    ("tensor fascia lata nerve", lambda: muscle("tensor-fascia-lata")["nerve"], "superior-gluteal-nerve", None),
    ("piriformis nerve", lambda: muscle("piriformis")["nerve"], "nerve-to-piriformis", "Nerve to piriformis (L5, S1, S2)"),
    ("piriformis roots", lambda: muscle("piriformis")["roots"], ["L5", "S1", "S2"], None),
    ("quadratus femoris: roots only", lambda: (muscle("quadratus-femoris").get("nerve"), muscle("quadratus-femoris")["roots"]), (None, ["L4", "L5", "S1"]), "Hip external rotation, hip adduction L4, L5, S1"),
    ("semitendinosus nerve", lambda: muscle("semitendinosus")["nerve"], "tibial-nerve", "innervated by the tibial nerve (L5, S1, S2)"),
    ("biceps short head nerve", lambda: muscle("biceps-femoris-short-head")["nerve"], "common-fibular-nerve", "innervated by the common fibular nerve (L5, S1)"),
    ("biceps short head roots", lambda: muscle("biceps-femoris-short-head")["roots"], ["L5", "S1"], None),
    ("sciatic nerve roots", lambda: loader.by_id("nerve")["sciatic-nerve"]["roots"], ["L4", "L5", "S1", "S2", "S3"], "sciatic nerve (L4, L5, S1, S2, S3)"),
    ("greater trochanter palpation sens", lambda: ev("maneuver", "greater-trochanter-palpation", "gluteus-medius-tendinopathy")["sensitivity"], 0.80, "sensitivity = 80%, specificity = 47%"),
    ("greater trochanter palpation spec", lambda: ev("maneuver", "greater-trochanter-palpation", "gluteus-medius-tendinopathy")["specificity"], 0.47, None),
    ("resisted hip abduction", lambda: tuple(ev("maneuver", "resisted-hip-abduction", "gluteus-medius-tendinopathy")[k] for k in ("sensitivity", "specificity")), (0.59, 0.93), "sensitivity = 59%, specificity = 93%"),
    ("FABER for GMT", lambda: tuple(ev("maneuver", "faber", "gluteus-medius-tendinopathy")[k] for k in ("sensitivity", "specificity")), (0.42, 0.80), "sensitivity = 42%, specificity = 80%"),
    ("FABER for sacroiliitis has no figures", lambda: ev("maneuver", "faber", "sacroiliitis").get("specificity"), None, "FABER and Gaenslen’s have low specificity"),
    ("resisted external rotation", lambda: tuple(ev("maneuver", "resisted-hip-external-rotation", "gluteus-medius-tendinopathy")[k] for k in ("sensitivity", "specificity")), (0.88, 0.973), "sensitivity = 88%, specificity = 97.3%"),
    ("single leg stance pain", lambda: tuple(ev("maneuver", "single-leg-stance-pain", "gluteus-medius-tendinopathy")[k] for k in ("sensitivity", "specificity")), (1.0, 0.973), "sensitivity = 100%, specificity = 97.3%"),
    ("long stride walking", lambda: tuple(ev("maneuver", "long-stride-walking-test", "ischiofemoral-impingement")[k] for k in ("sensitivity", "specificity")), (0.92, 0.82), "sensitivity 92%, specificity 82%"),
    ("IFI test", lambda: tuple(ev("maneuver", "ifi-test", "ischiofemoral-impingement")[k] for k in ("sensitivity", "specificity")), (0.82, 0.85), "sensitivity 82%, specificity 85%"),
    ("Puranen-Orava", lambda: tuple(ev("maneuver", "puranen-orava", "proximal-hamstring-tendinopathy")[k] for k in ("sensitivity", "specificity")), (0.76, 0.82), "(sensitivity 0.76, \nspecificity 0.82)"),
    ("modified bent knee", lambda: tuple(ev("maneuver", "modified-bent-knee", "proximal-hamstring-tendinopathy")[k] for k in ("sensitivity", "specificity")), (0.89, 0.91), None),
    ("SLR PPV", lambda: ev("maneuver", "straight-leg-raise", "lumbosacral-radiculopathy")["ppv_range"], [0.16, 0.31], "positive predictive \nvalue of 0.16-0.31"),
    ("slump PPV", lambda: ev("maneuver", "slump-test", "lumbosacral-radiculopathy")["ppv_range"], [0.18, 0.31], "value of 0.18-0.31"),
    ("SLR has no sens/spec of its own", lambda: ev("maneuver", "straight-leg-raise", "lumbosacral-radiculopathy").get("sensitivity"), None, None),
    ("six-muscle EMG specificity", lambda: ev("test", "needle-emg", "lumbosacral-radiculopathy", specificity_range=[0.87, 1.0])["specificity_range"], [0.87, 1.0], "highly specific (87-100%)"),
    ("six-muscle EMG sensitivity", lambda: ev("test", "needle-emg", "lumbosacral-radiculopathy", sensitivity_range=[0.49, 0.86])["sensitivity_range"], [0.49, 0.86], "sensitive (49-86%)"),
    ("single facet block false positives", lambda: ev("test", "facet-block", "lumbar-facet-arthropathy", false_positive_rate_range=[0.25, 0.40])["false_positive_rate_range"], [0.25, 0.40], "false \npositive rate of 25-40%"),
    ("hip MRI for AVN", lambda: tuple(ev("test", "hip-mri", "avascular-necrosis-hip", sensitivity=0.98)[k] for k in ("sensitivity", "specificity")), (0.98, 0.98), "sensitivity \nand specificity of 98%"),
    ("AS: HLA-B27 positive with AS", lambda: fig("ankylosing-spondylitis", lambda f: "HLA-B27" in f["description"])["value"], 0.06, "6% of patients who are HLA-B27 positive"),
    ("AS: IBD", lambda: fig("ankylosing-spondylitis", lambda f: "bowel" in f["description"].lower())["value"], 0.50, "inflammatory bowel disease (50%)"),
    ("AS: anterior uveitis", lambda: fig("ankylosing-spondylitis", lambda f: "uveitis" in f["description"].lower())["value"], 0.30, "anterior uveitis (30%)"),
    ("AS: psoriasis", lambda: fig("ankylosing-spondylitis", lambda f: "psoriasis" in f["description"].lower())["value"], 0.10, "psoriasis (10%)"),
    ("AS: inflammatory markers", lambda: fig("ankylosing-spondylitis", lambda f: "inflammatory markers" in f["description"].lower())["range"], [0.50, 0.70], "50 to 70% of patients with active disease"),
    ("sacral fracture with pubic rami fracture", lambda: fig("sacral-stress-fracture", lambda f: True)["value"], 0.78, "78% of patients with sacral stress"),
    ("LSR prevalence", lambda: fig("lumbosacral-radiculopathy", lambda f: "prevalence" in f["description"].lower())["range"], [0.03, 0.05], "(LSR) is about 3-5%"),
    ("LSR conservative recovery", lambda: fig("lumbosacral-radiculopathy", lambda f: "conservative" in f["description"].lower())["range"], [0.67, 0.90], "67-90% see significant recovery"),
    ("GMT injection at 1 month", lambda: fig("gluteus-medius-tendinopathy", lambda f: "injection" in f["description"].lower() and "1 month" in (f.get("timepoint") or ""))["value"], 0.75, "75% success rate"),
    ("GMT shock wave at 4 months", lambda: fig("gluteus-medius-tendinopathy", lambda f: "shock" in f["description"].lower() and "4" in (f.get("timepoint") or ""))["value"], 0.68, "success rate of 68% at 4 months"),
    ("PHT injection >6 months", lambda: fig("proximal-hamstring-tendinopathy", lambda f: "6 months" in (f.get("timepoint") or "") or "6 months" in f["description"])["value"], 0.237, "23.7% got >6 months relief"),
    ("red flags of LSR", lambda: sorted(r["id"] for r in loader.records("red_flag") if "lumbosacral-radiculopathy" in r["conditions"]), sorted(["progressive-weakness", "bowel-bladder-dysfunction", "saddle-anesthesia", "constitutional-symptoms", "infection-or-neoplasm-concern"]), "saddle anesthesia, constitutional symptoms"),
    ("case age", lambda: loader.records("case")[0]["age"], 49, "A 49-year-old female"),
]


@pytest.mark.parametrize("desc,get,expected,words", FACTS, ids=[f[0] for f in FACTS])
def test_fact_matches_review(desc, get, expected, words, review_text):
    assert get() == expected, desc
    if words:
        flat = re.sub(r"\s+", " ", review_text)
        assert re.sub(r"\s+", " ", words) in flat, f"the review does not say {words!r}"


def test_at_least_thirty_facts():
    assert len(FACTS) >= 30


def test_ligaments_as_the_review_states(review_text):
    lig = loader.by_id("structure")
    ilio = lig["iliofemoral-ligament"]
    assert "anterior inferior iliac spine" in ilio["proximal_attachment"].lower()
    assert "intertrochanteric line" in ilio["distal_attachment"].lower()
    assert "anterior hip subluxation" in ilio["function"].lower()
    assert "internal rotation" in lig["ischiofemoral-ligament"]["function"].lower()
    assert "external rotation" in lig["pubofemoral-ligament"]["function"].lower()
    assert "obturator artery" in (lig["ligamentum-teres"].get("function") or lig["ligamentum-teres"]["description"]).lower()
