"""Sphinx configuration for the xloudclient release notes."""

project = 'xloudclient release notes'
extensions = ['reno.sphinxext']
exclude_patterns = ['build']
html_theme = 'alabaster'
