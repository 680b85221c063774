"""The one hand-over from a command to what is written: ``present``.

It decides the format (once: ``formats.default_name`` when none is given), applies
``--fields``, and then either hands the result to a machine format as it is, or builds the
command's person view (output/views.py, imported only then) and shows a page, a table or a
list of records, through the pager when it is taller than the terminal.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from dxcli.output import formats
from dxcli.output.formats import Report
from dxcli.output.render import Terminal, View, json_text, page_width


class Document:
    """A JSON document (a schema): pretty JSON, or one line with --format ndjson."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc


NARROW = 80  # below this many columns a list of records replaces a table


def present(
    result: Any,
    fmt: Optional[str],
    term: Terminal,
    *,
    view: Optional[str] = None,
    fields: Optional[str] = None,
    command: str = "",
    citations: Optional[Callable[[], dict[str, str]]] = None,
    **context: Any,
) -> None:
    """Write ``result`` (rows, one record, a ``Report`` or a ``Document``) to ``term`` in
    ``fmt`` (None: the default for ``term``). ``view`` names the command's person view in
    output/views.py, built with ``context`` only when the format is for a person; ``fields``
    is --fields as given; ``command`` names the command for hints ('reference lint');
    ``citations`` gives each source's id its short form in words, for the pages' notes."""
    name = fmt or formats.default_name(term)
    out = formats.get(name)
    if citations is not None and out.for_people:
        from dxcli.output import words

        words.use_citations(citations)
    if isinstance(result, Document):
        _document(result.doc, fmt, fields, term)  # the format as given: a default of TSV is no reason to refuse
        return
    if isinstance(result, Report):
        _report(result, out, term, fields, command, view, context)
        return
    shown: Optional[View] = None
    if fields is not None:
        from dxcli.output.fields import parse, select

        names = parse(fields)
        result = select(result, names, command)
        shown = View(columns=names)
    if not out.for_people:
        if shown is None and result == []:
            shown = View(columns=_declared(command))
        out.rows(result, term, shown)
        return
    page = None
    if view is not None and fields is None:
        from dxcli.output import views

        shown, page = views.build(view, result, **context)
    _for_person(result, out, term, shown or View(), page)


def _for_person(data: Any, out: formats.Format, term: Terminal, view: View, page: Any) -> None:
    from dxcli.output import pager

    name = out.name
    if page is not None and data:
        from dxcli.output.pages import doc_text

        text = doc_text(page(), "markdown" if name == "markdown" else "table", term)
        if name == "table":
            pager.show(text, term)
        else:
            term.stdout.write(text)
        return
    if name != "table":
        out.rows(data, term, view)
        return
    from dxcli.output.views import for_people, fits

    view = for_people(data, view)
    width = page_width(term)
    if isinstance(data, list) and data and (width < NARROW or not fits(data, view, width)):
        from dxcli.output.pages import doc_text, records_doc

        pager.show(doc_text(records_doc(data, view), name, term), term)
        return
    with pager.paged(term) as t:
        out.rows(data, t, view)


def _report(report: Report, out: formats.Format, term: Terminal, fields: Optional[str], command: str, view: Optional[str], context: dict[str, Any]) -> None:
    """A report: its alerts (red flags) on stderr too, unless a person's page shows them
    whole; with --fields, the fields of its flat rows in every format."""
    if not (out.name == "table" and fields is None):
        from dxcli.errors import tell

        for line in report.alerts:  # from data and packs: made inert on the way, as every message
            tell(line, "dxcli: RED FLAG: ", "  ", term.stderr)
    if fields is not None:
        present(report.flat, out.name, term, fields=fields, command=command)
        return
    if not out.for_people or view is None:
        out.report(report, term)
        return
    from dxcli.output import views

    _, page = views.build(view, report.doc, **context)
    _for_person(report.doc, out, term, View(), page)


def _document(doc: Any, name: Optional[str], fields: Optional[str], term: Terminal) -> None:
    """One JSON document (a schema): JSON whatever the default format, NDJSON on one line;
    CSV or TSV asked for by name is refused."""
    if fields is not None:
        from dxcli.errors import InvalidInput

        raise InvalidInput("--fields selects fields of rows; a schema is one document", hint="leave out --fields, or use jq on the document")
    if name in ("csv", "tsv"):  # a document has no rows: CSV or TSV of it would be ragged text
        from dxcli.errors import InvalidInput

        raise InvalidInput(f"a schema is one JSON document: it has no rows for {name.upper()}",
                           hint="leave out -f (JSON), or -f ndjson for it on one line")
    term.stdout.write(json_text(doc, indent=None if name == "ndjson" else 2) + "\n")


def _declared(command: str) -> Optional[list[str]]:
    """The fields a command's rows have, from its declared output (for the header of an
    empty CSV or TSV)."""
    if not command:
        return None
    from dxcli.output.schemas import OUTPUTS, fields_of

    return fields_of(command) if command in OUTPUTS else None
