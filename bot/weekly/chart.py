"""The briefing's chart: papers per topic per day as grouped bars, a PNG made in-process.

matplotlib draws it with its Agg backend (no display, no network) and its bundled DejaVu
fonts, through the object API (a Figure of its own, no pyplot global state). It is imported
on first use, so bots that never send a briefing don't pay for it at startup.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from bot.schedule import DAY_NAMES
from bot.weekly.model import TopicCounts

WIDTH, HEIGHT, DPI = 7.0, 3.4, 100
MAX_LABEL = 32


def chart_png(days: Sequence[date], counts: Sequence[TopicCounts], title: str) -> bytes:
    """Grouped bars of each topic's papers per day, as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.8 / max(len(counts), 1)
    for n, topic in enumerate(counts):
        xs = [i - 0.4 + width * (n + 0.5) for i in range(len(days))]
        axes.bar(xs, topic.per_day, width, label=short(topic.topic))
    axes.set_xticks(range(len(days)), [day_label(d) for d in days])
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylabel("papers")
    axes.set_title(title)
    if counts:
        axes.legend(fontsize="small", frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def short(text: str, limit: int = MAX_LABEL) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def day_label(day: date) -> str:
    """ "Mon 28": the weekday and day of month, the same in every locale."""
    return f"{DAY_NAMES[day.weekday()].title()} {day.day:02d}"
