"""Bar charts drawn on the server as SVG, for people comparing schools: no JavaScript, and
every chart sits beside a table of its numbers (the table is what assistive technology reads;
the drawing is hidden from it)."""

from dataclasses import dataclass

BAR = 14  # px, one bar
GAP = 10  # px between schools
LABEL = 220  # px for the school's name
WIDTH = 640


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    value: int
    series: int  # 0 or 1: which of the pair, for its colour


@dataclass(frozen=True)
class Chart:
    title: str
    series: tuple[str, str]
    labels: list[tuple[int, str]]  # (y, school)
    bars: list[Bar]
    height: int
    rows: list[tuple[str, int, int]]  # the table beside it

    @property
    def label_x(self) -> int:
        return LABEL - 8


def pair_chart(title: str, series: tuple[str, str], rows: list[tuple[str, int, int]]
               ) -> Chart:
    """Two bars a school: `series` names them; `rows` are (school, first, second)."""
    most = max([max(a, b) for _, a, b in rows] + [1])
    room = WIDTH - LABEL - 40
    bars, labels = [], []
    y = 30
    for school, first, second in rows:
        labels.append((y + BAR, school))
        for n, value in enumerate((first, second)):
            bars.append(Bar(x=LABEL, y=y + n * BAR, width=round(room * value / most),
                            value=value, series=n))
        y += 2 * BAR + GAP
    return Chart(title=title, series=series, labels=labels, bars=bars, height=y + 10,
                 rows=rows)
