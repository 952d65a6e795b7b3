"""Fazhi (法治): the rule-of-law government workbench."""
