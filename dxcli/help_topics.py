"""Help topics for ``dxcli help TOPIC``: a topic name and its text. Add a topic here.

A text is paragraphs separated by blank lines; a paragraph whose lines are indented is
shown as written (examples), the others are re-wrapped to the terminal's width.
"""

from __future__ import annotations

import re
import textwrap

LEARNING = """\
Learning with dxcli: an Anki deck and a terminal quiz from the cited reference

Both are generated from the reference records, never typed, one deck per topic:
anatomy, muscles, innervation, maneuvers, tests, red-flags, scales, conditions.
Every card's back shows the record's own source (the review's section or table,
its reference numbers, the primary citation where one was read) and its notes.
Where a note records that sources disagree (the prevalence of IBD in ankylosing
spondylitis, hip MRI accuracy for avascular necrosis, the Kerboul cut-points),
the card shows both values with both citations, and the quiz never asks it as
if it had one right answer. 'dxcli cite ID' lists a record's sources and notes.

Anki:

  dxcli export anki buttock.apkg                  # every deck
  dxcli export anki nerves.apkg --topics innervation,muscles
  dxcli --reference ./my-pack export anki mine.apkg

Each note's GUID is derived from its record id and field, so importing an
updated deck into Anki updates its notes instead of adding copies. Tags:
dxcli::TOPIC, dxcli::condition::ID, dxcli::note::KIND.

Quiz:

  dxcli quiz                            # 10 questions, every topic
  dxcli quiz innervation -n 5 --seed 7  # same seed, same questions
  dxcli quiz muscles --typed            # no options: type answers
  printf 'b\\nL4 L5 S1\\n' | dxcli quiz innervation -n 2 --seed 1
  dxcli quiz --seed 1 -f json           # questions and answers

Answer with the letter of an option, or type the answer: an id, a name or an
alias, case and punctuation ignored. Answers are never matched by similarity
("inferior gluteal nerve" is not "superior gluteal nerve"; L4 is not L5); root
levels may be given in any order. Ctrl-D ends the quiz with the score so far.
With stdin a pipe the quiz reads one answer a line, so it can be scripted.
"""

FORMATS = """\
Output formats: a table for a person, TSV, CSV, JSON, NDJSON and Markdown for scripts

Every command takes --format/-f table|tsv|csv|json|ndjson|markdown. On a terminal the
default is a page or a table; when piped it is TSV with a header. stdout carries data
only; messages, warnings and red-flag lines go to stderr. JSON keys are snake_case,
proportions are numbers in [0, 1], missing values are null; a list command prints an
array, a calculator one object, and the ranked differential a report object. A record's
id is always the key id; an unbounded number is null, with a note. In CSV and TSV a list
or an object in a cell is compact JSON and null is an empty cell. --fields a,b (every
command) keeps only those fields. 'dxcli reference schema --output COMMAND' prints the
JSON Schema of a command's output. There are no escape codes when piped, with
NO_COLOR or with TERM=dumb. A page taller than the terminal goes through a pager
($DXCLI_PAGER, then $PAGER, then less -FRX; --no-pager turns it off).

  dxcli differential buttock -f json | jq -r '.[].id'
  dxcli maneuver faber -f csv
  dxcli kerboul - -f csv --fields risk_group < angles.txt
  dxcli test --condition avn --fields id,lr_positive,lr_negative -f tsv
"""

EXIT_CODES = """\
Exit codes: what a script can rely on

  0    success (also when the reader closed the pipe early: EPIPE)
  1    nothing found; close names and a 'dxcli search' command on stderr
  2    invalid usage or input (the message names the value and what is accepted)
  3    invalid reference data (a pack or the data files)
  4    an internal error: a bug (DXCLI_DEBUG=1 shows the traceback)
  74   the output could not be written (full disk, file-size limit, closed
       stdout; an output file that is a directory, device, FIFO or socket, or
       that the file system refuses): never a silent truncation
  130  interrupted (Ctrl-C)

A batch run reports each bad line (in a CSV, each record that cannot be read whole: an
open quote, an over-long record, a ragged row) on stderr with the line it begins on, goes
on, and exits 2 at the end if any line failed.
"""

