"""The site file: one TOML file per municipality, validated with pydantic.

Errors name the file, the line and the field, because the person reading them is
editing that file, usually on a server, usually in a hurry.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, time
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from vaxel.config_locate import locate
from vaxel.numbers import NumberPolicy, NumberRefused, check_number, is_e164

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIOD = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")  # pydantic: $ is the very end

Name = Annotated[str, Field(pattern=NAME.pattern)]


class ConfigError(Exception):
    """A site file that cannot be used. ``str()`` is one line a person can act on."""

    def __init__(self, path: Path, line: int | None, field: str, reason: str) -> None:
        self.path, self.line, self.field, self.reason = path, line, field, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {field}: {reason}" if field else f"{where}: {reason}")


class Misplaced(ValueError):
    """A refusal that knows its field, relative to the model that raised it (pydantic puts
    a model validator's errors on the model itself, which has no line of its own)."""

    def __init__(self, loc: tuple[str | int, ...], reason: str) -> None:
        super().__init__(reason)
        self.loc = loc


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_period(text: str) -> tuple[time, time]:
    match = PERIOD.fullmatch(text)
    if not match:
        raise ValueError(f"'{text}' is not a period like 08:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start = time(h1, m1)
    end = time(23, 59, 59, 999999) if (h2, m2) == (24, 0) else time(h2, m2)
    if end <= start:
        raise ValueError(f"'{text}' ends before it starts")
    return start, end


def _check_period(text: str) -> str:
    parse_period(text)
    return text


def first_overlap(periods: list[str]) -> tuple[int, int] | None:
    """Indexes of two periods that overlap (touching ends do not), or None."""
    spans = sorted((parse_period(p), i) for i, p in enumerate(periods))
    for (earlier, i), (later, j) in pairwise(spans):
        if later[0] < earlier[1]:
            return i, j
    return None


def _refuse_overlap(loc: tuple[str | int, ...], periods: list[str]) -> None:
    found = first_overlap(periods)
    if found is not None:
        i, j = sorted(found)
        raise Misplaced(
            (*loc, j), f"'{periods[i]}' and '{periods[j]}' overlap; write them as one period"
        )


Period = Annotated[str, AfterValidator(_check_period)]
Periods = list[Period]


class DatedException(Strict):
    date: date
    periods: Periods = Field(default_factory=list, description="empty means closed all day")
    reason: str = ""
    destination: str | None = None


class Schedule(Strict):
    """Weekly open periods plus dated exceptions. Holidays are computed, not listed."""

    weekly: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], Periods]
    exceptions: list[DatedException] = Field(default_factory=list)
    closed_on_holidays: bool = True

    @model_validator(mode="after")
    def _no_overlaps_or_twice_the_same_date(self) -> Schedule:
        for day, periods in self.weekly.items():
            _refuse_overlap(("weekly", day), periods)
        first: dict[date, int] = {}
        for index, exception in enumerate(self.exceptions):
            _refuse_overlap(("exceptions", index, "periods"), exception.periods)
            if exception.date in first:
                raise Misplaced(
                    ("exceptions", index, "date"),
                    f"{exception.date} has an exception already (exceptions.{first[exception.date]}); "
                    "give each date once, with all its periods",
                )
            first[exception.date] = index
        return self


class Prompt(Strict):
    sv: str
    en: str | None = None


class Queue(Strict):
    name: Name
    label: str
    schedule: Name
    max_wait_s: int = Field(600, ge=10, le=7200)
    max_length: int = Field(50, ge=1, le=1000)
    ring_timeout_s: int = Field(20, ge=5, le=120)
    wrapup_s: int = Field(10, ge=0, le=600)
    announce_every_s: int = Field(60, ge=15, le=600)
    overflow: str = Field("message", description="queue:<name>, message or closed")
    # Where a caller goes when the queue already holds max_length callers: another queue, a
    # voice message, or "closed" (told that the queue is full, then hung up).
    when_full: str = Field("closed", description="queue:<name>, message or closed")
    callback: bool = True
    # One priority level is worth one minute of waiting (see vaxel/queue/distribution.py).
    priority: int = Field(0, ge=0, le=10)
    # With no telephonist logged in: "admit" (wait, with the callback offer and max_wait's
    # overflow; the estimate says nothing without a basis), or send on like when_full.
    when_nobody_logged_in: str = Field(
        "admit", description="admit, queue:<name>, message or closed"
    )
    callback_max_attempts: int = Field(3, ge=1, le=10)
    callback_retry_delay_s: int = Field(300, ge=10, le=86400)
    # How long the citizen's phone rings on a callback attempt before it counts as unanswered.
    callback_ring_s: int = Field(30, ge=10, le=120)
    # The unit ([handoff.units]) that voice messages left here go to; the queue's name if unset.
    message_unit: Name | None = None

    @field_validator("when_nobody_logged_in")
    @classmethod
    def _nobody(cls, value: str) -> str:
        return value if value == "admit" else cls._overflow(value)

    @field_validator("overflow", "when_full")
    @classmethod
    def _overflow(cls, value: str) -> str:
        if value in ("message", "closed") or re.fullmatch(r"queue:" + NAME.pattern[1:], value):
            return value
        raise ValueError(f"'{value}' is not 'message', 'closed' or 'queue:<name>'")


