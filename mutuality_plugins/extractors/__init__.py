"""The built-in sources of feedback: ordinary plugins of the extractor hook.

Each is registered last-first (``trylast``) so that an outside plugin's answer for an
item comes first when fields are merged.
"""
