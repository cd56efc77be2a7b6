"""pytest set-up for the facade's functional tests, which run Nova in-process.

They need Nova patched for native threads before anything imports eventlet,
exactly as the driver's suites do: the one set-up lives in
higgins_virt/tests/conftest.py (see its docstring), imported from here so it
also runs when only this directory is tested.
"""
from higgins_virt.tests import conftest  # noqa: F401
