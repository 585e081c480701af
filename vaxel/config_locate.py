"""The line of a field in the site file, for error messages.

tomllib keeps no positions, so this walks the text: table headers, keys, and the elements of
arrays and inline tables written over several lines (an error in the third exception of a
schedule points at that exception's line, not at ``exceptions = [``).
"""

from __future__ import annotations

import re

Loc = tuple[str | int, ...]

HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
KEY = re.compile(r"\s*([A-Za-z0-9_\-\"\.]+)\s*=")


def locate(text: str, loc: Loc) -> int | None:
    """Best line for a pydantic error location: the longest prefix of ``loc`` that has one."""
    lines = field_lines(text)
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def field_lines(text: str) -> dict[Loc, int]:
    lines: dict[Loc, int] = {}
    table: Loc = ()
    array_counts: dict[Loc, int] = {}
    rows = text.splitlines()
    n = 0
    while n < len(rows):
        line = rows[n]
        if match := HEADER.match(line):
            parts = tuple(p.strip().strip('"') for p in match.group(2).split("."))
            if match.group(1) == "[[":
                index = array_counts.get(parts, 0)
                array_counts[parts] = index + 1
                table = (*parts, index)
            else:
                table = parts
            lines.setdefault(table, n + 1)
        elif match := KEY.match(line):
            path = (*table, *_dotted(match.group(1)))
            lines.setdefault(path, n + 1)
            n = _value(rows, n, match.end(), path, lines)
        n += 1
    return lines


def _dotted(key: str) -> Loc:
    return tuple(p.strip('"') for p in key.split("."))


class _Open:
    """An array or inline table being read: where its next element or key starts."""

    def __init__(self, kind: str, path: Loc) -> None:
        self.kind, self.path, self.index = kind, path, 0
        self.expecting = True  # the next token starts an element (array) or a key (table)
        self.value_path: Loc = path


def _value(rows: list[str], n: int, col: int, path: Loc, lines: dict[Loc, int]) -> int:
    """Reads the value that starts at ``rows[n][col]``; returns the index of its last line."""
    stack: list[_Open] = []
    while n < len(rows):
        line, i = rows[n], col
        while i < len(line):
            ch = line[i]
            if ch in " \t\r":
                i += 1
                continue
            if ch == "#":
                break
            top = stack[-1] if stack else None
            if top is not None and top.expecting and ch not in ",]}":
                if top.kind == "{" and (key := KEY.match(line, i)):
                    top.value_path = (*top.path, *_dotted(key.group(1)))
                    lines.setdefault(top.value_path, n + 1)
                    top.expecting = False
                    i = key.end()
                    continue
                if top.kind == "[":
                    top.value_path = (*top.path, top.index)
                    lines.setdefault(top.value_path, n + 1)
                    top.expecting = False
            if ch in "\"'":
                n, i = _after_string(rows, n, i)
                line = rows[n]
                if not stack:
                    return n
                continue
            if ch in "[{":
                stack.append(_Open(ch, top.value_path if top is not None else path))
            elif ch in "]}":
                stack.pop()
                if not stack:
                    return n
            elif ch == "," and top is not None:
                top.expecting = True
                top.index += top.kind == "["
            elif top is None:
                return n  # a plain value on this line
            i += 1
        if not stack:
            return n
        n, col = n + 1, 0
    return len(rows) - 1


def _after_string(rows: list[str], n: int, i: int) -> tuple[int, int]:
    """The position just after the string starting at ``rows[n][i]`` (any TOML quoting)."""
    quote = rows[n][i]
    delimiter = quote * 3 if rows[n].startswith(quote * 3, i) else quote
    j = i + len(delimiter)
    while n < len(rows):
        line = rows[n]
        while j < len(line):
            if quote == '"' and line[j] == "\\":
                j += 2
                continue
            if line.startswith(delimiter, j):
                return n, j + len(delimiter)
            j += 1
        if len(delimiter) == 1:
            return n, len(line)
        n, j = n + 1, 0
    return len(rows) - 1, len(rows[-1]) if rows else 0
