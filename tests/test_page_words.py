"""What a person sees, finished (issues 20, 21, 24): each passage once on a page, a Markdown page
and an Anki card; sources in words; the simulation intervals in words; probabilities that never
read a bare 0% or 100% from a finite sample; machine formats unrounded; `id` first in the ranked
differential's rows; kinds in words on a table. Expected values are worked by hand in comments."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest

from conftest import run
from test_pages import repeated_passages

NEXT = ("differential", "buttock", "-F", "red-flag-saddle-anesthesia", "-F", "neurologic-deficit", "--next")
TWO_ARMS = ("posttest", "-p", "0.3", "modified-bent-knee+", "puranen-orava+")
NOT_FIRM = ("differential", "buttock", "-F", "puranen-orava-negative", "-F", "resisted-hip-external-rotation-negative")


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


# --------------------------------------------------------------------------- once on a page


@pytest.mark.parametrize("width", [60, 100, 160])
def test_the_work_up_says_each_passage_once(width):
    out = run(*NEXT, tty=True, width=width).out
    assert repeated_passages(out) == []
    text = flat(out)
    # the roles in words, each test by name (no id: a hint gives the commands); CT and CT
    # myelogram share a role, said for each
    assert "Lumbar spine CT: when MRI is contraindicated" in text and "(lumbar-ct)" not in text
    assert "CT myelogram: when MRI is contraindicated" in text
    assert "the review: when MRI" not in text and "For Lumbosacral radiculopathy" in text


def test_the_work_up_in_markdown_says_each_passage_once():
    assert repeated_passages(run(*NEXT, "-f", "markdown").out) == []


def test_a_role_reads_in_words():
    out = flat(run("case", tty=True, width=160).out)
    assert "the review: confirmatory" not in out
    assert "Hip MRI: to confirm the diagnosis" in out


@pytest.mark.parametrize("args", [("maneuver", "faber"), ("nerve", "sciatic"), ("test", "hip-mri"), ("test", "needle-emg"),
                                  ("condition", "gluteus-medius-tendinopathy"), ("kerboul", "190"), ("tonnis",),
                                  ("tonnis", "small-cysts"), ("cite", "faber"), TWO_ARMS])
def test_pages_and_markdown_say_each_passage_once(args):
    assert repeated_passages(run(*args, tty=True, width=100).out) == []
    assert repeated_passages(run(*args, "-f", "markdown").out) == []


def test_every_anki_card_says_each_passage_once():
    """A card as Anki shows it: front, back, source (with the review's words) and notes."""
    from dxcli.learn import cards as C

    bad = []
    for c in C.cards():
        text = "\n".join([c["front"], c["back"], c["source_text"], C.quote_shown(c) or ""] + C.note_lines(c))
        if repeated_passages(text):
            bad.append(c["id"])
    assert bad == []


def test_a_card_keeps_the_words_the_back_does_not_give():
    from dxcli.learn import cards as C

    faber = next(c for c in C.cards() if c["id"] == "maneuver:faber:description")
    assert "contralateral patella" in faber["back"]
    assert C.quote_shown(faber) == "FABER – … (sensitivity = 42%, specificity = 80%).15"


# --------------------------------------------------------------------------- sources in words


def test_notes_name_their_sources_in_words():
    out = flat(run("maneuver", "faber", tty=True, width=100).out)
    assert "(Grimaldi et al. 2017)" in out and "(grimaldi-2017)" not in out
    assert "! unverified: Unverified:" not in out and "! unverified: The source of this pair" in out
    kerboul = flat(run("kerboul", "190", tty=True, width=100).out)
    assert "(Ha et al. 2006)" in kerboul and "ha-2006" not in kerboul
    gm = flat(run("maneuver", "single-leg-stance-pain", tty=True, width=160).out)
    assert "zero-cell-corrections-2020" not in gm
    assert "(“Zero-cell corrections in random-effects meta-analyses”, Res Synth Methods 2020)" in gm


def test_citation_short_forms():
    from dxcli.query.sources import citation_name

    assert citation_name({"id": "x", "authors": "Grimaldi A, Mellor R, Nicolson P", "year": 2017}) == "Grimaldi et al. 2017"
    assert citation_name({"id": "x", "authors": "Lequesne M, et al.", "year": 2008}) == "Lequesne et al. 2008"
    assert citation_name({"id": "x", "authors": "Deeks JJ, Higgins JPT", "year": 2010}) == "Deeks and Higgins 2010"
    assert citation_name({"id": "x", "authors": "van der Windt DA, et al.", "year": 2010}) == "van der Windt et al. 2010"
    assert citation_name({"id": "x", "authors": "Newcombe RG", "year": 1998}) == "Newcombe 1998"


def test_one_study_named_once_in_a_same_study_caveat():
    out = flat(run(*TWO_ARMS, tty=True, width=160).out)
    assert "come from one study: their likelihood ratios share" in out and out.count("(Cacchio et al. 2012)") >= 1
    assert "cacchio-2012" not in out


# --------------------------------------------------------------------------- simulation intervals in words


def test_the_posttest_page_gives_the_simulation_interval_in_words():
    sim = run(*TWO_ARMS, "-f", "json").json()["posttest_simulation"]
    out = flat(run(*TWO_ARMS, tty=True, width=100).out)
    low, high = f"{sim['low'] * 100:.1f}%", f"{sim['high'] * 100:.1f}%"  # e.g. 0.891 -> 89.1%
    assert (f"95% simulation interval {low}–{high} (Jeffreys priors, 2,000 draws, seed {sim['seed']}); "
            "too narrow: puranen-orava+ held fixed") in out
    assert out.count("conditionally independent") == 1  # the independence caveat once
    assert "so none is given" not in out  # no "no combined interval" beside the combined one


def test_one_finding_shows_its_analytic_interval_first_and_once():
    out = flat(run("posttest", "-p", "0.3", "modified-bent-knee+", tty=True, width=100).out)
    # 0.3 -> odds 0.4286 x 9.8889 = 4.2381 -> 0.8091; the log-method ends 3.9966 and 26.288 give
    # 0.4286 x 3.9966 = 1.7128 -> 0.6314 and 0.4286 x 26.288 = 11.266 -> 0.9185
    assert "post-test probability 80.9% (63.1%–91.8%, 95% CI" in out
    assert "simulation" not in out and out.count("80.9%") == 1


def test_the_ranked_differential_says_how_firm_each_lr_ordered_step_is():
    rows = {r["id"]: r for r in run(*NOT_FIRM, "-f", "json").json()["conditions"]}
    order = rows["proximal-hamstring-tendinopathy"]["order_simulation"]
    share = math.floor(order["share"] * 100)  # about 91 (tests/test_simulation.py works it out)
    out = flat(run(*NOT_FIRM, tty=True, width=100).out)
    assert (f"Above Gluteus medius tendinopathy by the LR products: holds in {share}% of 2,000 draws; "
            "the order is not firm") in out
    assert re.search(r"LR product 0\.293 \(95% simulation interval [0-9.]+–[0-9.]+\)", out)  # (1 - 0.76) / 0.82 = 0.2927
    assert "Jeffreys priors, 2,000 draws, seed 20011" in out
    md = run(*NOT_FIRM, "-f", "markdown").out
    assert "the order is not firm" in md and "95% simulation interval" in md


# --------------------------------------------------------------------------- probabilities


def test_a_tiny_probability_never_reads_zero():
    from dxcli.output.words import pct, pcts

    assert pct(0.0004) == "<0.1%" and pct(0.9996) == ">99.9%"
    assert pcts(0.5, 0.0001, 0.9) == ["50.0%", "<0.1%", "90.0%"]
    assert pct(0.0) == "0%" and pct(1.0) == "100%"  # exact, alone: a typed LR of 0
    assert pcts(0.0, 0.49) == ["0.0%", "49.0%"]  # an exact end beside another: the same digits
    # pre-test 0.001: odds 0.001/0.999 = 0.001001 x LR- 0.028549 = 2.8578e-5 -> p = 2.8577e-5
    r = run("posttest", "-p", "0.001", "single-leg-stance-pain-", "-f", "json").json()
    assert r["posttest"] == pytest.approx(2.8577e-5, rel=1e-3)
    out = flat(run("posttest", "-p", "0.001", "single-leg-stance-pain-", tty=True, width=100).out)
    assert "post-test probability <0.1%" in out and "post-test probability 0.0%" not in out


# --------------------------------------------------------------------------- machine formats


def test_machine_formats_carry_lrs_and_interval_ends_unrounded():
    # long stride walking for ischiofemoral impingement: sensitivity 0.92, specificity 0.82:
    # LR- = (1 - 0.92) / 0.82 = 0.097561 (0.1 when rounded to 2 decimals, as before)
    row = run("maneuver", "long-stride-walking", "-f", "json").json()[0]
    assert row["lr_negative"] == pytest.approx(0.08 / 0.82, rel=1e-9)
    assert row["lr_positive"] == pytest.approx(0.92 / 0.18, rel=1e-9)  # 5.1111
    # modified bent knee, 41/46 and 42/46: ln 10.25 ± 1.96 x 0.48053 -> 3.9966, 26.288 (not 4.0, 26.29)
    step = run("posttest", "-p", "0.3", "modified-bent-knee+", "-f", "json").json()["steps"][0]
    assert step["lr_ci"]["low"] == pytest.approx(3.99663, abs=1e-4) and step["lr_ci"]["high"] == pytest.approx(26.2878, abs=1e-3)
    # the page still rounds: 3 significant figures
    assert "LR 9.89 (95% CI 4–26.3)" in run("posttest", "-p", "0.3", "modified-bent-knee+", tty=True, width=100).out


# --------------------------------------------------------------------------- rows and kinds


def test_the_ranked_differential_rows_lead_with_id():
    header = run("differential", "buttock", "-F", "ehl-weakness", "-f", "csv").out.splitlines()[0]
    assert header.split(",")[:3] == ["id", "rank", "tied"]
    tsv = run("differential", "buttock", "-F", "ehl-weakness", "-f", "tsv").out.splitlines()[0]
    assert tsv.split("\t")[0] == "id"
    row = run("differential", "buttock", "-F", "ehl-weakness", "-f", "json").json()["conditions"][0]
    assert list(row)[0] == "id"
    nxt = run("differential", "buttock", "-F", "ehl-weakness", "--next", "-f", "json").json()["next"][0]
    assert list(nxt)[0] == "id"


def test_reference_schema_names_kinds_in_words_on_a_table():
    table = run("reference", "schema", "-f", "table", width=100).out
    assert "red flag" in table and "red_flag" not in table
    rows = list(csv.DictReader(io.StringIO(run("reference", "schema", "-f", "csv").out)))
    assert "red_flag" in [r["id"] for r in rows]  # machine formats keep the value
    assert run("reference", "schema", "red flag").code == 0  # the kind as the table shows it
