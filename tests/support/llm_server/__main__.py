"""``python -m tests.support.llm_server [--port N]``: serve until SIGTERM or SIGINT.

Prints ``READY port=<port>`` once it accepts connections, so a parent can wait for it.
"""

from __future__ import annotations

import argparse
import signal
import threading

from .server import LLMServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.llm_server", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    args = parser.parse_args(argv)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    with LLMServer(args.port) as server:
        print(f"READY port={server.port}", flush=True)
        stopping.wait()


if __name__ == "__main__":
    main()
