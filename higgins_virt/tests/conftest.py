"""pytest set-up for the suites here, which import Nova.

nova-compute 34 runs on native threads. Nova's harness enforces it only if it
is patched before any library imports eventlet (futurist does when eventlet is
installed), so this happens when pytest loads this file, before any test
module here imports Nova. pytest loads it early because tox.ini's testpaths
(and tox's commands) name this directory. Suites that need no Nova (the
facade's unit tests, higgins_common, contrib) keep no such set-up, so they
prove they run without it.
"""
import os

os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')

from nova import monkey_patch  # noqa: E402

# Idempotent: a second suite's conftest patching again changes nothing.
monkey_patch.patch()
