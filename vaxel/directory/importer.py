"""Import of the HR or telephony system's CSV export. Pure: text in, plan out.

``parse_directory_csv`` validates every row and reports each bad one with its line number
and a reason a person can act on. ``plan_import`` diffs the valid rows against the people
already stored: create, update, deactivate, unchanged. Removed people are deactivated,
never deleted, and applying a plan and planning again gives an empty plan.

A bad row never deactivates its person: their employee id is carried as ``skipped``, so a
typo in one mobile number does not take someone out of the directory.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from vaxel.directory.model import (
    EXTENSION,
    IDENTIFIER,
    Department,
    Group,
    Keyword,
    MessageChannel,
    Person,
    Unit,
)
from vaxel.directory.search import fold
from vaxel.numbers import NumberPolicy, NumberRefused, check_number

COLUMNS = (
    "employee_id",
    "name",
    "title",
    "department",
    "unit",
    "group",
    "extension",
    "mobile",
    "email",
    "number_hidden",
    "keywords",
    "message_channel",
)
REQUIRED = frozenset({"employee_id", "name", "department", "unit", "extension"})
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TRUE = frozenset({"1", "true", "yes", "ja", "x"})
FALSE = frozenset({"", "0", "false", "no", "nej"})
MAX_FIELD = 200


@dataclass(frozen=True)
class ImportedPerson:
    """The fields the CSV owns. Settings people set themselves are never touched."""

    employee_id: str
    name: str
    title: str
    department: str
    unit: str
    group: str
    extension: str
    mobile: str | None
    email: str | None
    number_hidden: bool
    keywords: tuple[str, ...]
    message_channel: MessageChannel


@dataclass(frozen=True)
class RowProblem:
    line: int  # 1 is the header
    reason: str
    employee_id: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ParsedFile:
    rows: tuple[ImportedPerson, ...]
    problems: tuple[RowProblem, ...]
    skipped_ids: frozenset[str] = frozenset()  # employee ids of bad rows

    @property
    def ok(self) -> bool:
        return not self.problems


class RowError(ValueError):
    pass


def parse_directory_csv(text: str, policy: NumberPolicy) -> ParsedFile:
    text = text.removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0]
    # Swedish Excel exports use semicolons; keywords then need quoting, as CSV requires.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return ParsedFile((), (RowProblem(1, "the file is empty"),))
    except csv.Error as exc:
        return ParsedFile((), (RowProblem(1, f"not valid CSV: {exc}"),))
    header_problems = _check_header(header)
    if header_problems:
        # A renamed or missing column would silently blank a field for everyone.
        return ParsedFile((), tuple(header_problems))

    rows: list[ImportedPerson] = []
    problems: list[RowProblem] = []
    skipped: set[str] = set()
    id_lines: dict[str, int] = {}
    extension_lines: dict[str, int] = {}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RowProblem(start, f"not valid CSV: {exc}"))
            break
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        employee_id = values[0].strip() if values else ""
        try:
            if len(values) != len(header):
                raise RowError(f"has {len(values)} fields, the header has {len(header)}")
            person = _parse_row(dict(zip(header, values, strict=True)), policy)
            _check_unique("employee_id", person.employee_id, start, id_lines)
            _check_unique("extension", person.extension, start, extension_lines)
        except RowError as exc:
            problems.append(RowProblem(start, str(exc), employee_id or None))
            if employee_id:
                skipped.add(employee_id)
            continue
        id_lines[person.employee_id] = start
        extension_lines[person.extension] = start
        rows.append(person)
    return ParsedFile(tuple(rows), tuple(problems), frozenset(skipped))


def _check_header(header: list[str]) -> list[RowProblem]:
    problems = []
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        problems.append(
            RowProblem(
                1,
                f"unknown column(s) {', '.join(unknown)}; expected {', '.join(COLUMNS)}",
            )
        )
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        problems.append(RowProblem(1, f"column(s) {', '.join(doubled)} appear more than once"))
    missing = sorted(REQUIRED - set(header))
    if missing:
        problems.append(RowProblem(1, f"missing required column(s) {', '.join(missing)}"))
    return problems


def _check_unique(column: str, value: str, line: int, seen: dict[str, int]) -> None:
    if value in seen:
        raise RowError(f"{column} {value} is already used on line {seen[value]}")


def _parse_row(row: Mapping[str, str], policy: NumberPolicy) -> ImportedPerson:
    values = {column: row.get(column, "").strip() for column in COLUMNS}
    for column, value in values.items():
        if CONTROL.search(value):
            raise RowError(f"{column} contains a control character or line break")
        if len(value) > MAX_FIELD and column != "keywords":
            raise RowError(f"{column} is longer than {MAX_FIELD} characters")
    employee_id = values["employee_id"]
    if not employee_id:
        raise RowError("missing employee_id")
    if not IDENTIFIER.fullmatch(employee_id):
        raise RowError(f"employee_id {employee_id!r} may contain only letters, digits, . _ -")
    for column in ("name", "department", "unit"):
        if not values[column]:
            raise RowError(f"missing {column}")
    extension = values["extension"]
    if not EXTENSION.fullmatch(extension):
        raise RowError(f"bad extension {extension!r}: it must be 3-6 digits")
    mobile: str | None = None
    if values["mobile"]:
        try:
            mobile = check_number(values["mobile"], policy).e164
        except NumberRefused as refused:
            raise RowError(f"bad mobile {values['mobile']!r}: {refused.reason}") from None
    email = values["email"] or None
    if email is not None and not EMAIL.fullmatch(email):
        raise RowError(f"bad email {email!r}")
    hidden = values["number_hidden"].lower()
    if hidden not in TRUE | FALSE:
        raise RowError(f"number_hidden {values['number_hidden']!r} must be yes/no, ja/nej or 1/0")
    try:
        channel = MessageChannel(values["message_channel"].lower() or MessageChannel.EMAIL)
    except ValueError:
        raise RowError(
            f"message_channel {values['message_channel']!r} must be email or webhook"
        ) from None
    keywords = tuple(dict.fromkeys(k.strip() for k in values["keywords"].split(";") if k.strip()))
    return ImportedPerson(
        employee_id=employee_id,
        name=values["name"],
        title=values["title"],
        department=values["department"],
        unit=values["unit"],
        group=values["group"],
        extension=extension,
        mobile=mobile,
        email=email,
        number_hidden=hidden in TRUE,
        keywords=keywords,
        message_channel=channel,
    )


@dataclass(frozen=True)
class Directory:
    departments: tuple[Department, ...]
    units: tuple[Unit, ...]
    groups: tuple[Group, ...]
    people: tuple[Person, ...]
    keywords: tuple[Keyword, ...]


def slug(*names: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-") for name in names)


def directory_from_rows(rows: tuple[ImportedPerson, ...], keyword_priority: int = 50) -> Directory:
    """Model objects for imported rows, e.g. to search a file before it is stored.

    Ids are slugs of the names, since the export has no organisation ids; CSV keywords
    belong to their person, at one priority.
    """
    departments: dict[str, Department] = {}
    units: dict[str, Unit] = {}
    groups: dict[str, Group] = {}
    people: list[Person] = []
    keywords: list[Keyword] = []
    for row in rows:
        department = departments.setdefault(
            slug(row.department), Department(slug(row.department), row.department)
        )
        unit_id = slug(row.department, row.unit)
        units.setdefault(unit_id, Unit(unit_id, row.unit, department.id))
        group_id = slug(row.department, row.unit, row.group) if row.group else None
        if group_id is not None:
            groups.setdefault(group_id, Group(group_id, row.group, unit_id))
        people.append(
            Person(
                id=row.employee_id,
                name=row.name,
                title=row.title,
                unit_id=unit_id,
                extension=row.extension,
                mobile=row.mobile,
                email=row.email,
                number_hidden=row.number_hidden,
                message_channel=row.message_channel,
                group_id=group_id,
            )
        )
        keywords.extend(
            Keyword(term, keyword_priority, person_id=row.employee_id) for term in row.keywords
        )
    return Directory(
        tuple(departments.values()),
        tuple(units.values()),
        tuple(groups.values()),
        tuple(people),
        tuple(keywords),
    )


# --- Plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPerson:
    """What the store holds for a person, as far as the import is concerned."""

    person: ImportedPerson
    active: bool = True


@dataclass(frozen=True)
class Update:
    before: StoredPerson
    after: ImportedPerson
    changed: tuple[str, ...]  # field names; "active" when the person is reactivated


@dataclass(frozen=True)
class ImportPlan:
    create: tuple[ImportedPerson, ...] = ()
    update: tuple[Update, ...] = ()
    deactivate: tuple[str, ...] = ()  # employee ids
    unchanged: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # bad rows: left exactly as stored

    @property
    def is_empty(self) -> bool:
        return not (self.create or self.update or self.deactivate)

    def looks_truncated(self, max_share: float = 0.25) -> bool:
        """True when the plan would deactivate more than ``max_share`` of the active people,
        which is far likelier to be a cut-off export than a reorganisation."""
        active = len(self.update) + len(self.deactivate) + len(self.unchanged)
        return bool(active) and len(self.deactivate) / active > max_share


def plan_import(parsed: ParsedFile, current: Mapping[str, StoredPerson]) -> ImportPlan:
    create: list[ImportedPerson] = []
    update: list[Update] = []
    unchanged: list[str] = []
    in_file = {row.employee_id for row in parsed.rows}
    for row in parsed.rows:
        stored = current.get(row.employee_id)
        if stored is None:
            create.append(row)
            continue
        changed = [
            f.name for f in fields(row) if getattr(row, f.name) != getattr(stored.person, f.name)
        ]
        if not stored.active:
            changed.append("active")
        if changed:
            update.append(Update(stored, row, tuple(changed)))
        else:
            unchanged.append(row.employee_id)
    deactivate = sorted(
        employee_id
        for employee_id, stored in current.items()
        if stored.active and employee_id not in in_file and employee_id not in parsed.skipped_ids
    )
    skipped = sorted(parsed.skipped_ids - in_file)
    return ImportPlan(
        tuple(create),
        tuple(update),
        tuple(deactivate),
        tuple(unchanged),
        tuple(skipped),
    )


def apply_plan(current: Mapping[str, StoredPerson], plan: ImportPlan) -> dict[str, StoredPerson]:
    """The reference semantics the store's implementation must match."""
    result = dict(current)
    for row in plan.create:
        result[row.employee_id] = StoredPerson(row)
    for change in plan.update:
        result[change.after.employee_id] = StoredPerson(change.after)
    for employee_id in plan.deactivate:
        result[employee_id] = replace(result[employee_id], active=False)
    return result
