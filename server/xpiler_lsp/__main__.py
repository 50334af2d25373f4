"""``xpiler-lsp`` / ``python -m xpiler_lsp``: start the language server (stdio by default)."""
from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="xpiler-lsp", description="The Xpiler language server.")
    ap.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    ap.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP address instead of stdio")
    args = ap.parse_args(argv)
    import os as _os
    import sys as _sys

    if _os.environ.get("XPILER_LSP_STACKS"):  # debugging: kill -USR1 <pid> dumps every thread's stack
        import faulthandler
        import signal

        faulthandler.register(signal.SIGUSR1, file=open(_os.environ["XPILER_LSP_STACKS"], "w"), all_threads=True)

    _sys.setswitchinterval(0.001)  # the event loop gets the GIL back quickly while a parse converts
    from .server import server

    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            ap.error("--tcp expects HOST:PORT, e.g. 127.0.0.1:2087")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0


if __name__ == "__main__":
    sys.exit(main())
