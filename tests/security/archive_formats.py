"""Rewrite an archive of today's format as an older site wrote it, to prove that old backups still restore."""

from __future__ import annotations

import hashlib
import json

from events.archive import DATA_NAME, MANIFEST_NAME, ROWS_PREFIX


def as_format_2(members: dict[str, bytes]) -> dict[str, bytes]:
    """Format 2 held every row in one JSON array, data.json, in load order; format 3 has a member per table."""
    manifest = json.loads(members[MANIFEST_NAME])
    rows = []
    for table in manifest.pop("tables"):
        text = members.pop(table["member"]).decode()
        rows.extend(json.loads(line) for line in text.splitlines() if line.strip())
        del manifest["sha256"][table["member"]]
    assert not any(name.startswith(ROWS_PREFIX) for name in members)
    members[DATA_NAME] = json.dumps(rows).encode()
    manifest["sha256"][DATA_NAME] = hashlib.sha256(members[DATA_NAME]).hexdigest()
    manifest["format"] = 2
    manifest.pop("missing", None)
    members[MANIFEST_NAME] = json.dumps(manifest).encode()
    return members
