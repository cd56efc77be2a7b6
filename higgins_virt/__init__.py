"""Higgins virt driver: Nova instances as containers on a container engine."""
