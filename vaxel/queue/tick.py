"""The queue's one-second tick (an APScheduler job): what the passing of time decides.

Each tick records which queues are open (the callers of a queue that just closed hear when
it opens, with the callback offer), ends wrap-ups that are over, says goodbye to callers
whose closing-time offer ran out, overflows callers past their queue's maximum wait, ends
key dialogues that timed out, and distributes.
"""

from __future__ import annotations

from typing import Any

from vaxel.queue import events as ev
from vaxel.queue.estimate import overflow_due
from vaxel.queue.keys import Waiting
from vaxel.queue.model import EntryKind
from vaxel.queue.overflow import overflow
from vaxel.queue.telephonists import EndWrapup, Wrapup, transition


async def tick(s: Any) -> None:
    now = s.clock.now()
    was_open = dict(s.open)
    for name in s.queues:
        s.open[name] = s.is_open(name, now)
        if was_open.get(name) and not s.open[name]:
            s.announcer.closing(name)
    for person in list(s.people.values()):
        if isinstance(person.status, Wrapup) and person.status.until <= now:
            s.set_person(transition(person, EndWrapup(), now))
    for entry in list(s.entries.values()):
        cfg = s.queues[entry.queue]
        waiter = s.waiters.get(entry.id)
        if waiter and waiter.closing_until and waiter.closing_until <= now:
            # Not while choosing a callback: the key timeout ends that dialogue.
            if entry.kind is EntryKind.CALLER and isinstance(waiter.keys, Waiting):
                s.spawn(s.announcer.goodbye(entry, ev.LeaveReason.CLOSED))
            continue
        if s.open.get(entry.queue) and overflow_due(entry, now, cfg.max_wait_s):
            overflow(s, entry)
    s.announcer.expire_keys(now)
    s.distribute()
