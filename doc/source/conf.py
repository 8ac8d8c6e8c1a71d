"""Sphinx configuration for the xloudclient documentation."""

project = 'xloudclient'
copyright = 'xloudclient developers'
extensions = ['cliff.sphinxext']
exclude_patterns = ['build']
html_theme = 'alabaster'
# Rendered command reference: `openstack <command>` as users type it.
autoprogram_cliff_application = 'openstack'
