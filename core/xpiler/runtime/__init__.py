"""CPU execution of every dialect: emulation runtimes, the run API, the sandbox.

    from xpiler.runtime import execute, run_kernel
"""
from .run import Execution, execute, run_kernel

__all__ = ["Execution", "execute", "run_kernel"]
