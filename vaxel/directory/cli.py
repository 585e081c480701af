"""`vaxel directory import FILE --config site.toml [--dry-run] [--force]`.

Exit codes: 0 clean, 1 bad rows were reported (good rows are still applied unless
--dry-run), 2 the file or the site file cannot be used, 4 refused as a likely cut-off file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_import(args: argparse.Namespace) -> int:
    from vaxel.app import build_context
    from vaxel.config import load_site_config
    from vaxel.directory.imports import run_import
    from vaxel.directory.store import DirectoryStore

    config = load_site_config(args.config)
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        print(f"vaxel: {args.file}: no such file", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"vaxel: {args.file}: cannot be read as UTF-8 text: {exc}", file=sys.stderr)
        return 2
    ctx = build_context(config)
    report = run_import(DirectoryStore(ctx.sessions), text, config.number_policy,
                        dry_run=args.dry_run, force=args.force)  # fmt: skip
    for line in report.lines():
        print(f"{args.file}: {line}" if line.startswith("line ") else line)
    if report.applied:
        plan = report.plan
        ctx.auth.audit("cli", "directory.import", "directory",
                       {"file": str(args.file), "created": len(plan.create),
                        "updated": len(plan.update), "deactivated": len(plan.deactivate)})  # fmt: skip
    if report.refused:
        return 2 if any(p.line == 1 for p in report.problems) else 4
    return 1 if report.problems else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    directory = subparsers.add_parser("directory", help="the staff directory")
    sub = directory.add_subparsers(dest="directory_command", required=True)
    imp = sub.add_parser(
        "import", help="import the HR export (CSV); bad rows are listed with line numbers"
    )
    imp.add_argument("file")
    imp.add_argument("--config", required=True)
    imp.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    imp.add_argument(
        "--force", action="store_true", help="apply even if many people would be deactivated"
    )
    imp.set_defaults(func=cmd_import)
