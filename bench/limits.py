"""The limits of issue 8 item 2 against the real server: `python bench/limits.py`.

Starts `parley serve` on a free port with a fresh SQLite database (default settings, except
the per-client rate limit, raised so the bench measures the other limits) and measures:

1. the 288-byte YAML alias bomb posted to /api/cases/import: answer time, status, server RSS
   (peak, VmHWM) before and after; the server is killed if it passes --max-rss-mb;
2. four concurrent /api/qca requests with 16 conditions and remainders, and the latency of
   GET /api/cases sent meanwhile;
3. a 300 MB chunked upload to /api/qca: how many bytes were sent when the 413 came;
4. a declared 200 MB JSON body to /api/assess: time to the 413.

Prints the numbers; loopback only, every loop bounded in bytes and time.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx

PARLEY = str(Path(sys.executable).with_name("parley"))
MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def alias_bomb() -> bytes:
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return ("\n".join([*lines, "id: *h", "title: *h"]) + "\n").encode()


def qca_csv(k: int = 16, rows: int = 60, seed: int = 8) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["CASE", *(f"C{i}" for i in range(k)), "OUT"])
    for r in range(rows):
        writer.writerow([f"case{r}", *(rng.randint(0, 1) for _ in range(k)), rng.randint(0, 1)])
    return out.getvalue().encode()


def status_of(sock: socket.socket) -> int:
    reply = b""
    while b"\r\n" not in reply:
        chunk = sock.recv(4096)
        if not chunk:
            return 0
        reply += chunk
    return int(reply.split(b" ", 2)[1])


def bench_bomb(url: str, pid: int, max_rss: float) -> None:
    before = rss_mb(pid)
    result: list[object] = []

    def post() -> None:
        try:
            r = httpx.post(f"{url}/api/cases/import", timeout=120,
                           files=[("files", ("bomb.yaml", alias_bomb(), "text/yaml"))])
            result.append(r.status_code)
        except httpx.HTTPError as exc:
            result.append(type(exc).__name__)

    start = time.monotonic()
    t = threading.Thread(target=post)
    t.start()
    peak = before
    while t.is_alive() and time.monotonic() - start < 120:
        peak = max(peak, rss_mb(pid))
        if peak > max_rss:
            os.kill(pid, 9)
            print(f"  server passed {max_rss:.0f} MB: killed")
            break
        time.sleep(0.05)
    t.join(timeout=10)
    elapsed = time.monotonic() - start
    print(f"alias bomb (288 bytes): status {result[0] if result else 'none'} in {elapsed:.3f} s; "
          f"server RSS {before:.0f} MB before, {peak:.0f} MB peak while answering")


def bench_qca(url: str) -> None:
    data = qca_csv()
    form = {"outcome": "OUT", "conditions": ",".join(f"C{i}" for i in range(16)),
            "case_id": "CASE", "include_remainders": "true"}
    answers: list[tuple[int, float]] = []

    def heavy() -> None:
        start = time.monotonic()
        r = httpx.post(f"{url}/api/qca", data=form, timeout=300,
                       files={"data": ("sixteen.csv", data, "text/csv")})
        answers.append((r.status_code, time.monotonic() - start))

    threads = [threading.Thread(target=heavy) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    latencies: list[float] = []
    while any(t.is_alive() for t in threads) and len(latencies) < 200:
        start = time.monotonic()
        httpx.get(f"{url}/api/cases", params={"limit": 5}, timeout=300)
        latencies.append(time.monotonic() - start)
        time.sleep(0.25)
    for t in threads:
        t.join(timeout=300)
    print(f"4 concurrent 16-condition QCA: answers {[(s, round(e, 1)) for s, e in answers]}")
    if latencies:
        print(f"  GET /api/cases meanwhile: {len(latencies)} requests, median "
              f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")


def bench_upload(port: int) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"POST /api/qca HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                 b"Content-Type: multipart/form-data; boundary=b\r\n\r\n")
    first = b'--b\r\nContent-Disposition: form-data; name="data"; filename="big.csv"\r\n\r\n'
    sock.sendall(f"{len(first):x}\r\n".encode() + first + b"\r\n")
    frame = f"{MB:x}\r\n".encode() + b"x" * MB + b"\r\n"
    sent = 0
    answer: list[int] = []

    def read() -> None:
        answer.append(status_of(sock))
        answer.append(sent)

    reader = threading.Thread(target=read)
    reader.start()
    start = time.monotonic()
    try:
        while sent < 300 * MB and not answer:
            sock.sendall(frame)
            sent += MB
    except OSError:
        pass
    reader.join(timeout=60)
    sock.close()
    status, at = [*answer, 0, sent][:2]
    print(f"300 MB chunked upload: status {status} after {at / MB:.0f} MB sent "
          f"({time.monotonic() - start:.2f} s); total sent {sent / MB:.0f} MB")


def bench_declared(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        start = time.monotonic()
        sock.sendall(f"POST /api/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     f"\r\nContent-Length: {200 * MB}\r\n\r\n{{".encode())
        sock.settimeout(30)
        try:
            status = status_of(sock)
        except TimeoutError:
            status = 0
        print(f"200 MB declared JSON body: status {status or 'none within 30 s'} after "
              f"{time.monotonic() - start:.3f} s, 1 byte of the body sent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rss-mb", type=float, default=4000,
                        help="kill the server past this RSS (the bomb before the fix)")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{tmp}/parley.db",
               "PORT": str(port), "PARLEY_RATE_LIMIT_WORK": "100000"}
        proc = subprocess.Popen([PARLEY, "serve"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            bench_bomb(url, proc.pid, args.max_rss_mb)
            if proc.poll() is None:
                bench_declared(port)
                bench_upload(port)
                bench_qca(url)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
