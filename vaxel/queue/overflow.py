"""Overflow after the maximum wait: to another queue (keeping the place earned by waiting),
to a voice message (``voice_message.py``), or told that nobody can answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import structlog

from vaxel.asterisk.ari import AriError
from vaxel.queue import events as ev
from vaxel.queue.estimate import OverflowToMessage, OverflowToQueue, parse_overflow
from vaxel.queue.model import Entry, move_to_queue
from vaxel.queue.ports import holding_bridge_id

log = structlog.get_logger("vaxel.queue")


def overflow(s: Any, entry: Entry) -> None:
    """The entry has waited its queue's maximum: send it where the site file says."""
    cfg = s.queues[entry.queue]
    target = parse_overflow(cfg.overflow)
    now = s.clock.now()
    if isinstance(target, OverflowToQueue):
        moved = move_to_queue(entry, target.name, now)
        s.set_entry(moved)
        contact = s.contact(entry)
        s.emit(ev.QueueLeft(now, entry.queue, contact, entry.id, ev.LeaveReason.OVERFLOW))
        s.emit(ev.QueueEntered(now, target.name, contact, entry.id, entry.kind.value))
        log.info("queue_overflow", entry=entry.id, to=target.name)
        s.spawn(_move_bridge(s, entry, target.name))
        return
    if isinstance(target, OverflowToMessage) and s.voice_messages.available():
        waiter = s.waiters.get(entry.id)
        left = s.leave(entry.id, ev.LeaveReason.MESSAGE)
        if left is not None and left.channel_id:
            log.info("queue_overflow", entry=entry.id, to="message")
            s.spawn(s.voice_messages.take(left, waiter))
        return
    # "closed", or "message" without a message service: the caller is told; then they
    # may still press 1 for a callback (the clock restarts so the offer is not repeated
    # every second).
    s.set_entry(replace(entry, queued_at=now))
    log.info("queue_overflow", entry=entry.id, to=cfg.overflow)
    s.spawn(s.announcer.overflowed(entry, cfg.overflow))


async def _move_bridge(s: Any, entry: Entry, queue: str) -> None:
    if not entry.channel_id:
        return
    bridge = await s.ensure_bridge(queue)
    try:
        await s.ari.remove_from_bridge(holding_bridge_id(entry.queue), entry.channel_id)
        await s.ari.add_to_bridge(bridge, entry.channel_id)
    except AriError as exc:
        log.info("queue_move_failed", entry=entry.id, reason=str(exc))
