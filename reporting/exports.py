"""The information officer's exports: one LA's return for a term (a row a school) and a series
of terms, as CSV and XLSX. Counts only: a school, never a pupil or a parent.

Small numbers. Published counts from 1 up to one below the LA's threshold (5 unless it says
otherwise) could identify a child, so a published export shows them as "[c]", the Government
Statistical Service symbol for a value withheld as confidential. Where any cell of a column is
withheld, the column's total is rounded to the nearest 5, as DfE statistics round totals, so a
withheld cell cannot be worked out by subtraction. Zeros are shown: they identify no one.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from cases.policies import policy_for
from cases.sources import BEDFORDSHIRE, MONMOUTHSHIRE, NOTTINGHAMSHIRE, ST_PANCRAS, cite

from .columns import COLUMNS
from .selectors import HEADINGS, TermTable

WITHHELD = "[c]"
NOT_TAKEN = "[x]"  # GSS: not available (no return taken for the school)
LEADING = ["LA code", "LA", "School", "DfE number", "Term", "Counts from", "Counts to",
           "Revision", "Submitted on"]


@dataclass(frozen=True)
class Export:
    rows: list[list]  # the header first
    notes: list[list[str]]


def _round_total(value: int) -> int:
    return 5 * round(value / 5)


def build(tables: list[TermTable], *, suppress: bool) -> Export:
    threshold = tables[0].la.small_number_threshold if tables else 5
    rows: list[list] = [[*LEADING, *HEADINGS]]
    for table in tables:
        withheld_any = [False] * len(COLUMNS)
        for row in table.rows:
            taken = row.termly_return
            counts: list = []
            for i, value in enumerate(row.counts):
                if value is None:
                    counts.append(NOT_TAKEN)
                elif suppress and 0 < value < threshold:
                    withheld_any[i] = True
                    counts.append(WITHHELD)
                else:
                    counts.append(value)
            rows.append([
                table.la.code, table.la.name, row.school.name, row.school.dfe_number,
                table.term.name, table.term.counts_from, table.term.ends_on,
                taken.revision if taken else NOT_TAKEN,
                row.submitted.submitted_at.date() if row.submitted else "",
                *counts])
        totals = [(_round_total(total) if suppress and withheld_any[i] else total)
                  for i, total in enumerate(table.totals)]
        rows.append([table.la.code, table.la.name, "All schools", "", table.term.name,
                     table.term.counts_from, table.term.ends_on, "", "", *totals])
    return Export(rows=rows, notes=notes(tables, suppress=suppress, threshold=threshold))


def notes(tables: list[TermTable], *, suppress: bool, threshold: int) -> list[list[str]]:
    la = tables[0].la if tables else None
    policy = policy_for(la) if la else None
    lines = [
        ["Pact termly return", ""],
        ["Source", f"Termly numbers to the LA ({cite(BEDFORDSHIRE, '§15')}); attendance "
                   f"contracts ({cite(NOTTINGHAMSHIRE)}); conduct ({cite(ST_PANCRAS)}, "
                   f"{cite(MONMOUTHSHIRE)})."],
        ["Local policy in force", policy.title if policy else ""],
        ["Terms", "Each term counts events from the day after the previous term ended to "
                  "the term's last day, so every event is counted in exactly one term, by its "
                  "own date."],
        ["Revision", "A return is a stored snapshot. Taking it again gives the same numbers "
                     "while the records stand; a later correction makes a new revision."],
        ["Small numbers", (f"Counts from 1 to {threshold - 1} are shown as {WITHHELD} "
                           "(withheld: could identify a child). A total over a column with a "
                           "withheld count is rounded to the nearest 5.") if suppress else
         "Not withheld: this export is for the LA's own use, not for publication."],
        [NOT_TAKEN, "No return was taken for the school for the term."],
        ["", ""],
        ["Column", "Definition"],
    ]
    lines += [[heading, column.definition] for heading, column in zip(HEADINGS, COLUMNS,
                                                                     strict=True)]
    return lines


def as_csv(export: Export) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in export.rows:
        writer.writerow([value.isoformat() if isinstance(value, date) else value
                         for value in row])
    # A byte-order mark so spreadsheet programs read the file as UTF-8 (Welsh school names).
    return ("\ufeff" + buffer.getvalue()).encode()


def as_xlsx(export: Export) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Return"
    for row in export.rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    notes_sheet = book.create_sheet("Notes")
    for line in export.notes:
        notes_sheet.append(line)
    notes_sheet.column_dimensions["A"].width = 48
    notes_sheet.column_dimensions["B"].width = 110
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
