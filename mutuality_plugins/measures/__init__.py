"""Measures: questionnaires whose scores the therapist records in session notes.

A plugin declares a measure (:class:`~mutuality_plugins.Measure`) through the
``mutuality_measures`` hook; from the declaration alone mutuality reads and checks its
scores (:mod:`.reading`), gives each client's course on it a class (:mod:`.outcome`),
charts it in the digest, and runs the outcome rules over it.
"""
