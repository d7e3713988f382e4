"""Confidence intervals for rates and for the difference of two rates.

Wilson's score interval for one proportion, and Newcombe's hybrid score interval
(method 10 of Newcombe 1998, "Interval estimation for the difference between independent
proportions", Statistics in Medicine 17:873-890) for a difference of two. Both stay inside
[0, 1] / [-1, 1] and behave at 0/n and n/n, where the textbook Wald interval collapses to a
point and claims certainty from nine meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float

    @property
    def spans_zero(self) -> bool:
        return self.low <= 0 <= self.high


def wilson(hits: int, n: int, z: float = Z95) -> Interval | None:
    """The rate hits/n with its Wilson score interval; None when n is 0."""
    if n <= 0:
        return None
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At 0/n and n/n the bound is exactly 0 or 1 (rounding would leave 0.9999…).
    low = 0.0 if hits == 0 else max(centre - half, 0.0)
    high = 1.0 if hits == n else min(centre + half, 1.0)
    return Interval(p, low, high)


def newcombe(hits1: int, n1: int, hits2: int, n2: int, z: float = Z95) -> Interval | None:
    """hits1/n1 − hits2/n2 with Newcombe's hybrid score interval; None when a side is empty."""
    first, second = wilson(hits1, n1, z), wilson(hits2, n2, z)
    if first is None or second is None:
        return None
    p1, p2 = first.estimate, second.estimate
    d = p1 - p2
    low = d - sqrt((p1 - first.low) ** 2 + (second.high - p2) ** 2)
    high = d + sqrt((first.high - p1) ** 2 + (p2 - second.low) ** 2)
    return Interval(d, low, high)
