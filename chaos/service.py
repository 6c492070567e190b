"""`chotdon serve` as the suite runs it: a real process on its own port, its worker child
found through /proc, killed with SIGKILL on demand, and never left behind.

Each start is a process group of its own (the web process and its worker child). Every group
ever started is remembered in `STARTED`, so the suite's `finally` (also on Ctrl-C and SIGTERM)
kills what is still there, by group id, orphaned workers included.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from chaos.waits import until
from tests.helpers import free_port

STARTED: set[int] = set()  # process group ids of every serve the suite started
START_DEADLINE_S = 90.0  # two Python processes importing the app on a loaded 2-core machine
STOP_DEADLINE_S = 45.0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(child) for child in path.read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


async def _returned(process: subprocess.Popen[bytes]) -> bool:
    return process.poll() is not None


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    STARTED.discard(pgid)


def kill_everything_started() -> None:
    for pgid in list(STARTED):
        kill_group(pgid)


@dataclass
class Service:
    """One `chotdon serve` on `port`, started again (same port, same log) after a web kill."""

    folder: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    file_limit: int | None = None  # as `ulimit -n N` in the shell that starts it
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / "serve.log"

    def start(self) -> None:
        limit = self.file_limit
        preexec: Callable[[], None] | None = None
        if limit is not None:

            def preexec() -> None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "chotdon", "serve", "--port", str(self.port)],
                cwd=self.folder,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=preexec,
            )
        STARTED.add(self.process.pid)
        self.starts += 1

    @property
    def web_pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def worker_pid(self, not_pid: int | None = None) -> int | None:
        if self.exited():
            return None
        for pid in children(self.web_pid):
            if pid != not_pid and alive(pid) and "chotdon work" in command_line(pid):
                return pid
        return None

    async def health(self, timeout_s: float = 5.0) -> int | None:
        """/healthz's status, or None when nothing answered in `timeout_s`."""
        try:
            async with httpx.AsyncClient(timeout=timeout_s) as client:
                return (await client.get(self.base_url + "/healthz")).status_code
        except httpx.HTTPError:
            return None

    async def ready(self, *, healthy: bool = True) -> str | None:
        """Wait until it listens (and, with `healthy`, /healthz says 200) and its worker
        process runs; None when so, else what went wrong."""

        async def up() -> bool:
            if self.exited():
                return True  # stop waiting: said below
            status = await self.health()
            return status is not None and (status == 200 or not healthy) and bool(self.worker_pid())

        await until(up, START_DEADLINE_S, every_s=0.1)
        if self.exited():
            return f"chotdon serve exited with {self.process.returncode if self.process else '?'}"
        if not self.worker_pid():
            return f"chotdon serve not ready within {START_DEADLINE_S:.0f} s"
        return None

    def kill_web(self) -> int:
        """SIGKILL to the web process alone, as a crash or the OOM killer would; its worker
        notices its stdin closing and stops by itself."""
        assert self.process is not None
        pid = self.process.pid
        os.kill(pid, signal.SIGKILL)
        self.process.wait()
        return pid

    def kill_worker(self) -> int | None:
        pid = self.worker_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
        return pid

    async def stop(self) -> int | None:
        """SIGTERM and a clean stop; SIGKILL to the whole group when it does not come."""
        if self.process is None:
            return None
        process, pgid = self.process, self.process.pid
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            await until(lambda: _returned(process), STOP_DEADLINE_S, every_s=0.05)
        code = process.poll()
        kill_group(pgid)
        return code if code is not None else process.wait()

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""