PACKS = """\
Reference packs: your own data beside the bundled review

A pack is a directory (or a file) of TOML in the format of the bundled data ('dxcli
reference schema KIND' prints each kind's JSON Schema). Add it with --reference PATH
(repeatable, before the command) or DXCLI_REFERENCE_PATH (paths separated by ':').

  dxcli reference lint ./my-pack
  dxcli --reference ./my-pack differential buttock

A pack is checked with the bundled data before any of it is used: ids, names and aliases
must not collide with bundled records of their kind, references may point at bundled
records, and any problem refuses the whole pack (exit 3; 'dxcli reference lint' lists each
with its file, line, key and fix). Links, devices and sub-directories are not followed;
files over 8 MiB, tables nested over 32 levels, over 256 keys a table, strings over
16,384 characters and lines over 20,000 are refused. The data of each state (bundled plus
packs) is validated once and kept in a store in the cache directory.
"""

LIKELIHOOD_RATIOS = """\
Likelihood ratios, intervals and post-test probability

LR+ = sensitivity / (1 - specificity) and LR- = (1 - sensitivity) / specificity are
computed from the stated figures, never stored. A range of figures gives a range of LRs.
A positive predictive value alone gives no LR: it depends on prevalence. The meaning of an
LR (small, moderate, large shift) comes from the bands of Jaeschke 1994 in the data.

Where a study's counts are known (or are the one count of its group that reproduces the
stated figure), a 95% interval is computed: Wilson for sensitivity and specificity, the
log method of Simel, Samsa and Matchar 1991 for LRs (0.5 added to every cell where one is
0). Where only one arm's count is known, the range it allows is labelled as not a 95% CI.
A source's own published interval is quoted, never recomputed.

  dxcli maneuver modified-bent-knee
  dxcli posttest -p 0.3 modified-bent-knee+
  dxcli posttest -p 0.5 hip-mri- --condition avascular-necrosis-hip

posttest multiplies LRs, which assumes the findings are conditionally independent, and
says so; it says when two come from one study, and gives each finding's interval but no
combined one. An LR of 0 or infinity carries a note that it comes from a finite sample.
Where a recorded primary source gives other figures, the answer is given with them too.

Simulation interval (posttest_simulation in JSON). Where a finding's counts are known,
posttest also draws each measured sensitivity and specificity from its Jeffreys posterior,
Beta(x + 0.5, n - x + 0.5), forms the LR of the result given in each draw, carries the
pre-test odds through the chain, and reports the 2.5th and 97.5th percentiles of the draws:
a 95% simulation (credible) interval, not a confidence interval. This is the objective
Bayesian approach by simulation that Mossman and Berger 2001 (Med Decis Making 21:498-507)
found to perform best when samples are small or figures near 0 or 1; only its abstract was
read, and it does not name the prior. epiR's epi.nomogram cites it for one test, with 999
draws. The draws are seeded: 2,000 draws and seed 20011 unless --draws (1 to 100,000) and
--seed say otherwise, so the same command gives the same interval. Its limits: the findings
are assumed conditionally independent, as in the point estimate; findings from one study are
drawn independently, since the study does not report their correlation; a finding without
counts, the arm without counts of a finding with one, and a typed lr= are held fixed and
named, so the interval is too narrow. A pre-test probability given as a range (-p 20%-40%)
is drawn uniformly over it in each draw, and the notes say so; the answer itself is then the
range of post-test probabilities from the range's two ends, with no single value and no
analytic interval. For one finding the analytic interval above is the one shown first.

The draws are stratified (a Latin hypercube): for each arm, one uniform in each 1/2,000 of
probability, put through that arm's Beta quantile (from a table of the distribution in
asin(sqrt(x)), within 0.00001 of probability of an independent calculation), the arms paired
at random. Each arm is still drawn from its Jeffreys posterior and the interval is the same;
its Monte Carlo error is smaller. Measured as the standard deviation of each end over 200
seeds at the default 2,000 draws, in percentage points:

  posttest -p 0.3 modified-bent-knee+ (0.66-0.926)             0.23 low, 0.08 high
  posttest -p 0.3 modified-bent-knee+ puranen-orava+            0.14 low, 0.03 high
  posttest -p 0.5 single-leg-stance-pain-                       under 0.02 at each end
  posttest -p 20%-40% modified-bent-knee+ (a pre-test range)    0.52 low, 0.18 high

So for the first three, 95% of seeds give each end within half a percentage point (1.96
standard deviations) of its long-run value. A pre-test range adds a spread that stratifying
helps less, so a range is drawn 10,000 times by default, which brings that lower end to 0.22
(within half a point too). The mc_error each answer carries is
the binomial (order-statistic) figure for independent draws, which overstates the error of
these draws (1.1 points for that first lower end at seed 20011).

  dxcli posttest -p 0.3 modified-bent-knee+ puranen-orava+ -f json
"""