class Telephonist(Strict):
    """A softphone endpoint linked to a person, and the queues it answers with a priority each."""

    id: Name
    name: str
    endpoint: str = Field(pattern=r"^PJSIP/[A-Za-z0-9_-]{1,40}$")
    person: str | None = None
    queues: dict[Name, int] = Field(description="queue name -> member priority (0-10)")


class Office(Strict):
    """A citizen office whose direct number is answered by the on-duty community guide."""

    name: Name
    label: str
    schedule: Name
    late_day: Literal["mon", "tue", "wed", "thu", "fri"] | None = None
    late_until: str = "18:00"
    roster: dict[Literal["mon", "tue", "wed", "thu", "fri"], str]
    ring_timeout_s: int = Field(20, ge=5, le=120)
    fallback_queue: Name = "centre"

    @field_validator("roster")
    @classmethod
    def _roster(cls, roster: dict[str, str]) -> dict[str, str]:
        for number in roster.values():
            if not is_e164(number):
                raise ValueError(f"'{number}' is not an E.164 number like +46701234567")
        return roster


class PublishedNumber(Strict):
    """A number citizens dial. Several can lead to the same service."""

    name: Name
    e164: str
    label: str
    queue: Name | None = None
    office: Name | None = None
    schedule: Name | None = None
    greeting: str = "greeting"
    # The one-level menu: 1 = English, 0 or nothing = a person (Swedish by default).
    language_menu: bool = True
    # None: the site's [ivr] callback_in_closed decides.
    callback_in_closed: bool | None = None

    @field_validator("e164")
    @classmethod
    def _e164(cls, value: str) -> str:
        if not is_e164(value):
            raise ValueError(f"'{value}' is not an E.164 number like +46406280400")
        return value

    @model_validator(mode="after")
    def _one_destination(self) -> PublishedNumber:
        if (self.queue is None) == (self.office is None):
            raise ValueError("give exactly one of 'queue' or 'office'")
        return self


class Asterisk(Strict):
    connection: Literal["sandbox", "explicit"] = "sandbox"
    app: str = "vaxel"
    ari_url: str | None = None
    ari_username: str | None = None
    ari_password_file: Path | None = None
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_username: str | None = None
    ami_secret_file: Path | None = None
    sounds_dir: Path = Path("/var/lib/vaxel/sounds")
    startup_timeout_s: float = Field(10.0, gt=0, le=600)

    @model_validator(mode="after")
    def _explicit_needs_credentials(self) -> Asterisk:
        if self.connection == "explicit":
            missing = [
                key
                for key in (
                    "ari_url",
                    "ari_username",
                    "ari_password_file",
                    "ami_username",
                    "ami_secret_file",
                )
                if getattr(self, key) is None
            ]
            if missing:
                raise ValueError(f"connection = 'explicit' needs {', '.join(missing)}")
        return self


class Database(Strict):
    url: str = "sqlite:///vaxel.db"


class Web(Strict):
    enabled: bool = True
    bind: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    # Unset: cookies carry the Secure flag exactly when public_url is https (TLS termination
    # in front); true or false overrides that.
    secure_cookies: bool | None = None
    public_url: str = "http://127.0.0.1:8080"


class Privacy(Strict):
    raw_number_days: int = Field(30, ge=1, le=3650)
    call_log_retention_days: int | None = Field(None, ge=30)
    hash_key_file: Path | None = None


class Site(Strict):
    name: str
    timezone: str = "Europe/Stockholm"
    default_language: Literal["sv", "en"] = "sv"
    half_days: list[date] = Field(default_factory=list)
    half_day_closes: time = time(12, 0)


class Ivr(Strict):
    """Call entry settings; the prompts' texts live in [prompts]."""

    menu_timeout_s: float = Field(4.0, ge=1, le=15)
    digit_timeout_s: float = Field(6.0, ge=2, le=30)
    callback_in_closed: bool = True
    disruption_default_hours: float = Field(4.0, gt=0, le=24 * 14)
    # How an outside number (a guide's mobile) is dialled; {number} is E.164.
    outside_dial: str = "PJSIP/{number}@trunk"


