"""The slowest and largest notes mutuality may meet: time and memory per note.

Each hostile note is read on its own, next to an ordinary 2 KB session note read the
same way in the same run, with its time (best of three) and the peak memory the
read allocated (tracemalloc). Target: no note may take more than a second, and
memory stays bounded by the caps (4 MiB a note, 64 KiB of front-matter).

Usage::

    python benchmarks/hostile_notes.py
"""

from __future__ import annotations

import time
import tracemalloc
from functools import partial

from mutuality_plugins.config import Settings
from mutuality_plugins.errors import NoteProblem
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.reading.note import MAX_NOTE_BYTES, read_session

HEAD = "---\nclient: RM-07\ndate: 2026-11-20\n---\n"
BIG = MAX_NOTE_BYTES - 100


def hostile_notes() -> dict[str, bytes]:
    ordinary = (HEAD + "We talked about the week. #feedback/pacing/too-fast\n" * 40).encode()
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{b}: &{b} [{','.join(['*' + a] * 9)}]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True))
    return {
        "ordinary session note (baseline)": ordinary,
        "4 MiB of backtick code marks": (HEAD + "`a" * (BIG // 2)).encode(),
        "4 MiB of backtick pairs and spaces": (HEAD + "` " * (BIG // 2)).encode(),
        "4 MiB of # tags": (HEAD + "#a " * (BIG // 3)).encode(),
        "49,999 code marks (under the cap)": (HEAD + "`a " * 49_999).encode(),
        "49,999 tags (under the cap)": (HEAD + "#a " * 49_999).encode(),
        "4 MiB of fences": (HEAD + "```\n" * (BIG // 4)).encode(),
        "4 MiB on one line": (HEAD + "x" * BIG).encode(),
        "4 MiB of NUL bytes": HEAD.encode() + b"\x00" * BIG,
        "64 KiB of {{ placeholders": f"---\nclient: RM-07\nx: '{'{{' * 30000}'\n---\n".encode(),
        "64 KiB of <% placeholders": f"---\nclient: RM-07\nx: '{'<%' * 30000}'\n---\n".encode(),
        "alias bomb": f"---\nclient: RM-07\n{bomb}---\n".encode(),
        "999 levels of nesting": f"---\nclient: RM-07\nx: {'[' * 999}{']' * 999}\n---\n".encode(),
        "64 KiB front-matter of many keys": (
            "---\nclient: RM-07\n" + "".join(f"k{i}: v\n" for i in range(7000)) + "---\n").encode(),
        "60 KiB front-matter of 10,000 clients": (
            "---\nclient: [" + ",".join(f"c{i}" for i in range(10000)) + "]\n---\n").encode(),
        "a note over the size cap": (HEAD + "x" * (MAX_NOTE_BYTES + 10)).encode(),
    }


def main() -> None:
    manager = get_plugin_manager()
    extract = partial(manager.hook.mutuality_extract_feedback, settings=Settings())
    print(f"{'note':<36} {'best of 3':>10} {'peak memory':>12}  outcome")
    for name, raw in hostile_notes().items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            outcome = _read(raw, extract)
            times.append(time.perf_counter() - started)
        tracemalloc.start()
        _read(raw, extract)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:<36} {min(times):>9.3f}s {peak / 2**20:>9.1f} MiB  {outcome}")


def _read(raw: bytes, extract) -> str:
    try:
        session = read_session(raw, "Clients/RM-07/2026-11-20 RM-07.md", extract, Settings())
    except NoteProblem as problem:
        return f"problem: {str(problem)[:50]}"
    return "session" if session else "not a session"


if __name__ == "__main__":
    main()
