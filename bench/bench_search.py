"""Directory search benchmark: 10,000 people, 2,000 keywords, ~2,000 mixed queries.

Target (issue 4): p95 under 20 ms per query. Exits 1 if the target is missed.

    .venv/bin/python bench/bench_search.py [--people N] [--keywords N] [--queries N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

# Runnable as a plain script from a checkout, whether or not vaxel is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaxel.directory.model import Department, Group, Keyword, Person, Unit
from vaxel.directory.search import DirectoryIndex, tokenize

TARGET_P95_MS = 20.0
SYLLABLES = [
    "berg", "ström", "lund", "qvist", "gren", "sjö", "holm", "dahl", "ek", "björk", "ås",
    "fors", "hed", "vall", "näs", "mark", "by", "torp", "löf", "sand", "strand", "ny",
    "ö", "häll", "kvarn", "lind", "al", "ask", "rön", "gård", "vik", "hag", "sten", "mo",
]  # fmt: skip
FIRST = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Åsa", "Märta", "Linnéa", "Zoë", "Elin",
    "Lars", "Per", "Johan", "Erik", "Björn", "Göran", "Åke", "Örjan", "Sören", "René", "Omar",
    "Ingrid", "Kerstin", "Ulla", "Birgitta", "Hanna", "Mikael", "Anders", "Peter", "Hans",
]  # fmt: skip
TOPICS = [
    "torghandel", "bygglov", "färdtjänst", "skolskjuts", "bostadsanpassning", "LSS",
    "ekonomiskt bistånd", "parkering", "hemtjänst", "strandskydd", "livsmedelskontroll",
]  # fmt: skip
TITLES = [
    "Handläggare", "Bygglovshandläggare", "Socialsekreterare", "Enhetschef", "Ingenjör",
    "Samordnare", "Inspektör", "Administratör", "Ekonom", "Kommunikatör", "Arkitekt",
]  # fmt: skip


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def build(
    rng: random.Random, n_people: int, n_keywords: int
) -> tuple[DirectoryIndex, list[Person], list[Keyword], float]:
    departments = [Department(f"d{i}", f"{word(rng, 2).capitalize()}förvaltningen") for i in range(12)]  # fmt: skip
    units = [
        Unit(f"u{i}", f"{word(rng, 2).capitalize()}enheten", rng.choice(departments).id)
        for i in range(250)
    ]
    groups = [Group(f"g{i}", f"Grupp {word(rng, 1)}", rng.choice(units).id) for i in range(300)]
    # dict, not set: set order follows PYTHONHASHSEED and would change the workload.
    surnames = list(dict.fromkeys(word(rng, rng.choice([2, 2, 3])).capitalize() for _ in range(4000)))  # fmt: skip
    people = [
        Person(
            id=f"p{i}",
            name=f"{rng.choice(FIRST)} {rng.choice(surnames)}",
            title=f"{rng.choice(TITLES)} {word(rng, 2)}" if rng.random() < 0.5 else rng.choice(TITLES),
            unit_id=rng.choice(units).id,
            extension=str(10000 + i),
            active=rng.random() > 0.02,
        )
        for i in range(n_people)
    ]  # fmt: skip
    terms = list(
        dict.fromkeys(TOPICS + [word(rng, rng.choice([2, 3, 4])) for _ in range(3 * n_keywords)])
    )
    terms = terms[:n_keywords]  # fmt: skip
    keywords = []
    for term in terms:
        if rng.random() < 0.3:
            keywords.append(Keyword(term, rng.randint(0, 100), unit_id=rng.choice(units).id))
        else:
            for person in rng.sample(people, k=rng.randint(1, 4)):
                keywords.append(Keyword(term, rng.randint(0, 100), person_id=person.id))
    started = time.perf_counter()
    index = DirectoryIndex(people, units, departments, groups, keywords)
    return index, people, keywords, time.perf_counter() - started


def typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text) - 1)
    edit = rng.choice(["delete", "swap", "replace", "insert"])
    if edit == "delete":
        return text[:i] + text[i + 1 :]
    if edit == "swap":
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    letter = rng.choice("abcdefghijklmnoprstuvyåäö")
    if edit == "replace":
        return text[:i] + letter + text[i + 1 :]
    return text[:i] + letter + text[i:]


def queries(rng: random.Random, people: list[Person], keywords: list[Keyword], n: int) -> list[str]:
    out = []
    for _ in range(n):
        person = rng.choice(people)
        surname = person.name.split()[-1]
        kind = rng.choice(["exact", "full", "prefix", "typo", "keyword", "keyword_typo"])
        if kind == "exact":
            out.append(surname)
        elif kind == "full":
            out.append(person.name.lower())
        elif kind == "prefix":
            out.append(tokenize(surname)[0][: rng.randint(2, 5)])
        elif kind == "typo":
            out.append(typo(rng, tokenize(surname)[0]))
        elif kind == "keyword":
            out.append(rng.choice(keywords).term)
        else:
            out.append(typo(rng, tokenize(rng.choice(keywords).term)[0]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--keywords", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    index, people, keywords, build_s = build(rng, args.people, args.keywords)
    workload = queries(rng, [p for p in people if p.active], keywords, args.queries)

    for query in workload[:50]:  # warm caches
        index.search(query)
    timings_ms = []
    hits = 0
    for query in workload:
        started = time.perf_counter()
        found = index.search(query)
        timings_ms.append((time.perf_counter() - started) * 1000)
        hits += bool(found)

    cuts = statistics.quantiles(timings_ms, n=100, method="inclusive")
    p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    terms = len({k.term for k in keywords})
    print(f"people={args.people} indexed={len(index)} keywords={terms} links={len(keywords)} "
          f"queries={len(workload)} with_hits={hits}")  # fmt: skip
    print(f"index build: {build_s:.2f} s")
    print(f"p50: {p50:.2f} ms  p95: {p95:.2f} ms  p99: {p99:.2f} ms  max: {max(timings_ms):.2f} ms")
    ok = p95 < TARGET_P95_MS
    print(f"target p95 < {TARGET_P95_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
