"""Higgins facade: a container-native REST API translated into Nova calls."""