class UnitMessages(Strict):
    """Where a unit's messages go: e-mail (SMTP) or a JSON webhook to its case system."""

    channel: Literal["email", "webhook"] = "email"
    email: str | None = Field(None, description="the unit's shared address")
    webhook_url: str | None = None
    escalation_email: str | None = None


class Handoff(Strict):
    """Follow the call (vaxel/handoff): timeouts, message delivery and escalation."""

    ring_timeout_s: int = Field(20, ge=3, le=120)
    telephonist_ring_s: int = Field(15, ge=3, le=120)
    queue: Name = Field("centre", description="where returned calls wait when needed")
    ring_mobile: bool = True
    music: str = "default"
    digit_timeout_s: float = Field(4.0, ge=1, le=15)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "vaxel@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password_file: Path | None = None
    default_email: str | None = Field(None, description="when neither person nor unit has one")
    escalation_email: str | None = None
    delivery_max_attempts: int = Field(6, ge=1, le=50)
    delivery_first_delay_s: int = Field(60, ge=1, le=3600)
    check_every_s: int = Field(30, ge=1, le=3600)
    units: dict[str, UnitMessages] = Field(default_factory=dict)


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Wallboard figures where a higher value is better (a threshold is then a floor, not a ceiling).
HIGHER_IS_BETTER = frozenset({"service_level_60", "service_level_120"})


class Limit(Strict):
    """Two limits of one figure: at ``warn`` it turns amber, at ``alarm`` red. For the
    service levels (per cent, higher is better) the limits are floors."""

    warn: float = Field(ge=0)
    alarm: float = Field(ge=0)


