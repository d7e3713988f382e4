"""The digest's booked-meetings figures (handoff/digest/bookings.py), counted by hand."""

from __future__ import annotations

from handoff.digest.booked import (
    CANCELED,
    NOBODY,
    QUALIFIED,
    UNQUALIFIED,
    BookedRow,
    booked_meetings,
    median,
)


def test_counts_per_state_sdr_and_source_with_the_median_time_to_qualify():
    rows = [
        BookedRow("U1", "linkedin", QUALIFIED, 600),
        BookedRow("U1", "linkedin", QUALIFIED, 3000),
        BookedRow("U1", "calendly", UNQUALIFIED),
        BookedRow("U2", "linkedin", CANCELED),
        BookedRow(NOBODY, "calendly", UNQUALIFIED),
    ]
    figures = booked_meetings(rows)
    total = figures.total
    assert (total.booked, total.qualified, total.unqualified, total.canceled) == (5, 2, 2, 1)
    assert total.still_on == 4
    assert total.median_seconds == 1800  # the mean of the two middle values
    assert [(g.key, g.booked, g.unqualified) for g in figures.sdrs] == [
        ("U1", 3, 1),
        ("", 1, 1),  # most booked first; unmatched bookings are a row of their own
        ("U2", 1, 0),
    ]
    assert [(g.key, g.booked) for g in figures.sources] == [("linkedin", 3), ("calendly", 2)]


def test_nothing_booked_is_an_empty_section_and_median_of_odd_counts():
    assert booked_meetings([]).total.booked == 0
    assert median([]) is None
    assert median([5, 1, 3]) == 3
