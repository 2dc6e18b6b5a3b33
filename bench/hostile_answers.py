"""Peak memory and time of one call against a hostile answer (huge JSON, gzip bombs, a drip).

    .venv/bin/python bench/hostile_answers.py            # every case, each in a fresh process
    .venv/bin/python bench/hostile_answers.py --case json-128m

Each case runs in its own process: a loopback server thread streams the answer in 1 MiB pieces
(so it holds little itself) and the SDK reads it. Printed: the call's outcome, its duration, and
the process's peak RSS above what it had before the call. The client's timeout is 5 s per
phase (so its default call deadline is 20 s); the drip server gives up after 60 s. A benchmark,
not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import socket
import socketserver
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator

MIB = 1 << 20
PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
LISTING_HEAD = b'{"agents":[],"online_count":0,"offline_count":0,"success":true'


def _gzip(pieces: Iterator[bytes]) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    compressed = [compressor.compress(piece) for piece in pieces]
    return b"".join([*compressed, compressor.flush()])


def _padding(total: int, byte: bytes = b" ") -> Iterator[bytes]:
    for _ in range(total // MIB):
        yield byte * MIB


def _json_128m() -> tuple[dict[str, str], Iterator[bytes]]:
    size = len(LISTING_HEAD) + 128 * MIB + 1
    body = itertools.chain([LISTING_HEAD], _padding(128 * MIB), [b"}"])
    return {"Content-Type": "application/json", "Content-Length": str(size)}, body


def _gzip_bomb_listing() -> tuple[dict[str, str], Iterator[bytes]]:
    bomb = _gzip(itertools.chain([LISTING_HEAD], _padding(256 * MIB), [b"}"]))
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    return {**headers, "Content-Length": str(len(bomb))}, iter([bomb])


def _gzip_bomb_task() -> tuple[dict[str, str], Iterator[bytes]]:
    bomb = _gzip(itertools.chain(_padding(256 * MIB, b"a"), [b"\n[AGENTFM: NO_FILES]\n"]))
    headers = {"Content-Type": "text/plain", "Content-Encoding": "gzip"}
    return {**headers, "Content-Length": str(len(bomb))}, iter([bomb])


def _drip() -> tuple[dict[str, str], Iterator[bytes]]:
    def dripping() -> Iterator[bytes]:
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            yield b" "
            time.sleep(0.5)

    return {"Content-Type": "application/json", "Content-Length": "100000"}, dripping()


CASES = {
    "json-128m": (_json_128m, "workers.list"),
    "gzip-bomb-listing": (_gzip_bomb_listing, "workers.list"),
    "gzip-bomb-task": (_gzip_bomb_task, "tasks.run"),
    "drip-1-byte-per-0.5s": (_drip, "workers.list"),
}


def _serve(case: str) -> str:
    headers, body = CASES[case][0]()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            connection: socket.socket = self.request
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            head = ["HTTP/1.1 200 OK", *(f"{name}: {value}" for name, value in headers.items())]
            try:
                connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
                for piece in body:
                    connection.sendall(piece)
            except OSError:
                pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(case: str) -> None:
    from agentfm import AgentFMClient

    url = _serve(case)
    # A 5 s phase timeout: every drip arrives well within it, so only a call deadline ends it.
    client = AgentFMClient(url, api_key=None, retries=0, timeout=5)
    call = CASES[case][1]
    before = _peak_rss_mib()
    started = time.monotonic()
    try:
        if call == "workers.list":
            client.workers.list()
        else:
            client.tasks.run(worker_id=PEER, prompt="hi")
        outcome = "returned"
    except Exception as error:  # the outcome is what is measured
        outcome = f"{type(error).__name__}({getattr(error, 'code', '')})"
    elapsed = time.monotonic() - started
    print(
        f"{case:22} {call:13} {outcome:40} {elapsed:7.1f} s  "
        f"peak RSS +{_peak_rss_mib() - before:7.0f} MiB"
    )


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=sorted(CASES))
    options = parser.parse_args(arguments)
    if options.case:
        run_case(options.case)
        return
    for case in CASES:
        subprocess.run([sys.executable, __file__, "--case", case], check=False)


if __name__ == "__main__":
    main(sys.argv[1:])
