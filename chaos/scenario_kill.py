"""kill -9 of the web process, and separately of its worker child, during a stream of signed
comments from many buyers: every comment answered 200 is stored exactly once, and each buyer
has one draft.

Kills are paced by the stream, not the clock: the i-th of n comes when i/(n+1) of the
comments have been acknowledged, so each lands mid-stream however fast the machine is. After
a web kill the suite starts `chotdon serve` again on the same port (as a platform would); the
orphaned worker must stop by itself. After a worker kill, `serve` must start a new one.
"""

from __future__ import annotations

import asyncio

from chaos.context import Run
from chaos.driver import Driver, comments_of
from chaos.service import Service, alive
from chaos.waits import until
from chotdon.worker_process import RESTART_DELAYS_S

WORKER_BACK_DEADLINE_S = 90.0  # serve waits 1, 2, 5, 10 s between restarts, and then imports
ORPHAN_DEADLINE_S = 30.0


async def kill_web(run: Run) -> None:
    await _stream_with_kills(run, "web")


async def kill_worker(run: Run) -> None:
    await _stream_with_kills(run, "worker")


async def _stream_with_kills(run: Run, target: str) -> None:
    profile, outcome = run.profile, run.outcome
    service = run.service()
    if not await run.start(service):
        return
    comments = comments_of(range(profile.buyers), profile.per_buyer, tag="k")
    rate = profile.rate if target == "web" else _worker_stream_rate(len(comments), profile.kills)
    driver = Driver(service.base_url, resend_every=17, rate=rate)
    stream = asyncio.create_task(driver.send(comments, profile.drafts_deadline_s))
    kills = 0
    orphans: list[int] = []
    for cycle in range(1, profile.kills + 1):
        mark = len(comments) * cycle // (profile.kills + 1)

        async def reached(mark: int = mark) -> bool:
            return len(driver.acked) >= mark or stream.done()

        await until(reached, profile.drafts_deadline_s)
        if stream.done():
            break
        killed = await (
            _kill_web(run, service, orphans) if target == "web" else _kill_worker(run, service)
        )
        if not killed:
            break
        kills += 1
    all_acked = await stream
    if orphans:
        await _orphans_stop(run, orphans)
    outcome.notes.append(f"{kills} {target} kills")
    outcome.check(
        f"{target} killed {profile.kills} times mid-stream",
        kills == profile.kills,
        f"{kills} kills",
    )
    outcome.check(
        "every comment acknowledged in the end (resent after refusals)",
        all_acked,
        f"{len(driver.acked)} of {len(comments)} in {len(driver.answers)} deliveries",
    )
    await run.finish(driver)


def _worker_stream_rate(comments: int, kills: int) -> float:
    """Slow enough that every kill lands mid-stream: `serve` waits longer after each death of
    its worker before the next one (`RESTART_DELAYS_S`), and each kill waits for it to be back."""
    waits = sum(RESTART_DELAYS_S[min(n, len(RESTART_DELAYS_S) - 1)] for n in range(kills))
    return comments / (1.5 * waits + 10.0)


async def _kill_web(run: Run, service: Service, orphans: list[int]) -> bool:
    orphan = service.worker_pid()
    service.kill_web()
    if orphan is not None:
        orphans.append(orphan)
    return await run.start(service)


async def _orphans_stop(run: Run, orphans: list[int]) -> None:
    """The workers of killed servers stop by themselves (checked once the stream is over, so
    the wait does not hold the next kill back)."""

    async def gone() -> bool:
        return not any(alive(pid) for pid in orphans)

    stopped = await until(gone, ORPHAN_DEADLINE_S)
    left = [pid for pid in orphans if alive(pid)]
    run.outcome.check(
        "orphaned workers stop by themselves",
        bool(stopped),
        f"{len(orphans)} stopped" if stopped else f"{left} still run {ORPHAN_DEADLINE_S:.0f} s on",
    )


async def _kill_worker(run: Run, service: Service) -> bool:
    killed = service.kill_worker()
    if killed is None:
        run.outcome.check("a worker to kill", False, "no worker process found")
        return False

    async def back() -> int | None:
        return service.worker_pid(not_pid=killed)

    if await until(back, WORKER_BACK_DEADLINE_S) is None:
        run.outcome.check(
            "serve restarts its worker",
            False,
            f"no new worker within {WORKER_BACK_DEADLINE_S:.0f} s of killing {killed}",
        )
        return False
    return True