RANKING = """\
The ranked differential: how findings move a condition

  dxcli differential buttock -F ehl-weakness -F pain-worse-with-sitting --next

Each link from a finding to a condition quotes the clause of the review it rests on and a
strength read from that clause. A present finding counts +1 whatever the hedge ('may',
'can'), or -1 where the clause says it should not occur. An absent finding counts -1 only
where the clause is expected (invariable or defining), not contrasted with the buttock
presentation, not limited to a stage or subgroup, and, for a list, with every member
absent; otherwise absence is neutral, as it always is for advice and demographics. A
maneuver or test with stated accuracy counts by its result, with its LR shown (a 100%
figure from a finite sample is corrected for its zero cell, never certainty). Findings that
describe one observation, or rest on one clause, score once per condition, by their
strongest clause. A finding not given counts neither way.

One rule per kind of clause. A pointer, where the review points from a finding to one
condition ('may point to radiculopathy as the primary diagnosis', 'strongly suggests this
diagnosis', 'relatively specific', 'specific but not sensitive'), counts +2 when present;
its absence is neutral. A demographic or causal clause counts for the condition only where
it compares the condition with others: a sentence that splits one condition's causes by age
(disc herniation under 50, spondylosis in older patients) supports neither age for that
condition, since every age would then support it. A clause flagged in the data as defining
(an explicit flag, quoted, never inferred from a name) counts -1 when its finding is absent:
vascular claudication's 'Pain exacerbated activity and relieved by rest'.

The ranking is ordinal: no weights are invented beyond the review's pointers, and no
probability is given. Equal scores are ordered by the product of the LRs, then a diagnosis
of exclusion (piriformis syndrome) after the others; conditions equal on all three share a
rank ('1='), in the review's table order, which carries no meaning. Red flags come first, in every format.
'dxcli finding' lists the findings; 'dxcli case' walks through the review's vignette.

Each condition's combined LR from measured findings gets a 95% simulation interval
(lr_simulation in JSON), and where equal scores are ordered by LR products alone,
order_simulation says in how many draws that order holds (gluteus medius tendinopathy above
proximal hamstring tendinopathy 'holds in 98% of 2,000 draws' for 'dxcli differential buttock
-F modified-bent-knee-positive -F resisted-hip-external-rotation-positive'); below 95% it
says the order is not firm. The order itself stays the one the scores and point
LRs give. --no-simulation skips the draws; 'dxcli help likelihood-ratios' gives the method
and its limits.
"""

