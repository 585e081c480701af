"""Messages taken when nobody was reached: stored, delivered, retried, escalated, handled.

Everything lives in the database, so the scheduler job (``check``, every
``[handoff] check_every_s``) picks up where a killed controller stopped: due deliveries
are retried with the policy's back-off, and messages past their deadline (end of the next
working day) that nobody marked handled are escalated to the unit's escalation address.
The decisions are ``messages.py``'s; this module does the I/O. The "mark handled" link
carries a random token; only its SHA-256 is stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError

from vaxel.clock import Clock
from vaxel.config import SiteConfig
from vaxel.errors import DomainError, NotFound
from vaxel.handoff import messages as model
from vaxel.handoff.messages import (
    Channel,
    DeliveryPolicy,
    Message,
    MessageAccess,
    MessageStatus,
    Urgency,
)
from vaxel.handoff.store import HandoffStore, MessageRow, message_of
from vaxel.handoff.wording import spoken_time
from vaxel.web.auth import Principal

log = structlog.get_logger("vaxel.handoff.messages")


class NoDestination(DomainError):
    code = "no_destination"
    status = 422


@dataclass(frozen=True)
class NewMessage:
    caller_name: str
    caller_number: str | None
    subject: str
    urgency: Urgency
    target_unit: str
    target_person: str | None = None
    handoff_id: str | None = None
    recording: str | None = None


class MessageService:
    def __init__(self, *, config: SiteConfig, clock: Clock, calendar: Any,
                 store: HandoffStore, services: dict[str, Any]) -> None:  # fmt: skip
        self.config, self.clock, self.calendar = config, clock, calendar
        self.store, self.services = store, services
        cfg = config.handoff
        self.policy = DeliveryPolicy(
            first_delay=timedelta(seconds=cfg.delivery_first_delay_s),
            max_delay=max(timedelta(minutes=30), timedelta(seconds=cfg.delivery_first_delay_s)),
            max_attempts=cfg.delivery_max_attempts,
        )
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- creating ------------------------------------------------------------------------
    async def create(self, new: NewMessage) -> tuple[Message, str]:
        """Store the message and try the first delivery; returns it and its handled-token."""
        now = self.clock.now()
        channel, destination = self.route(new.target_unit, new.target_person)
        deadline = model.message_deadline(now, self.calendar.end_of_next_working_day)
        token = secrets.token_urlsafe(24)
        for _attempt in range(5):
            sequence = await asyncio.to_thread(self.store.next_sequence, now.year)
            reference = model.message_reference(now.year, sequence)
            row = MessageRow(
                reference=reference, year=now.year, sequence=sequence, created_at=now,
                caller_name=new.caller_name[:200], caller_number=new.caller_number,
                subject=new.subject, urgency=new.urgency.value, target_unit=new.target_unit,
                target_person=new.target_person, channel=channel.value, destination=destination,
                deadline=deadline, status=MessageStatus.CREATED.value, delivery_attempts=0,
                next_attempt_at=now, handoff_id=new.handoff_id, recording=new.recording,
                token_hash=token_hash(token),
            )  # fmt: skip
            try:
                await asyncio.to_thread(self.store.add_message, row)
                break
            except IntegrityError:
                continue  # another message took the number meanwhile
        else:
            raise DomainError("could not number the message; try again", code="busy", status=503)
        message = message_of(row)
        self._emit(model.created_event(message))
        log.info("message_created", reference=reference, channel=channel.value)
        await self.deliver(reference, token)
        return message, token

    async def from_handoff(self, live: Any, *, recording: str | None) -> str:
        failure = getattr(live.state, "failure", None)
        target = failure.target if failure is not None else None
        new = NewMessage(
            caller_name="Inspelat av den som ringde",
            caller_number=live.caller_number,
            subject=f"Röstmeddelande till {target.name if target else 'okänd mottagare'}",
            urgency=Urgency.NORMAL,
            target_unit=(target.unit if target and target.unit else "okänd enhet"),
            target_person=target.person_id if target else None,
            handoff_id=live.id,
            recording=recording,
        )
        message, _token = await self.create(new)
        return message.reference

    def route(self, unit: str, person_id: str | None) -> tuple[Channel, str | None]:
        """The unit's configured channel; e-mail to the person, else the unit's address."""
        cfg = self.config.handoff
        unit_cfg = cfg.units.get(unit)
        if unit_cfg is not None and unit_cfg.channel == "webhook":
            return Channel.WEBHOOK, unit_cfg.webhook_url
        directory = self.services.get("directory")
        person_email = None
        if person_id and directory is not None:
            found = directory.snapshot.people.get(person_id)
            person_email = found.email if found is not None else None
        address = person_email or (unit_cfg.email if unit_cfg else None) or cfg.default_email
        return Channel.EMAIL, address

    # --- delivering and escalating --------------------------------------------------------
    async def deliver(self, reference: str, token: str | None = None) -> None:
        row = await asyncio.to_thread(self.store.message, reference)
        if row is None or row.status != MessageStatus.CREATED.value:
            return
        message = message_of(row)
        now = self.clock.now()
        if token is None:
            # A retry: only the token's hash is stored, so the link gets a fresh token (the
            # attempts before failed, so no working link is taken away from anyone).
            token = secrets.token_urlsafe(24)
            await asyncio.to_thread(self.store.update_message, reference,
                                    token_hash=token_hash(token))  # fmt: skip
        error = None
        try:
            await self._send(row, message, token)
        except Exception as exc:  # noqa: BLE001 - every failure is a retry, tracked
            error = f"{type(exc).__name__}: {exc}"[:300]
        updated = model.record_delivery_attempt(message, now, error is None, self.policy)
        next_at = model.next_delivery_attempt(updated.delivery_attempts, now, self.policy)
        await asyncio.to_thread(
            self.store.update_message, reference, status=updated.status.value,
            delivery_attempts=updated.delivery_attempts, last_attempt_at=now,
            next_attempt_at=next_at if error else None, last_error=error,
        )  # fmt: skip
        log.info("message_delivery", reference=reference, ok=error is None, error=error)
        if error is None:
            self._emit(model.delivered_event(updated, now))

    async def _send(self, row: MessageRow, message: Message, token: str) -> None:
        if not row.destination:
            raise NoDestination(f"no address for unit {row.target_unit!r}")
        link = self.handled_link(token)
        if message.channel is Channel.WEBHOOK:
            import httpx

            payload = {
                "reference": message.reference, "caller_name": message.caller_name,
                "caller_number": message.caller_number, "subject": message.subject,
                "urgency": message.urgency.value, "target_unit": message.target_unit,
                "target_person": message.target_person, "deadline": message.deadline.isoformat(),
                "recording": message.recording, "handled_url": link,
                "recording_url": self.recording_link(token) if message.recording else None,
            }  # fmt: skip
            async with httpx.AsyncClient(timeout=10) as client:
                reply = await client.post(row.destination, json=payload)
                reply.raise_for_status()
            return
        await self.send_email(row.destination, f"Meddelande {message.reference}: {message.subject}",
                              message_text(message, link, self.recording_link(token)))  # fmt: skip

    async def send_email(self, to: str, subject: str, body: str) -> None:
        import aiosmtplib

        cfg = self.config.handoff
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = cfg.smtp_from, to, subject
        email.set_content(body)
        password = cfg.smtp_password_file.read_text().strip() if cfg.smtp_password_file else None
        await aiosmtplib.send(
            email, hostname=cfg.smtp_host, port=cfg.smtp_port, start_tls=cfg.smtp_starttls,
            username=cfg.smtp_username, password=password, timeout=15,
        )  # fmt: skip

    async def check(self) -> None:
        """The scheduler job: retries that are due, and escalations that are due."""
        rows = await asyncio.to_thread(self.store.pending_messages)
        now = self.clock.now()
        for row in rows:
            if row.status == MessageStatus.CREATED.value and row.next_attempt_at is not None:
                if row.next_attempt_at <= now:
                    await self.deliver(row.reference)
                    fresh = await asyncio.to_thread(self.store.message, row.reference)
                    row = fresh if fresh is not None else row
            message = message_of(row)
            if model.needs_escalation(message, now):
                await self.escalate(row, message, now)

    async def escalate(self, row: MessageRow, message: Message, now: datetime) -> None:
        cfg = self.config.handoff
        unit_cfg = cfg.units.get(row.target_unit)
        to = (unit_cfg.escalation_email if unit_cfg else None) or cfg.escalation_email
        if to is None:
            log.warning("message_no_escalation_address", reference=row.reference)
            return
        event = model.escalated_event(message, now)
        subject = f"Eskalerat: meddelande {message.reference} är inte hanterat"
        body = (f"Meddelandet {message.reference} till {message.target_unit} skulle vara "
                f"hanterat senast {spoken_time(message.deadline)}.\n\n"
                + message_text(message, None))  # fmt: skip
        try:
            await self.send_email(to, subject, body)
        except Exception as exc:  # noqa: BLE001 - tried again at the next check
            log.warning("message_escalation_failed", reference=row.reference, error=str(exc))
            return
        escalated = model.mark_escalated(message, now)
        await asyncio.to_thread(self.store.update_message, row.reference,
                                status=escalated.status.value, escalated_at=now)  # fmt: skip
        self._emit(event)
        log.info("message_escalated", reference=row.reference, reason=event.reason)

    # --- handled -------------------------------------------------------------------------
    async def mark_handled(
        self, *, reference: str | None = None, token: str | None = None
    ) -> Message:
        if token is not None:
            row = await asyncio.to_thread(self.store.message_by_token, token_hash(token))
        else:
            row = await asyncio.to_thread(self.store.message, reference or "")
        if row is None:
            raise NotFound("no such message")
        now = self.clock.now()
        message = model.mark_handled(message_of(row), now)
        if row.status != MessageStatus.HANDLED.value:
            await asyncio.to_thread(self.store.update_message, row.reference,
                                    status=message.status.value, handled_at=now)  # fmt: skip
            self._emit(model.handled_event(message, now))
        return message

    async def mark_handled_by(self, actor: Principal, reference: str) -> Message:
        """``actor`` marks a message handled through the API, if ``message_access`` allows."""
        row = await asyncio.to_thread(self.store.message, reference)
        access = self.access(actor, row) if row is not None else MessageAccess.NONE
        if access is MessageAccess.NONE:
            raise NotFound("no such message")
        if access is not MessageAccess.HANDLE:
            raise DomainError(
                "only the person or unit the message is for, or an admin, may mark it handled",
                code="forbidden", status=403,
            )  # fmt: skip
        return await self.mark_handled(reference=reference)

    def access(self, actor: Principal, row: MessageRow) -> MessageAccess:
        return model.message_access(
            roles=frozenset(actor.roles), person_id=actor.person_id,
            actor_units=self._units_of(actor.unit_id, actor.person_id),
            target_person=row.target_person,
            message_units=self._units_of(row.target_unit, row.target_person),
        )  # fmt: skip

    def _units_of(self, unit: str | None, person_id: str | None) -> frozenset[str]:
        """Every name the unit (and the person's unit) goes by: its id and its display name."""
        directory = self.services.get("directory")
        ids = {unit} if unit else set()
        if directory is not None and person_id:
            person = directory.snapshot.people.get(person_id)
            if person is not None:
                ids.add(person.unit_id)
        names = set(ids)
        if directory is not None:
            for unit_id in ids:
                found = directory.snapshot.units.get(unit_id)
                if found is not None:
                    names.add(found.name)
        return frozenset(n for n in names if n)

    def handled_link(self, token: str) -> str:
        return f"{self.config.web.public_url.rstrip('/')}/messages/handled/{token}"

    def recording_link(self, token: str) -> str:
        """The caller's recorded voice, fetched from Asterisk by the web server; the same
        random token as the handled link is the permission."""
        return f"{self.config.web.public_url.rstrip('/')}/messages/recording/{token}"

    async def flush(self) -> None:
        """Wait for the labels sent so far (a CLI must not exit before they are stored)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _emit(self, event: Any) -> None:
        sink = self.services.get("labels")
        if sink is None:
            return
        try:
            task = asyncio.ensure_future(sink.emit(event))
        except RuntimeError:
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def message_text(message: Message, link: str | None, recording_link: str | None = None) -> str:
    lines = [
        f"Referensnummer: {message.reference}",
        f"Från: {message.caller_name}",
        f"Telefon: {message.caller_number or 'okänt'}",
        f"Ärende: {message.subject}",
        f"Brådskande: {'ja' if message.urgency is Urgency.URGENT else 'nej'}",
        f"Hanteras senast: {spoken_time(message.deadline)}",
    ]
    if message.recording:
        lines.append(f"Inspelning: {recording_link or message.recording}")
    if link:
        lines += ["", f"Markera som hanterat: {link}"]
    return "\n".join(lines)
