"""`paperbot demo`: the console on a temporary database, fed by real recorded feeds that ship
in the package (arXiv quant-ph RSS, bioRxiv `details`, PLOS Computational Biology's Atom
feed), served from a loopback server with their dates moved to today. No network, no keys.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiohttp import web
from pypdf import PdfReader

from bot.config import Settings
from bot.sources.types import FetchedPaper
from paperbot.server import CoreHttpServer

DATA = Path(__file__).parent / "demo_data"
QUANT_PH = DATA / "arxiv_rss_quant-ph_2025-04-28.xml"
PLOS = DATA / "plos-compbiol_atom_2025-04-13.xml"
BIORXIV = DATA / "biorxiv_api_details_2020-01-01_2022-12-31_cursor0.json"
PASA_PDF = DATA / "arxiv_pdf_2501.10120v1_PaSa.pdf"
PASA_ID = "2501.10120"
PASA_TITLE = "PaSa: An LLM Agent for Comprehensive Academic Paper Search"
RECORDED_ON = {QUANT_PH: date(2025, 4, 28), PLOS: date(2025, 4, 13)}
PLOS_PATH = "/journals/plos-compbiol.atom"
TOPICS = ("cat:quant-ph entanglement", "subject:bioinformatics", f"feed:{{base}}{PLOS_PATH}")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_RFC822 = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) (" + "|".join(MONTHS)
                     + r") (\d{4})")  # fmt: skip
_ISO = re.compile(r"(?<![\d.])(\d{4})-(\d{2})-(\d{2})(?!\d)")
TRY = (
    "Try: /digest now · >1 what is new here? · /search entanglement · /more 1 · "
    f"/ask {PASA_ID} which GPUs were used? (answered from the paper's full text) · /help"
)


def moved(content: bytes, days: int) -> bytes:
    """A recorded feed with every RFC 822 and ISO date moved by `days` (weekdays follow)."""

    def rfc(match: re.Match[str]) -> str:
        day = date(int(match[3]), MONTHS.index(match[2]) + 1, int(match[1]))
        day += timedelta(days=days)
        return f"{WEEKDAYS[day.weekday()]}, {day.day:02d} {MONTHS[day.month - 1]} {day.year}"

    def iso(match: re.Match[str]) -> str:
        day = date(int(match[1]), int(match[2]), int(match[3])) + timedelta(days=days)
        return day.isoformat()

    text = content.decode("utf-8")
    return _ISO.sub(iso, _RFC822.sub(rfc, text)).encode("utf-8")


def biorxiv_page(today: date, cursor: int) -> bytes:
    """The recorded `details` page with every record posted today (one page, then none)."""
    if cursor > 0:
        return json.dumps({"messages": [{"status": "no posts found"}], "collection": []}).encode()
    page = json.loads(BIORXIV.read_bytes())
    records = [record | {"date": today.isoformat()} for record in page["collection"]]
    count = len(records)
    interval = f"{today.isoformat()}:{today.isoformat()}"
    message = {"status": "ok", "interval": interval, "cursor": 0, "count": count,
               "count_new_papers": str(count), "total": str(count)}  # fmt: skip
    return json.dumps({"messages": [message], "collection": records}).encode()


def demo_routes(today: date) -> list[web.RouteDef]:
    """The loopback routes serving the recorded feeds as of `today`."""
    feeds = {p: moved(p.read_bytes(), (today - day).days) for p, day in RECORDED_ON.items()}

    async def arxiv(request: web.Request) -> web.Response:
        if request.match_info["category"] != "quant-ph":  # only quant-ph was recorded
            return web.Response(status=404, text="not in the demo")
        return web.Response(body=feeds[QUANT_PH], content_type="application/rss+xml")

    async def plos(_request: web.Request) -> web.Response:
        return web.Response(body=feeds[PLOS], content_type="application/atom+xml")

    async def biorxiv(request: web.Request) -> web.Response:
        cursor = int(request.match_info["cursor"]) if request.match_info["cursor"].isdigit() else 0
        return web.Response(body=biorxiv_page(today, cursor), content_type="application/json")

    async def pdf(request: web.Request) -> web.Response:
        if not request.match_info["id"].startswith(PASA_ID):
            return web.Response(status=404, text="not in the demo")
        return web.Response(body=PASA_PDF.read_bytes(), content_type="application/pdf")

    async def missing(_request: web.Request) -> web.Response:
        return web.Response(status=404, text="not in the demo")

    return [
        web.get("/rss/{category}", arxiv),
        web.get(PLOS_PATH, plos),
        web.get("/pdf/{id}", pdf),
        web.get("/biorxiv/details/{server}/{start}/{end}/{cursor}", biorxiv),
        web.get("/{tail:.*}", missing),
    ]


async def start_demo(base: Settings, folder: Path | None = None) -> tuple[Settings, CoreHttpServer]:
    """Serve the demo feeds on 127.0.0.1; settings pointing every source at them."""
    today = datetime.now(UTC).date()
    server = CoreHttpServer(demo_routes(today))
    port = await server.start("127.0.0.1", 0)
    url = f"http://127.0.0.1:{port}"
    where = folder or Path(tempfile.mkdtemp(prefix="paperbot-demo-"))
    settings = base.model_copy(update={
        "database_url": f"sqlite+aiosqlite:///{where / 'demo.db'}",
        "arxiv_rss_url": f"{url}/rss/", "arxiv_api_url": f"{url}/api/query",
        "arxiv_html_url": f"{url}/html/", "arxiv_pdf_url": f"{url}/pdf/",
        "biorxiv_api_url": f"{url}/biorxiv", "crossref_api_url": f"{url}/crossref",
        "adapters": "console", "llm_base_url": "", "llm_api_key": "", "llm_model": "",
        "http_retries": 1, "feed_allowed_hosts": f"127.0.0.1:{port}",
    })  # fmt: skip
    return settings, server


def topics(settings: Settings) -> list[str]:
    """The demo channel's topics (the PLOS feed on the loopback server)."""
    base = settings.arxiv_rss_url.removesuffix("/rss/")
    return [topic.format(base=base) for topic in TOPICS]


def shipped_paper(today: date) -> FetchedPaper:
    """The paper whose full text ships with the demo; title and abstract from its PDF."""
    reader = PdfReader(io.BytesIO(PASA_PDF.read_bytes()))
    lines = [line.strip() for page in reader.pages[:2] for line in page.extract_text().splitlines()]
    start, end = lines.index("Abstract") + 1, lines.index("1 Introduction")
    abstract = " ".join(lines[start:end]).split("∗Equal contribution")[0].replace("- ", "")
    return FetchedPaper(
        source="arxiv", key=f"arxiv:{PASA_ID}", title=PASA_TITLE, abstract=abstract.strip(),
        authors=("Yichen He", "Guanhua Huang"), announced_on=today, categories=("cs.IR",),
        primary_category="cs.IR", arxiv_id=PASA_ID, version=1,
        abs_url=f"https://arxiv.org/abs/{PASA_ID}", pdf_url=f"https://arxiv.org/pdf/{PASA_ID}v1",
    )  # fmt: skip
