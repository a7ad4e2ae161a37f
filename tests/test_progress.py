"""The progress bar: on a terminal's stderr, and only once a scan takes a moment."""

import io

from mutuality_plugins import progress
from mutuality_plugins.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_long_scan_on_a_terminal_shows_a_bar(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0)
    stream = Terminal()
    with ProgressBar("Reading notes", stream) as bar:
        for done in range(1, 11):
            bar(done, 10)
    assert "Reading notes" in stream.getvalue()
    assert "100%" in stream.getvalue()


def test_a_quick_scan_shows_nothing(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 3600)
    stream = Terminal()
    with ProgressBar("Reading notes", stream) as bar:
        bar(1, 1)
    assert stream.getvalue() == ""


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0)
    stream = io.StringIO()
    with ProgressBar("Reading notes", stream) as bar:
        bar(1, 1)
    assert stream.getvalue() == ""
