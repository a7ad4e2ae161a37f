"""A progress bar on stderr, shown only when a scan takes more than a moment."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

import click

if TYPE_CHECKING:  # click names the type only in a private module
    from click._termui_impl import ProgressBar as ClickProgressBar

SHOW_AFTER_SECONDS = 0.5


class ProgressBar:
    """Call with (done, total); draws on a terminal's stderr once the work runs long.

    Use as a context manager so the bar is closed (and its line ended) at the end.
    """

    def __init__(self, label: str, stream: TextIO | None = None):
        self._label = label
        self._stream = stream or sys.stderr
        self._started = time.monotonic()
        self._bar: ClickProgressBar[int] | None = None
        self._shown = 0
        self._enabled = self._stream is not None and self._stream.isatty()  # stderr closed

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        if self._bar is None:
            if time.monotonic() - self._started < SHOW_AFTER_SECONDS:
                return
            self._bar = click.progressbar(length=total, label=self._label, file=self._stream)
            self._bar.__enter__()
        self._bar.update(done - self._shown)
        self._shown = done

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc_info)
