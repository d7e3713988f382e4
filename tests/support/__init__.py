"""What the tests share: data builders, harnesses and constants.

No tests and no fixtures here: conftest.py files build their fixtures from these.
"""
