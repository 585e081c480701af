"""Running a CSV import against the store: parse, plan, refuse a likely cut-off file, apply.

Shared by `vaxel directory import` and the admin API, so both report the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from vaxel.directory.importer import ImportPlan, RowProblem, parse_directory_csv, plan_import
from vaxel.directory.store import DirectoryStore
from vaxel.numbers import NumberPolicy


@dataclass(frozen=True)
class ImportReport:
    problems: tuple[RowProblem, ...]
    plan: ImportPlan
    applied: bool
    refused: str | None = None  # why nothing was applied although it could have been
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = [str(problem) for problem in self.problems]
        plan = self.plan
        out.append(
            f"{len(plan.create)} to create, {len(plan.update)} to update, "
            f"{len(plan.deactivate)} to deactivate, {len(plan.unchanged)} unchanged, "
            f"{len(self.problems)} bad row(s) skipped"
        )
        if self.refused:
            out.append(f"nothing was changed: {self.refused}")
        elif self.applied:
            out.append("applied")
        elif self.dry_run:
            out.append("dry run: nothing was changed")
        else:
            out.append("already up to date: nothing to change")
        return out

    def as_json(self) -> dict[str, object]:
        plan = self.plan
        return {
            "problems": [
                {"line": p.line, "reason": p.reason, "employee_id": p.employee_id}
                for p in self.problems
            ],
            "create": [row.employee_id for row in plan.create],
            "update": [
                {"employee_id": u.after.employee_id, "changed": list(u.changed)}
                for u in plan.update
            ],
            "deactivate": list(plan.deactivate),
            "unchanged": len(plan.unchanged),
            "applied": self.applied,
            "refused": self.refused,
        }


def run_import(
    store: DirectoryStore, text: str, policy: NumberPolicy, *, dry_run: bool, force: bool = False
) -> ImportReport:
    parsed = parse_directory_csv(text, policy)
    plan = plan_import(parsed, store.import_state())
    header_broken = any(p.line == 1 for p in parsed.problems)
    if header_broken:
        # Without a usable header every row is unknown: applying would deactivate everyone.
        return ImportReport(parsed.problems, ImportPlan(), False, "the header must be fixed first")
    if plan.looks_truncated() and not force:
        return ImportReport(
            parsed.problems,
            plan,
            False,
            f"it would deactivate {len(plan.deactivate)} people, which looks like a cut-off "
            "export; check the file, or force it",
        )
    if dry_run or plan.is_empty:
        return ImportReport(parsed.problems, plan, False, dry_run=dry_run)
    store.apply_import(plan)
    return ImportReport(parsed.problems, plan, True)
