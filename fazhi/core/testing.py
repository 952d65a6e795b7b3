"""Test support shared by every module: personas of the demo government and the scoping contract.

Filled in by the spine issue; later modules import from here.
"""
