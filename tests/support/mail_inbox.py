"""A mailbox on loopback for the end-to-end tests: the aiosmtpd handler that records every
mail delivered to it, and a free TCP port to run its SMTP server on."""

from __future__ import annotations

import email
import email.policy
import socket


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = parsed.get_body(("plain",))
        text = f"{parsed['Subject']}\n{body.get_content() if body is not None else ''}"
        self.mails.append((list(envelope.rcpt_tos), text))
        return "250 OK"


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
