"""Files and folders the app creates, readable by their owner only (DESIGN §8).

The database and its WAL, the write-lock file, the secret key, uploads and exports hold
registrants' data or what protects it; whatever the process's umask, nobody but the
account that runs the app may read them. (A umask only takes permissions away, so a file
made with mode 600 never ends up readable by others.)
"""

import os
from pathlib import Path

OWNER_ONLY = 0o600
OWNER_ONLY_FOLDER = 0o700


def private_folder(path: str | Path) -> Path:
    """Make the folder (and missing parents) if it is not there, open to its owner only."""
    folder = Path(path)
    folder.mkdir(parents=True, mode=OWNER_ONLY_FOLDER, exist_ok=True)
    return folder


def open_private(path: str | Path, flags: int) -> int:
    """os.open() with O_CREAT: a file made now is readable by its owner only."""
    return os.open(path, flags | os.O_CREAT, OWNER_ONLY)


def write_private(path: str | Path, data: bytes) -> None:
    """Write a new file that only its owner may read."""
    with os.fdopen(open_private(path, os.O_WRONLY | os.O_EXCL), "wb") as handle:
        handle.write(data)


def touch_private(path: str | Path) -> None:
    """Make an empty file readable by its owner only, unless it exists (a SQLite database:
    SQLite gives its WAL and shared-memory files the database file's permissions)."""
    try:
        os.close(open_private(path, os.O_WRONLY | os.O_EXCL))
    except FileExistsError:
        return
