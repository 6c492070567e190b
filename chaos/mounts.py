"""A size-capped tmpfs for the full disk scenario, always unmounted in the end."""

from __future__ import annotations

import asyncio
import errno
import subprocess
from pathlib import Path

MOUNTED: list[Path] = []


def mount_tmpfs(folder: Path, size_bytes: int) -> str | None:
    """Mount a tmpfs of `size_bytes` on `folder`; None when done, else why it was not
    (not root, no mount command, a container that forbids it)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode != 0:
        return (done.stderr or done.stdout).strip() or f"mount exited with {done.returncode}"
    MOUNTED.append(folder)
    return None


def fill(folder: Path) -> Path:
    """A ballast file that takes every byte left on `folder`'s file system."""
    ballast = folder / "ballast"
    with ballast.open("wb", buffering=0) as file:
        for chunk in (1 << 20, 1 << 12, 1):
            block = b"\0" * chunk
            try:
                while True:
                    file.write(block)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
    return ballast


def unmount_all_now() -> None:
    while MOUNTED:
        _unmount(MOUNTED.pop())


def _unmount(folder: Path) -> None:
    done = subprocess.run(["umount", str(folder)], capture_output=True, timeout=30)
    if done.returncode != 0:  # something still holds a file open there: detach it
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


def unmount_under_now(folder: Path) -> None:
    for mounted in [m for m in MOUNTED if m.is_relative_to(folder)]:
        MOUNTED.remove(mounted)
        _unmount(mounted)


async def unmount_under(folder: Path) -> None:
    """The mounts a scenario made in its folder (another may be running meanwhile)."""
    await asyncio.to_thread(unmount_under_now, folder)
