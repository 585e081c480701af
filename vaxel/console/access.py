"""Whose console a user may open, and whether they may steer it.

A telephonist opens their own (the queue API's rule: the account's name is the telephonist
id, or its directory person is the telephonist's person). An admin or a supervisor may open anyone's, read-only: the console is a remote control, and only
the telephonist holds the headset.
"""

from __future__ import annotations

from dataclasses import dataclass

from vaxel.errors import DomainError, NotFound
from vaxel.web.auth import Principal, Role


class NotATelephonist(DomainError):
    code = "not_a_telephonist"
    status = 403


@dataclass(frozen=True)
class Seat:
    telephonist: str
    read_only: bool


def overseer_roles() -> tuple[Role, ...]:
    return (Role.ADMIN, Role.SUPERVISOR)


def seat_for(user: Principal, requested: str | None, own: str | None, known: bool) -> Seat:
    """``own``: the user's telephonist id, if any; ``known``: ``requested`` exists."""
    if requested and requested != own:
        if not user.has(*overseer_roles()):
            raise NotATelephonist("only an admin or a supervisor may open another's console")
        if not known:
            raise NotFound(f"no telephonist '{requested}' in the site file")
        return Seat(requested, read_only=True)
    if own is None or not user.has(Role.TELEPHONIST):
        raise NotATelephonist("your account is not linked to a telephonist in the site file")
    return Seat(own, read_only=False)
