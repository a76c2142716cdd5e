"""arXiv API Atom entries for real corpus records (../shared/reference/corpus), as the API
writes them: for fakes that must answer `id_list` for papers no recording covers."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from tests.conftest import SHARED

CORPUS = SHARED / "reference" / "corpus" / "arxiv_2025.jsonl.gz"


def corpus_records(ids: Iterable[str] = (), limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Corpus records: those with these ids (all when none), the first `limit` of them."""
    wanted, given = set(ids), 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if wanted and record["id"] not in wanted:
                continue
            yield record
            given += 1
            if limit is not None and given >= limit:
                return


def atom_entry(record: dict[str, Any], version: int, comment: str | None = None) -> str:
    """One `<entry>` for the record at `version` (its own comment unless `comment` is given)."""
    text = record.get("comment") if comment is None else comment
    text = "" if text in (None, "None") else str(text)
    day = record["announced_date"]
    return (
        f"<entry><id>http://arxiv.org/abs/{record['id']}v{version}</id>"
        f"<title>{escape(record['title'])}</title><updated>{day}T00:00:00Z</updated>"
        f"<published>{day}T00:00:00Z</published><summary>{escape(record['abstract'])}</summary>"
        f"<arxiv:comment>{escape(text)}</arxiv:comment>"
        f'<arxiv:primary_category term="{record["primary_category"]}"/>'
        "<author><name>A. Author</name></author></entry>"
    )


def atom_feed(entries: Iterable[str]) -> str:
    """The feed around the entries, with the API's namespaces."""
    body = list(entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        f"<opensearch:totalResults>{len(body)}</opensearch:totalResults>{''.join(body)}</feed>"
    )