ENVIRONMENT = """\
Environment: the variables dxcli reads

  DXCLI_REFERENCE_PATH  packs of reference TOML files to add, as with --reference
                        (paths separated by ':'); the bundled data is never changed
  DXCLI_PAGER           the pager for output taller than the terminal; an empty
                        value means none (before PAGER)
  PAGER                 the pager when DXCLI_PAGER is not set (else less -FRX)
  DXCLI_NO_PAGER        set (to anything): never a pager, as with --no-pager
  LESS                  the options of less as the pager (FRX where it is not set)
  LV                    the options of lv as the pager (-c where it is not set)
  NO_COLOR              set (to anything): no colour and no escape codes
  TERM                  dumb: no colour and no escape codes
  COLUMNS               the width to wrap pages and tables at, where the terminal
                        does not say its own
  XDG_CACHE_HOME        where the data store is kept (an absolute path; else
                        ~/.cache)
  DXCLI_DEBUG           set (to anything): an internal error shows its traceback
  DXCLI_TEST_READY_FD   for dxcli's own tests: a file descriptor that is told
                        when the Ctrl-C handler is in place
"""

FILES = """\
Files: what dxcli reads and writes

  ~/.cache/dxcli/store/   the data store: the reference (and any packs) in one
                          SQLite database, rebuilt when the data changes, safe to
                          delete; $XDG_CACHE_HOME/dxcli/store/ where XDG_CACHE_HOME
                          is an absolute path
  reference/*.toml        the bundled reference data, read-only (dxcli/_data in
                          the installed package)
  PACK/*.toml             a pack given with --reference or DXCLI_REFERENCE_PATH;
                          'dxcli reference lint PACK' checks it
"""

TOPICS: dict[str, str] = {
    "formats": FORMATS,
    "exit-codes": EXIT_CODES,
    "packs": PACKS,
    "likelihood-ratios": LIKELIHOOD_RATIOS,
    "ranking": RANKING,
    "learning": LEARNING,
    "environment": ENVIRONMENT,
    "files": FILES,
}


# The man page's own sections, in man-pages(7) order, and the help topic each is made from.
MAN_SECTIONS = {"exit-codes": "EXIT STATUS", "environment": "ENVIRONMENT", "files": "FILES"}


def man_page(tree: dict, version: str) -> str:
    """The man page (roff), made from the same declarations as --help: ``tree`` is the
    command tree as the CLI reads it from Click ({"summary", "options": [(declaration, help)],
    "commands": [{"name", "usage", "summary", "options"}]}), and the help topics give the
    guides, EXIT STATUS, ENVIRONMENT and FILES. Every line is escaped for roff (a leading
    dot or quote, backslashes, hyphens as minus signs, non-ASCII letters by code point), so
    groff -ww warns about nothing."""

    def esc(text: str) -> str:
        out = text.replace("\\", "\\e").replace("-", "\\-")
        out = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in out)
        return "\n".join(("\\&" + ln) if ln.startswith((".", "'")) else ln for ln in out.split("\n"))

    def option_items(options: list) -> list[str]:
        out = []
        for decl, text in options:
            out += [".TP", f"\\fB{esc(decl)}\\fR", esc(" ".join(text.split())) if text else "\\&"]
        return out

    def topic_body(text: str, definitions: bool) -> list[str]:
        out = []
        for block in text.strip("\n").split("\n\n"):
            lines = block.split("\n")
            if all(ln.startswith(" ") for ln in lines) and definitions:
                items: list[list[str]] = []  # 'NAME   what it is' and its continuation lines
                for ln in lines:
                    m = re.match(r"\s+(\S+(?: \S+)?)\s{2,}(.*)$", ln)
                    if m and (not items or len(ln) - len(ln.lstrip()) <= 2):
                        items.append([m.group(1), m.group(2)])
                    elif items:
                        items[-1][1] += " " + ln.strip()
                for term, what in items:
                    out += [".TP", f"\\fB{esc(term)}\\fR", esc(what)]
            elif all(ln.startswith(" ") for ln in lines):
                out += [".PP", ".nf", ".RS 4", esc(textwrap.dedent(block)), ".RE", ".fi"]
            else:
                out += [".PP", esc(" ".join(block.split()))]
        return out

    parts = [
        f'.TH DXCLI 1 "" "dxcli {esc(version)}" "User Commands"',
        ".nh",
        ".SH NAME",
        "dxcli \\- " + esc(tree["summary"].split(": ", 1)[-1].rstrip(".")),
        ".SH SYNOPSIS",
        ".B dxcli",
        "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
    ]
    parts += topic_body(tree["description"], False)
    parts += [".SH COMMANDS"]
    for c in tree["commands"]:
        parts += [".TP", f"\\fBdxcli {esc(c['name'])}\\fR {esc(c['usage'])}", esc(c["summary"])]
        if c["options"]:
            parts += [".RS"] + option_items(c["options"]) + [".RE"]
    parts += [".SH OPTIONS", "Before the command:"] + option_items(tree["options"])
    if tree.get("common_options"):
        parts += [".PP", "After the command (every command that prints rows or records):"] + option_items(tree["common_options"])
    for name, text in TOPICS.items():
        if name in MAN_SECTIONS:
            continue
        title, _, body = text.partition("\n")
        parts += [f".SH {esc(name.replace('-', ' ').upper())}", esc(title)] + topic_body(body, False)
    for name, section in MAN_SECTIONS.items():
        title, _, body = TOPICS[name].partition("\n")
        parts += [f".SH {section}", esc(title)] + topic_body(body, True)
    parts += [".SH SEE ALSO", "\\fBdxcli help\\fR \\fITOPIC\\fR (" + esc(", ".join(TOPICS)) + "), "
              "\\fBdxcli\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR, \\fBless\\fR(1), \\fBsqlite3\\fR(1)"]
    return "\n".join(parts) + "\n"


