"""Parsing at the edge: from a note's bytes to a :class:`~mutuality_plugins.model.Session`."""
