"""A page of results whose total is already known (from a facet or count query the page makes
anyway), with the attributes Django's Page offers to templates, so no extra COUNT(*) runs."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class CountedPage:
    number: int
    page_size: int
    count: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return 0 if not self.count else (self.number - 1) * self.page_size + 1

    @property
    def end_index(self) -> int:
        return min(self.number * self.page_size, self.count)
