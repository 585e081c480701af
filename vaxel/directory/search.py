"""In-memory directory search over names, titles, units and keywords. Pure.

Text is folded before indexing and querying: case-folded, diacritics stripped (å/ä -> a,
ö -> o, é -> e), so "Ostberg" and "ostberg" find "Östberg". Each query token is matched
against the folded vocabulary three ways, and every query token must match (AND):

- exact and prefix: the vocabulary is a sorted list, so a prefix is one bisect;
- fuzzy: restricted Damerau-Levenshtein (optimal string alignment), at most 1 edit for
  tokens of 4-7 characters and 2 from 8; candidates come from a symmetric-delete index
  (SymSpell), so only a handful of words are ever compared.

Ranking classes, each far enough apart that bonuses never cross them:
exact (name, title, unit, extension) > prefix > keyword > fuzzy. Within a class, the
field weight (name > title > unit), a shorter completion, and the keyword's priority
decide; a keyword's priority also breaks ties between stronger matches (at most +20,
below any class gap). Only active people are indexed. Presence, phone hours and free colleagues are
attached by the caller through ``search_enriched``, so this module stays pure.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from operator import itemgetter
from typing import Generic, TypeVar

from vaxel.directory.model import Department, Group, Keyword, Person, Unit
from vaxel.numbers import is_ascii_digits

TOKEN = re.compile(r"[a-z0-9]+")
# Letters NFKD does not decompose into a base letter plus a combining mark.
LIGATURES = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l"})
DEFAULT_LIMIT = 20

T = TypeVar("T")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(LIGATURES)


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(fold(text))


def max_edits(length: int) -> int:
    if length < 4:
        return 0
    return 1 if length < 8 else 2


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (adjacent transpositions count as one edit).

    Returns ``limit + 1`` as soon as the distance is known to exceed ``limit``.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        char = a[i - 1]
        row_min = i
        for j in range(1, len(b) + 1):
            other = b[j - 1]
            value = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (char != other),
            )
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                value = min(value, before[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def deletions(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class SearchField(IntEnum):
    NAME = 0
    EXTENSION = 1
    TITLE = 2
    UNIT = 3
    KEYWORD = 4


class MatchKind(StrEnum):
    EXACT = "exact"
    PREFIX = "prefix"
    KEYWORD = "keyword"
    FUZZY = "fuzzy"


FIELD_WEIGHT = {
    SearchField.NAME: 30,
    SearchField.EXTENSION: 30,
    SearchField.TITLE: 20,
    SearchField.UNIT: 10,
}


def match_score(
    field: SearchField, kind: MatchKind, priority: int, extra: int, distance: int
) -> int:
    """Class base + bonuses; see the module docstring for the ordering it guarantees."""
    if field == SearchField.KEYWORD:
        if kind == MatchKind.EXACT:
            return 450 + priority
        if kind == MatchKind.PREFIX:
            return 400 + priority - min(extra, 30)
        return 150 + priority - 50 * (distance - 1)
    weight = FIELD_WEIGHT[field]
    if kind == MatchKind.EXACT:
        return 1000 + weight
    if kind == MatchKind.PREFIX:
        return 700 + weight - min(extra, 30)
    return 200 + weight - 50 * (distance - 1)


@dataclass(frozen=True)
class MatchReason:
    field: SearchField
    kind: MatchKind  # keyword matches report KEYWORD unless they were fuzzy
    query: str  # the folded query token
    matched: str  # the original text: the name, title, unit name or keyword term
    distance: int = 0


@dataclass(frozen=True)
class SearchHit:
    person_id: str
    score: int
    reasons: tuple[MatchReason, ...]


@dataclass(frozen=True)
class EnrichedHit(Generic[T]):
    hit: SearchHit
    info: T


# One posting group: every person reached through one (token, field, source text,
# priority). Grouping lets the query score a whole unit's members with one calculation.
Posting = tuple[SearchField, int, int, frozenset[int]]  # field, priority, source index, people
Best = tuple[int, SearchField, int, MatchKind, int, str]  # score, field, source, kind, distance, q


class DirectoryIndex:
    """Immutable once built; rebuild it when the directory changes."""

    def __init__(
        self,
        people: Iterable[Person],
        units: Iterable[Unit],
        departments: Iterable[Department] = (),
        groups: Iterable[Group] = (),
        keywords: Iterable[Keyword] = (),
    ) -> None:
        active = sorted((p for p in people if p.active), key=lambda p: (fold(p.name), p.id))
        self._people: tuple[Person, ...] = tuple(active)
        self._position = {p.id: i for i, p in enumerate(active)}
        unit_by_id = {u.id: u for u in units}
        department_name = {d.id: d.name for d in departments}
        group_name = {g.id: g.name for g in groups}
        self._unit_members: dict[str, list[int]] = {}
        for i, person in enumerate(active):
            self._unit_members.setdefault(person.unit_id, []).append(i)

        sources: list[str] = []
        source_ids: dict[str, int] = {}
        raw: dict[str, dict[tuple[SearchField, int, int], list[int]]] = {}

        def add(text: str, field: SearchField, priority: int, members: Sequence[int]) -> None:
            source = source_ids.setdefault(text, len(sources))
            if source == len(sources):
                sources.append(text)
            for token in set(tokenize(text)):
                raw.setdefault(token, {}).setdefault((field, priority, source), []).extend(members)

        for i, person in enumerate(active):
            add(person.name, SearchField.NAME, 0, (i,))
            add(person.extension, SearchField.EXTENSION, 0, (i,))
            if person.title:
                add(person.title, SearchField.TITLE, 0, (i,))
            if person.group_id in group_name:
                add(group_name[person.group_id], SearchField.UNIT, 0, (i,))
        for unit_id, members in self._unit_members.items():
            unit = unit_by_id.get(unit_id)
            if unit is None:
                continue
            add(unit.name, SearchField.UNIT, 0, members)
            if unit.department_id in department_name:
                add(department_name[unit.department_id], SearchField.UNIT, 0, members)
        for keyword in keywords:
            if keyword.person_id is not None:
                position = self._position.get(keyword.person_id)
                members = [position] if position is not None else []
            else:
                members = self._unit_members.get(keyword.unit_id or "", [])
            if members:
                add(keyword.term, SearchField.KEYWORD, keyword.priority, members)

        self._sources = tuple(sources)
        self._vocabulary = sorted(raw)
        self._token_id = {token: i for i, token in enumerate(self._vocabulary)}
        self._postings: list[tuple[Posting, ...]] = [
            tuple((f, prio, src, frozenset(m)) for (f, prio, src), m in raw[t].items())
            for t in self._vocabulary
        ]
        self._deletes: dict[str, list[int]] = {}
        for token_id, token in enumerate(self._vocabulary):
            if len(token) < 3 or is_ascii_digits(token):
                continue
            for variant in deletions(token, 1 if len(token) < 6 else 2):
                self._deletes.setdefault(variant, []).append(token_id)

    def __len__(self) -> int:
        return len(self._people)

    def person(self, person_id: str) -> Person | None:
        position = self._position.get(person_id)
        return None if position is None else self._people[position]

    def colleagues(self, person_id: str) -> tuple[str, ...]:
        """Other active people in the same unit, for "is a colleague free?"."""
        person = self.person(person_id)
        if person is None:
            return ()
        members = self._unit_members.get(person.unit_id, [])
        return tuple(self._people[i].id for i in members if self._people[i].id != person_id)

    def search(self, query: str, *, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        terms = list(dict.fromkeys(tokenize(query)))
        if not terms or limit <= 0:
            return []
        per_term = [self._score_term(term) for term in terms]
        smallest_first = sorted(per_term, key=len)
        totals = {p: best[0] for p, best in smallest_first[0].items()}
        for scores in smallest_first[1:]:
            totals = {p: s + scores[p][0] for p, s in totals.items() if p in scores}
        top = heapq.nlargest(limit, totals.items(), key=lambda item: (item[1], -item[0]))
        return [self._hit(p, score, per_term) for p, score in top]

    def _hit(self, position: int, score: int, per_term: list[dict[int, Best]]) -> SearchHit:
        reasons = []
        for scores in per_term:
            _s, field, source, kind, distance, term = scores[position]
            if field == SearchField.KEYWORD and kind != MatchKind.FUZZY:
                kind = MatchKind.KEYWORD
            reasons.append(MatchReason(field, kind, term, self._sources[source], distance))
        return SearchHit(self._people[position].id, score, tuple(reasons))

    def _score_term(self, term: str) -> dict[int, Best]:
        groups: list[tuple[int, Best, frozenset[int]]] = []
        bonuses: list[tuple[int, frozenset[int]]] = []
        for token_id, kind, extra, distance in self._term_matches(term):
            for field, priority, source, members in self._postings[token_id]:
                score = match_score(field, kind, priority, extra, distance)
                groups.append((score, (score, field, source, kind, distance, term), members))
                if field == SearchField.KEYWORD and kind != MatchKind.FUZZY and priority >= 5:
                    bonuses.append((priority // 5, members))
        # Best group first, so each person's first assignment is their best; the set
        # operations then run in C, which keeps short prefixes like "st" cheap.
        groups.sort(key=itemgetter(0), reverse=True)
        best: dict[int, Best] = {}
        for _score, entry, members in groups:
            missing = members.difference(best)
            if missing:
                best.update(dict.fromkeys(missing, entry))
        # A keyword's priority must still order people whom a stronger match ties, e.g.
        # everyone in the unit "Bygglov" when searching "bygglov".
        bonuses.sort(key=itemgetter(0), reverse=True)
        keyword_bonus: dict[int, int] = {}
        for bonus, members in bonuses:
            missing = members.difference(keyword_bonus)
            if missing:
                keyword_bonus.update(dict.fromkeys(missing, bonus))
        for position, bonus in keyword_bonus.items():
            current = best[position]
            if current[1] != SearchField.KEYWORD:
                best[position] = (current[0] + bonus, *current[1:])
        return best

    def _term_matches(self, term: str) -> list[tuple[int, MatchKind, int, int]]:
        """(token id, kind, extra characters after a prefix, edit distance)."""
        matches: list[tuple[int, MatchKind, int, int]] = []
        exact = self._token_id.get(term)
        if exact is not None:
            matches.append((exact, MatchKind.EXACT, 0, 0))
        seen = {exact}
        if len(term) >= 2:
            low = bisect_left(self._vocabulary, term)
            high = bisect_left(self._vocabulary, term[:-1] + chr(ord(term[-1]) + 1))
            for token_id in range(low, high):
                if token_id != exact:
                    extra = len(self._vocabulary[token_id]) - len(term)
                    matches.append((token_id, MatchKind.PREFIX, extra, 0))
                    seen.add(token_id)
        budget = max_edits(len(term))
        if budget and not is_ascii_digits(term):
            candidates: set[int] = set()
            for variant in deletions(term, budget):
                candidates.update(self._deletes.get(variant, ()))
            for token_id in candidates - seen:
                distance = osa_distance(term, self._vocabulary[token_id], budget)
                if 0 < distance <= budget:
                    matches.append((token_id, MatchKind.FUZZY, 0, distance))
        return matches


def search(index: DirectoryIndex, query: str, *, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    return index.search(query, limit=limit)


def search_enriched(
    index: DirectoryIndex,
    query: str,
    enrich: Callable[[SearchHit], T],
    *,
    limit: int = DEFAULT_LIMIT,
) -> list[EnrichedHit[T]]:
    """Search, then let the caller attach live facts (presence, next phone hours, free
    colleagues from ``index.colleagues``) to each hit."""
    return [EnrichedHit(hit, enrich(hit)) for hit in index.search(query, limit=limit)]
