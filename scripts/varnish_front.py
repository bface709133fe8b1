"""Start the project's shared cache (deploy/varnish/cso_press.vcl) in front of a local backend, for checks and
benchmarks: varnishd in the foreground on a free loopback port, its own work folder, stopped by its pid.

    with varnish_front.running(backend_port=8123) as front:
        front.port            # where readers connect
        front.purge_url       # what DJANGO_CACHE_PURGE_URLS takes
        front.counters()      # varnishstat's counters: hits, misses, passes, bans

The VCL is the deploy recipe's own file; only what its header lists to adapt is replaced (the backend's
address, the maintenance page's path: this checkout's).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish" / "cso_press.vcl"
SERVER_APP = "/srv/cso_press/app/"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VARNISHSTAT = shutil.which("varnishstat") or "/usr/bin/varnishstat"
HOST = "127.0.0.1"


def available() -> bool:
    return Path(VARNISHD).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def local_vcl(backend_port: int, backend_host: str = HOST) -> str:
    """The recipe's VCL with its backend address and the server's app folder replaced (and nothing else)."""
    text = VCL.read_text()
    replacements = [
        ('.host = "127.0.0.1";\n    .port = "8001";', f'.host = "{backend_host}";\n    .port = "{backend_port}";'),
        (f'"{SERVER_APP}deploy/nginx/maintenance.html"', f'"{ROOT}/deploy/nginx/maintenance.html"'),
    ]
    for old, new in replacements:
        if old not in text:
            raise RuntimeError(f"{VCL} no longer contains {old!r} (see its header)")
        text = text.replace(old, new)
    return text


@dataclass
class Front:
    port: int
    workdir: Path
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def purge_url(self) -> str:
        return f"{self.url}/"

    def counters(self) -> dict[str, int]:
        """varnishstat's MAIN counters this check cares about (hits, misses, passes, bans, requests)."""
        out = subprocess.run(
            [VARNISHSTAT, "-n", str(self.workdir), "-1", "-j"], capture_output=True, text=True, check=True
        ).stdout
        data = json.loads(out)
        fields = data.get("counters", data)
        wanted = {
            "MAIN.client_req": "requests",
            "MAIN.cache_hit": "hits",
            "MAIN.cache_hit_grace": "grace_hits",
            "MAIN.cache_miss": "misses",
            "MAIN.cache_hitpass": "hit_pass",
            "MAIN.cache_hitmiss": "hit_miss",
            "MAIN.s_pass": "passes",
            "MAIN.bans_added": "bans",
            "MAIN.backend_req": "backend_requests",
        }
        return {name: int(fields[key]["value"]) for key, name in wanted.items() if key in fields}


@contextmanager
def running(backend_port: int, memory: str = "256m", log=None) -> Iterator[Front]:
    """varnishd on a free port in front of 127.0.0.1:backend_port until the block ends."""
    workdir = Path(tempfile.mkdtemp(prefix="cso-varnish-"))
    workdir.chmod(0o755)
    vcl = workdir / "cso_press.vcl"
    vcl.write_text(local_vcl(backend_port))
    vcl.chmod(0o644)
    port = free_port()
    process = subprocess.Popen(
        [
            VARNISHD, "-F", "-n", str(workdir / "n"), "-a", f"{HOST}:{port}", "-T", f"{HOST}:0",
            "-f", str(vcl), "-s", f"malloc,{memory}", "-p", "default_ttl=0",
        ],
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )  # fmt: skip
    front = Front(port=port, workdir=workdir / "n", process=process)
    try:
        _wait_until_listening(front)
        yield front
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_until_listening(front: Front, deadline_seconds: float = 60) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if front.process.poll() is not None:
            raise RuntimeError(f"varnishd stopped at start (exit {front.process.returncode})")
        try:
            with socket.create_connection((HOST, front.port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"varnishd did not listen on {front.port} within {deadline_seconds} s")


def purge(front: Front, tags: list[str]) -> int:
    request = urllib.request.Request(front.purge_url, method="PURGE", headers={"Surrogate-Key": " ".join(tags)})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
