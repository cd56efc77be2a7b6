"""pytest set-up shared by every Higgins test suite.

nova-compute 34 runs on native threads. Nova's harness enforces it only if it
is patched before any library imports eventlet (futurist does when eventlet is
installed), so this happens first, before any test module imports Nova.
"""
import os

os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')

from nova import monkey_patch  # noqa: E402

monkey_patch.patch()
