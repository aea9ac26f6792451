"""`python -m emulator --port 8100 [--host 127.0.0.1] [--verbose]`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from emulator.server import make_server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    server = make_server(args.host, args.port, verbose=args.verbose)

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever() to return, so it cannot run on this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address[:2]
    sys.stdout.write(f"emulator listening on http://{host}:{port}\n")
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.1)  # how soon a stop request is noticed
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
