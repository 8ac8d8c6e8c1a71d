"""The only code that speaks HTTP: see doc/source/architecture.rst
(Why raw REST) and neutron.py."""