def shown(text: str, width: int | None) -> str:
    """``text`` for a terminal ``width`` columns wide (None: as written). Prose is re-wrapped
    between words (never inside a word or an id); an indented line that does not fit is a
    command, broken between shell words with a backslash, or a term and its definition,
    whose definition wraps under itself."""
    if not width:
        return text
    blocks = text.strip("\n").split("\n\n")
    out = []
    for block in blocks:
        lines = block.split("\n")
        if all(line.startswith(" ") for line in lines):
            joined: list[str] = []  # a definition's continuation line joins its line first
            for line in lines:
                indent = len(line) - len(line.lstrip())
                if joined and indent > len(joined[0]) - len(joined[0].lstrip()) and not re.match(r"\s*[a-z]+ .*dxcli", line):
                    joined[-1] += " " + line.strip()
                else:
                    joined.append(line)
            out.append("\n".join(x for line in joined for x in fit_line(line, width)))
        else:
            from dxcli.errors import wrap_words

            out.append("\n".join(wrap_words(" ".join(line.strip() for line in lines), width)))
    return "\n\n".join(out) + "\n"


def fit_line(line: str, width: int) -> list[str]:
    """One indented line as lines of at most ``width`` columns (where its words allow)."""
    import re

    if len(line) <= width:
        return [line]
    pad = line[: len(line) - len(line.lstrip())]
    body = line.strip()
    if re.match(r"[a-z]+ ", body) and "dxcli" in body:  # a command: its comment above it, then the words
        command, _, comment = body.partition("  # ")
        return ([f"{pad}# {comment.strip()}"] if comment else []) + break_command(command, width, pad)
    term = re.match(r"(\S+(?: \S+)?\s{2,})", body)  # 'exit 74   the output could not be written'
    hang = pad + " " * (len(term.group(1)) if term and len(term.group(1)) < width // 2 else 2)
    from dxcli.errors import wrap_words

    return wrap_words(body, width, pad, hang)


def break_command(command: str, width: int, pad: str) -> list[str]:
    """A shell command broken between words with a trailing backslash (``errors.break_shell_words``)."""
    from dxcli.errors import break_shell_words

    return break_shell_words(command, width, pad)
