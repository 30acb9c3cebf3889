"""Writing output files so that a crash or a rerun never leaves half a file behind; removing trees
that student code made. Standard library only: the sandbox's launcher imports this too."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: str | bytes) -> bool:
    """Replace ``path`` by ``content`` in one rename (text as UTF-8).

    Returns False, writing nothing, when the file already holds exactly that: reruns change nothing.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    path = Path(path)
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the file from the rest of the staff group
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def remove_tree(top: str) -> None:
    """Delete a file or a whole tree without recursion (a student's tree can be deeper than any stack)
    and whatever permissions student code set; what cannot be removed stays, for the caller to see."""
    stack = [(top, False)]
    while stack:
        path, emptied = stack.pop()
        try:
            if emptied:
                os.rmdir(path)
            elif os.path.islink(path) or not os.path.isdir(path):
                os.unlink(path)
            else:
                os.chmod(path, 0o700)
                stack.append((path, True))
                stack.extend((entry.path, False) for entry in os.scandir(path))
        except OSError:
            continue
