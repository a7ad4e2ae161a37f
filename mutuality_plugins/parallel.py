"""Reading many notes on every core.

Reading a note is Python code (parsing, the plugins' extractors), so threads would take
turns: batches of notes are read in processes instead, forked from this one, so that they
have the plugins loaded and set up already (where forking is safe:
:func:`.platforms.cores_to_fork`); elsewhere, and for few notes, this process reads
them itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from .platforms import cores_to_fork, forked_pool

T = TypeVar("T")

# A batch is about 30 ms of reading: enough to pay for sending it back, small enough to
# share the notes evenly between the processes.
BATCH = 200
# Fewer notes than this are read here: starting the processes would cost more than it gains.
AT_ONCE_FROM = 600

_work: Callable[[Sequence[str]], Any] | None = None
"""The work of the processes forked (set just before they are)."""


def workers_for(notes: int) -> int:
    """How many processes to read ``notes`` notes with (1: this one only)."""
    return max(1, min(cores_to_fork(), notes // (AT_ONCE_FROM // 2)))


def in_batches(work: Callable[[Sequence[str]], list[T]], paths: Sequence[str],
               workers: int) -> Iterator[list[T]]:
    """``work`` done on each batch of ``paths``, the results in the order of the paths,
    a batch at a time; by ``workers`` processes forked from this one when more than one.
    An error in ``work`` is raised here."""
    batches = [paths[start:start + BATCH] for start in range(0, len(paths), BATCH)]
    if workers <= 1:
        yield from map(work, batches)
        return
    from concurrent.futures.process import BrokenProcessPool

    global _work
    _work = work
    done = 0
    pool = forked_pool(workers)
    try:
        for batch in pool.map(_do_work, batches):
            yield batch
            done += 1
    except BrokenProcessPool:  # a process ended (a plugin's os._exit): the rest read here
        yield from map(work, batches[done:])
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        _work = None


def _do_work(batch: Sequence[str]) -> Any:
    assert _work is not None, "called in a process forked by in_batches only"
    return _work(batch)
