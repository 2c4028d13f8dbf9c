"""HAProxy running deploy/haproxy.cfg, the file compose.yaml mounts, unchanged: only its variables differ."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT
from tests.running import free_port

from .processes import Gateway, fail_unless_installed, stop_group, wait_until

HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"


@dataclass
class HAProxy:
    """HAProxy running deploy/haproxy.cfg unchanged, its variables pointing at the gateways."""

    folder: Path
    gateways: list[Gateway]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_socket(self) -> Path:
        return self.folder / "admin.sock"

    @property
    def log(self) -> Path:
        return self.folder / "haproxy.log"

    def start(self) -> None:
        binary = fail_unless_installed("haproxy", "haproxy")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LB_LISTEN": f"127.0.0.1:{self.port}",
            "LB_ADMIN_SOCKET": str(self.admin_socket),
            **{f"GATEWAY_{n}": f"127.0.0.1:{gateway.port}" for n, gateway in enumerate(self.gateways, 1)},
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "-db", "-f", str(HAPROXY_CONFIG)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.answers, 10, "HAProxy answering on its admin socket", step=0.05)

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
            self.process = None

    def answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"haproxy exited with {self.process.returncode}:\n{self.log.read_text()}")
        try:
            self.command("show info")
        except OSError:
            return False
        return True

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(5)
            connection.connect(str(self.admin_socket))
            connection.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self) -> dict[str, dict[str, str]]:
        """`show stat` of the gateways backend, by server name: status (UP, DOWN, "UP 1/2"...), stot, ..."""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(text.splitlines())
        return {row["svname"]: row for row in rows if row["pxname"] == "gateways" and row["svname"] != "BACKEND"}

    def status(self, server: str) -> str:
        return self.servers()[server]["status"]

    def routed_to(self, correlation_id: str, timeout: float = 5) -> str:
        """The server HAProxy's log says it sent request correlation_id to (the config captures the header)."""
        lines: list[str] = []

        def logged() -> bool:
            lines[:] = [line for line in self.log.read_text().splitlines() if "{" + correlation_id + "}" in line]
            return bool(lines)

        wait_until(logged, timeout, f"HAProxy logging request {correlation_id}", step=0.05)
        (line,) = lines
        backend_server = next(word for word in line.split() if word.startswith("gateways/"))
        return backend_server.split("/", 1)[1]

    def wait_for(self, server: str, status: str, timeout: float = 20) -> float:
        """Wait until HAProxy says server is status (UP or DOWN, no transition); return the seconds it took."""
        return wait_until(lambda: self.status(server) == status, timeout, f"HAProxy marking {server} {status}")
