"""Shim so Nova loads Higgins as ``compute_driver = higgins.HigginsDriver``.

Nova imports ``'nova.virt.' + CONF.compute_driver``; the real code lives in
``higgins_virt``. This package must stay a one-line re-export.
"""
from higgins_virt.driver import HigginsDriver

__all__ = ['HigginsDriver']
