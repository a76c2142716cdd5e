"""`paperbot demo` as a new user runs it: no network, no keys, piped commands (issue 20)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from paperbot.demo import PLOS, QUANT_PH, moved
from tests.paperbot.test_cli import run_paperbot

COMMANDS = (
    b"/size 30\n/digest now\n>1 what is new here?\n/search entanglement\n/more 1\n"
    b"/ask 2501.10120 which GPUs were used for training?\n"
)


async def test_the_demo_digest_questions_search_and_more_work_offline(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "", "LLM_BASE_URL": "", "LLM_MODEL": "", "ADAPTERS": "console",
           "ARXIV_RSS_URL": "http://127.0.0.1:9/never/"}  # the demo points sources at itself
    code, out, err = await run_paperbot(["demo"], env, COMMANDS, cwd=tmp_path)
    assert code == 0, err
    today = datetime.now(UTC).date().isoformat()
    assert f"=== Papers for {today} ===" in out and "24 new papers" in out
    sections = re.findall(r"^--- (.+) \(\d+\) ---$", out, re.MULTILINE)
    assert {"quant-ph", "bioinformatics", "PLOS Computational Biology: New Articles"} <= set(
        sections
    )  # arXiv, bioRxiv and a journal
    assert "Extracts from the paper (no LLM configured):" in out  # >1 answered
    assert "Read from the abstract only" in out  # and says from what
    assert "Integrating Entanglement Purification" in out.split("/search")[-1] or "[1]" in out
    assert "Read from the PDF full text of [PaSa" in out  # the shipped full text answers
    assert "§5.1 Experimental Setting" in out
    assert "could not be reached" not in out and "Traceback" not in err
    assert err.strip() == ""  # no library progress bars or warnings on the console
    db = re.search(r"DATABASE_URL=sqlite\+aiosqlite:///(\S+)", out)
    assert db is not None and Path(db[1]).exists()


def test_dates_move_with_their_weekdays() -> None:
    shifted = moved(QUANT_PH.read_bytes(), 7).decode()
    assert "Mon, 05 May 2025" in shifted and "Mon, 28 Apr 2025" not in shifted
    assert b"2025-04-20" in moved(PLOS.read_bytes(), 7)
