"""A plugin that prints as it loads, from its command hook, and from a thread it
starts; that closes sys.stdout and replaces sys.stderr."""

import io
import sys
import threading

from mutuality_plugins import hookimpl

print("loading chatter")


def later():
    print("a thread of the plugin says something")


@hookimpl
def mutuality_commands():
    print("here are my commands")
    return []


@hookimpl
def mutuality_extract_feedback(note):
    thread = threading.Thread(target=later)
    thread.start()
    thread.join()
    sys.stdout.close()
    sys.stderr = io.StringIO()  # hides what anyone says... if it were followed
