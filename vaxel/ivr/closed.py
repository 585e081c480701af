"""The closed flow: why, when we open next, the alternatives, and, if the number allows
it, a callback request for the queue to serve when it opens.

The caller confirms the number they call from or keys in another; every number passes the
site's number policy before it is stored, and a refusal is said in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import structlog

from vaxel.ivr import dialog
from vaxel.ivr.texts import REFUSAL_PROMPTS, closed_message, spoken_digits
from vaxel.numbers import CheckedNumber, NumberRefused, check_number

if TYPE_CHECKING:
    from vaxel.ivr.routing import Closed
    from vaxel.ivr.service import EntryCall, EntryService

log = structlog.get_logger("vaxel.ivr")
# Confirm-or-enter rounds before we give up politely.
MAX_NUMBER_ROUNDS = 3


@dataclass(frozen=True)
class ClosedOutcome:
    callback_reference: str | None


async def closed_flow(
    service: EntryService, call: EntryCall, closed: Closed, now: datetime
) -> ClosedOutcome:
    prompts, lang = service.prompts, call.language
    text = closed_message(closed.decision, now, lang, service.calendar)  # type: ignore[arg-type]
    media = [await prompts.sentence(text, lang)] if text else []
    if prompts.has("closed_alternatives", lang):
        media.append(prompts.sound("closed_alternatives", lang))
    await call.conversation.say(media)
    reference = None
    if closed.callback_queue is not None:
        reference = await _callback(service, call, closed.callback_queue)
    await call.conversation.say([prompts.sound("goodbye", lang)])
    return ClosedOutcome(reference)


async def _callback(service: EntryService, call: EntryCall, queue: str) -> str | None:
    prompts, lang, conv = service.prompts, call.language, call.conversation
    timeout = service.config.ivr.menu_timeout_s
    offer = await conv.ask(
        dialog.Ask(accept=frozenset("1"), timeout_s=timeout),
        [prompts.sound("callback_offer", lang)],
    )
    if offer.answer is None:
        return None
    policy = service.config.number_policy
    candidate = _checked(call.caller_number, service)
    for _ in range(MAX_NUMBER_ROUNDS):
        if candidate is not None:
            digits = [prompts.sound(d, lang) for d in spoken_digits(candidate.e164,
                                                                     policy.home_country_code)]  # fmt: skip
            confirm = await conv.ask(
                dialog.Ask(accept=frozenset("12"), timeout_s=timeout),
                [prompts.sound("callback_number_is", lang), *digits,
                 prompts.sound("callback_confirm", lang)],
            )  # fmt: skip
            if confirm.answer == "1":
                return await _store(service, call, queue, candidate)
            if confirm.answer is None:
                break
        entered = await conv.ask(
            dialog.Ask(collect=True, timeout_s=service.config.ivr.digit_timeout_s),
            [prompts.sound("callback_enter", lang)],
        )
        if entered.answer is None:
            break
        try:
            candidate = check_number(entered.answer, policy)
        except NumberRefused as refused:
            log.info("callback_number_refused", code=refused.code)
            await conv.say([prompts.sound(REFUSAL_PROMPTS.get(refused.code,
                                                              "callback_refused_invalid"), lang)])  # fmt: skip
            candidate = None
    await conv.say([prompts.sound("callback_not_taken", lang)])
    return None


def _checked(raw: str | None, service: EntryService) -> CheckedNumber | None:
    if not raw:
        return None
    try:
        return check_number(raw, service.config.number_policy)
    except NumberRefused:
        return None  # e.g. a hidden or foreign number: the caller keys in another


async def _store(
    service: EntryService, call: EntryCall, queue: str, number: CheckedNumber
) -> str | None:
    try:
        reference = await service.queues().request_callback(
            queue=queue,
            number=number,
            language=call.language,
            requested_at=service.clock.now(),
            call_id=call.call_id,
        )
    except Exception:
        log.exception("callback_request_failed", queue=queue)
        await call.conversation.say([service.prompts.sound("callback_not_taken", call.language)])
        return None
    log.info("callback_requested", queue=queue, reference=reference)
    await call.conversation.say([service.prompts.sound("callback_registered", call.language)])
    return reference
