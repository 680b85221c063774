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
maneuver or test with stated accuracy counts by its result, with its LR shown. Findings
that describe one observation, or rest on one clause, score once per condition. A finding
not given counts neither way.

The ranking is ordinal: no weights are invented and no probability is given. Equal scores
are ordered by the product of the LRs; conditions equal on both share a rank ('1='), in the
review's table order, which carries no meaning. Red flags come first, in every format.
'dxcli finding' lists the findings; 'dxcli case' walks through the review's vignette.
"""

TOPICS: dict[str, str] = {
    "formats": FORMATS,
    "exit-codes": EXIT_CODES,
    "packs": PACKS,
    "likelihood-ratios": LIKELIHOOD_RATIOS,
    "ranking": RANKING,
    "learning": LEARNING,
}


def man_page(commands: list[tuple[str, str]], version: str) -> str:
    """A man page (roff) made from the same topic texts and the commands' summaries."""

    def esc(text: str) -> str:
        out = text.replace("\\", "\\e").replace("-", "\\-")
        return "\n".join(("\\&" + ln) if ln.startswith((".", "'")) else ln for ln in out.split("\n"))

    parts = [
        f'.TH DXCLI 1 "" "dxcli {version}" "User Commands"',
        ".SH NAME",
        "dxcli \\- a command-line clinical reference and calculator for musculoskeletal and rehabilitation medicine",
        ".SH SYNOPSIS",
        ".B dxcli",
        "[\\fB\\-\\-reference\\fR \\fIPATH\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR] [\\fB\\-f\\fR \\fIFORMAT\\fR]",
        ".SH DESCRIPTION",
        "dxcli is a reference for trained clinicians and learners, not a diagnosis.",
        ".SH COMMANDS",
    ]
    for name, summary in commands:
        parts += [".TP", f"\\fB{esc(name)}\\fR", esc(summary)]
    for name, text in TOPICS.items():
        title, _, body = text.partition("\n")
        parts += [f".SH {esc(name.replace('-', ' ').upper())}", esc(title)]
        for block in body.strip("\n").split("\n\n"):
            if all(ln.startswith(" ") for ln in block.split("\n")):
                parts += [".PP", ".nf", esc(block), ".fi"]
            else:
                parts += [".PP", esc(" ".join(block.split()))]
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
            out.append(textwrap.fill(" ".join(line.strip() for line in lines), width, break_long_words=False, break_on_hyphens=False))
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
    return textwrap.wrap(body, width, initial_indent=pad, subsequent_indent=hang, break_long_words=False, break_on_hyphens=False)


def break_command(command: str, width: int, pad: str) -> list[str]:
    """A shell command broken between words (quoted strings kept whole) with a trailing
    backslash, continuation lines indented four more columns, so it pastes as shown."""
    import re

    words = re.findall(r"(?:'[^']*'|\"[^\"]*\"|\S)+", command)
    out, line = [], pad
    for w in words:
        if line.strip() and len(line) + 1 + len(w) + 2 > width:
            out.append(line + " \\")
            line = pad + "    "
        line += ("" if not line.strip() else " ") + w
    return out + [line]
