"""Test infrastructure shared by the test suites (real OTLP receiver, fixtures)."""
