"""Read the reference service's recorded exchanges (vendored in ``tests/data/wire-samples``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "wire-samples"
_VOLATILE = re.compile(
    r'"(conversation_id|request_id|id)": ?"[^"]*"|"(created_at|completed_at)": ?\d+'
)


def sample(name: str) -> tuple[int, dict[str, str], str]:
    """Status, headers (lower-cased) and body of a recorded response."""
    text = (SAMPLES / name).read_text()
    response = text[text.index("HTTP/1.1") :]
    header_block, _, body = response.partition("\n\n")
    lines = header_block.splitlines()
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    return status, headers, body


def sample_json(name: str) -> Any:
    return json.loads(sample(name)[2])


def mask_ids(text: str) -> str:
    """Replace identifiers and timestamps, which differ between runs."""
    return _VOLATILE.sub(lambda m: m.group(0).split(":")[0] + ": <masked>", text)
