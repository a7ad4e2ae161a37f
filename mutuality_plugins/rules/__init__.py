"""The built-in alert rules, each an ordinary plugin of the rule hook.

Every rule is a pure function of one client's sessions in order: the same vault
always gives the same alerts.
"""