def _contrast_with_white(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def _wallboard_colour(value: str) -> str:
    if not HEX_COLOUR.fullmatch(value):
        raise ValueError(f"'{value}' is not a colour like #1c6b2e")
    ratio = _contrast_with_white(value)
    if ratio < 4.5:
        raise ValueError(f"'{value}' behind white text has contrast {ratio:.1f}:1; it needs 4.5:1")
    return value


WallboardColour = Annotated[str, AfterValidator(_wallboard_colour)]


class WallboardColours(Strict):
    """Backgrounds behind white text; each level also has its own symbol and word."""

    ok: WallboardColour = "#1c6b2e"
    warn: WallboardColour = "#8a4b00"
    alarm: WallboardColour = "#a4001d"


class Wallboard(Strict):
    """The supervisors' wallboard (/wallboard) and its kiosk screens."""

    refresh_s: float = Field(1.0, ge=0.5, le=60)
    stats_refresh_s: float = Field(5.0, ge=1, le=600)
    queues: list[Name] = Field(default_factory=list, description="empty: every queue")
    colours: WallboardColours = WallboardColours()
    waiting: Limit = Limit(warn=3, alarm=8)
    longest_wait_s: Limit = Limit(warn=90, alarm=300)
    service_level_60: Limit = Limit(warn=80, alarm=60)
    service_level_120: Limit = Limit(warn=90, alarm=75)
    asa_s: Limit = Limit(warn=45, alarm=90)
    callbacks_pending: Limit = Limit(warn=3, alarm=10)
    messages_overdue: Limit = Limit(warn=1, alarm=5)

    @field_validator("waiting", "longest_wait_s", "service_level_60", "service_level_120",
                     "asa_s", "callbacks_pending", "messages_overdue")  # fmt: skip
    @classmethod
    def _limits_in_order(cls, limit: Limit, info: ValidationInfo) -> Limit:
        if info.field_name in HIGHER_IS_BETTER:
            if limit.warn > 100 or limit.alarm > 100:
                raise ValueError("a service level is a per cent, 0-100")
            if limit.alarm > limit.warn:
                raise ValueError(f"alarm ({limit.alarm:g}) must not be above warn "
                                 f"({limit.warn:g}): a higher service level is better")  # fmt: skip
        elif limit.alarm < limit.warn:
            raise ValueError(f"alarm ({limit.alarm:g}) must not be below warn ({limit.warn:g})")
        return limit


class SiteConfig(Strict):
    site: Site
    handoff: Handoff = Handoff()
    ivr: Ivr = Ivr()
    asterisk: Asterisk = Asterisk()
    database: Database = Database()
    number_policy: NumberPolicy = NumberPolicy()
    privacy: Privacy = Privacy()
    web: Web = Web()
    wallboard: Wallboard = Wallboard()
    schedules: dict[Name, Schedule]
    numbers: list[PublishedNumber]
    queues: list[Queue]
    offices: list[Office] = Field(default_factory=list)
    telephonists: list[Telephonist] = Field(default_factory=list)
    prompts: dict[Name, Prompt] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> SiteConfig:
        queues = {q.name for q in self.queues}
        offices = {o.name for o in self.offices}
        schedules = set(self.schedules)
        _unique("numbers", "e164", [n.e164 for n in self.numbers])
        _unique("queues", "name", [q.name for q in self.queues])
        _unique("offices", "name", [o.name for o in self.offices])
        for i, number in enumerate(self.numbers):
            if number.queue and number.queue not in queues:
                raise Misplaced(("numbers", i, "queue"),
                                f"number '{number.name}' names unknown queue '{number.queue}'")  # fmt: skip
            if number.office and number.office not in offices:
                raise Misplaced(("numbers", i, "office"),
                                f"number '{number.name}' names unknown office '{number.office}'")  # fmt: skip
            if number.schedule and number.schedule not in schedules:
                raise Misplaced(("numbers", i, "schedule"),
                                f"number '{number.name}' names unknown schedule '{number.schedule}'")  # fmt: skip
        owners: list[tuple[str, int, Queue | Office]] = [
            *(("queues", i, q) for i, q in enumerate(self.queues)),
            *(("offices", i, o) for i, o in enumerate(self.offices)),
        ]
        for kind, i, owner in owners:
            if owner.schedule not in schedules:
                raise Misplaced((kind, i, "schedule"),
                                f"'{owner.name}' names unknown schedule '{owner.schedule}'")  # fmt: skip
        for i, queue in enumerate(self.queues):
            for what, destination in (
                ("overflow", queue.overflow),
                ("when_full", queue.when_full),
                ("when_nobody_logged_in", queue.when_nobody_logged_in),
            ):
                target = destination.removeprefix("queue:")
                if destination.startswith("queue:") and (
                    target not in queues or target == queue.name
                ):
                    raise Misplaced(("queues", i, what),
                                    f"queue '{queue.name}' {what} to unknown queue '{target}'")  # fmt: skip
        _unique("telephonists", "id", [t.id for t in self.telephonists])
        for i, telephonist in enumerate(self.telephonists):
            for name in telephonist.queues:
                if name not in queues:
                    raise Misplaced(("telephonists", i, "queues", name),
                                    f"telephonist '{telephonist.id}' answers unknown queue '{name}'")  # fmt: skip
        for i, name in enumerate(self.wallboard.queues):
            if name not in queues:
                raise Misplaced(
                    ("wallboard", "queues", i), f"wallboard: shows unknown queue '{name}'"
                )
        for i, office in enumerate(self.offices):
            if office.fallback_queue not in queues:
                raise Misplaced(("offices", i, "fallback_queue"),
                                f"office '{office.name}' falls back to unknown queue "
                                f"'{office.fallback_queue}'")  # fmt: skip
            for day, mobile in office.roster.items():
                try:
                    check_number(mobile, self.number_policy)
                except NumberRefused as refused:
                    raise Misplaced(("offices", i, "roster", day),
                                    f"{refused.reason}; the guide's mobile must pass "
                                    "[number_policy]") from None  # fmt: skip
        if self.handoff.queue not in queues:
            raise Misplaced(("handoff", "queue"),
                            f"returned calls wait in unknown queue '{self.handoff.queue}'")  # fmt: skip
        return self

    def number_by_e164(self, e164: str) -> PublishedNumber | None:
        return next((n for n in self.numbers if n.e164 == e164), None)


def _unique(what: str, field: str, values: list[str]) -> None:
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            raise Misplaced((what, index, field),
                            f"'{value}' appears twice (also {what}.{seen[value]})")  # fmt: skip
        seen[value] = index


def load_site_config(path: str | Path) -> SiteConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, "", f"cannot be read: {exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line ([0-9]+), column [0-9]+\)", str(exc))
        line = int(match.group(1)) if match else None
        raise ConfigError(path, line, "", f"not valid TOML: {exc}") from None
    try:
        config = SiteConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        error = (first.get("ctx") or {}).get("error")
        if isinstance(error, Misplaced):
            loc = (*loc, *error.loc)
        field = ".".join(str(part) for part in loc) or "(top level)"
        reason = first["msg"].removeprefix("Value error, ")
        raise ConfigError(path, locate(text, loc), field, reason) from None
    return _resolve_paths(config, path)


def _resolve_paths(config: SiteConfig, path: Path) -> SiteConfig:
    """A relative SQLite file lives beside the site file, not in whatever cwd started us."""
    url = config.database.url
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        absolute = (path.parent / url[len(prefix) :]).resolve()
        database = config.database.model_copy(update={"url": f"{prefix}{absolute}"})
        return config.model_copy(update={"database": database})
    return config
