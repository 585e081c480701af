import pytest

from vaxel.directory.model import Department, Keyword, Person, Unit
from vaxel.directory.search import (
    DirectoryIndex,
    MatchKind,
    SearchField,
    fold,
    osa_distance,
    search_enriched,
    tokenize,
)

UNITS = [Unit("torg", "Torghandel och upplåtelser", "tek"), Unit("bygg", "Bygglovsenheten", "sbk")]
DEPARTMENTS = [
    Department("tek", "Tekniska förvaltningen"),
    Department("sbk", "Stadsbyggnadskontoret"),
]


def person(pid: str, name: str, title: str = "", unit: str = "torg", active: bool = True) -> Person:
    return Person(pid, name, title, unit, str(3000 + int(pid[1:])), active=active)


def ids(index: DirectoryIndex, query: str) -> list[str]:
    return [hit.person_id for hit in index.search(query)]


def test_fold_strips_swedish_and_other_diacritics():
    assert fold("Åsa Öberg-Lindén") == "asa oberg-linden"
    assert tokenize("ÄNGELHOLM Ærø Zoë") == ["angelholm", "aero", "zoe"]


def test_osa_distance_counts_a_transposition_as_one_edit():
    assert osa_distance("torghandle", "torghandel", 2) == 1
    assert osa_distance("bygglv", "bygglov", 1) == 1
    assert osa_distance("abc", "xyz", 1) == 2  # stops early, reports limit + 1


@pytest.mark.parametrize("query", ["Ostberg", "ostberg", "ÖSTBERG", "Östberg", "karin östberg"])
def test_ostberg_finds_ostberg_first(example_index, query):
    hit = example_index.search(query)[0]
    assert example_index.person(hit.person_id).name == "Karin Östberg"
    assert hit.reasons[-1].kind == MatchKind.EXACT
    assert hit.reasons[-1].matched == "Karin Östberg"


def test_keyword_search_finds_who_handles_a_matter(example_index):
    names = [example_index.person(h.person_id).name for h in example_index.search("torghandel")]
    assert {"Karin Östberg", "Per Åberg"} <= set(names[:4])


@pytest.mark.parametrize(
    ("typo", "term"),
    [("torghandle", "torghandel"), ("bygglv", "bygglov"), ("fardtjanst", "färdtjänst")],
)
def test_typos_and_missing_diacritics_still_find_the_keyword(example_index, typo, term):
    hits = example_index.search(typo)
    assert hits
    matched = {fold(r.matched) for h in hits[:3] for r in h.reasons}
    assert any(fold(term) in m for m in matched)


def test_typo_match_is_reported_as_fuzzy(example_index):
    hit = example_index.search("torghandle")[0]
    reason = hit.reasons[0]
    assert reason.kind == MatchKind.FUZZY and reason.distance == 1


def test_ranking_is_exact_then_prefix_then_keyword_then_fuzzy():
    people = [
        person("p1", "Anna Berk"),  # fuzzy: 1 edit from "berg"
        person("p2", "Olle Bergström"),  # prefix
        person("p3", "Eva Lund"),  # keyword "berg"
        person("p4", "Lars Berg"),  # exact
    ]
    index = DirectoryIndex(people, UNITS, keywords=[Keyword("berg", 50, person_id="p3")])
    hits = index.search("berg")
    assert [h.person_id for h in hits] == ["p4", "p2", "p3", "p1"]
    assert [h.reasons[0].kind for h in hits] == [
        MatchKind.EXACT,
        MatchKind.PREFIX,
        MatchKind.KEYWORD,
        MatchKind.FUZZY,
    ]


def test_keyword_priority_orders_people_sharing_a_keyword():
    people = [person("p1", "Anna A"), person("p2", "Bo B"), person("p3", "Cia C")]
    keywords = [
        Keyword("parkering", 20, person_id="p1"),
        Keyword("parkering", 90, person_id="p2"),
        Keyword("parkering", 50, person_id="p3"),
    ]
    assert ids(DirectoryIndex(people, UNITS, keywords=keywords), "parkering") == ["p2", "p3", "p1"]


def test_keyword_priority_breaks_ties_between_stronger_unit_matches():
    people = [person("p1", "Anna A", unit="bygg"), person("p2", "Bo B", unit="bygg")]
    units = [Unit("bygg", "Bygglov", "sbk")]
    keywords = [Keyword("bygglov", 80, person_id="p2")]
    hits = DirectoryIndex(people, units, keywords=keywords).search("bygglov")
    assert [h.person_id for h in hits] == ["p2", "p1"]
    assert hits[0].reasons[0].field == SearchField.UNIT


def test_unit_keywords_reach_everyone_in_the_unit():
    people = [person("p1", "Anna A", unit="bygg"), person("p2", "Bo B", unit="torg")]
    index = DirectoryIndex(people, UNITS, keywords=[Keyword("strandskydd", 50, unit_id="bygg")])
    assert ids(index, "strandskydd") == ["p1"]


def test_inactive_people_are_not_found():
    index = DirectoryIndex([person("p1", "Lars Berg", active=False)], UNITS)
    assert index.search("berg") == []
    assert len(index) == 0


def test_reasons_follow_the_query_word_order():
    people = [person("p1", "Karin Östberg", "Torghandelsansvarig")]
    [hit] = DirectoryIndex(people, UNITS).search("torghandelsansvarig karin")
    assert [(r.field, r.query) for r in hit.reasons] == [
        (SearchField.TITLE, "torghandelsansvarig"),
        (SearchField.NAME, "karin"),
    ]


def test_every_query_word_must_match():
    people = [
        person("p1", "Karin Östberg"),
        person("p2", "Karin Lund"),
        person("p3", "Per Östberg"),
    ]
    assert ids(DirectoryIndex(people, UNITS), "karin ostb") == ["p1"]


def test_titles_units_departments_and_extensions_are_searchable():
    people = [person("p1", "Eva Sjöberg", "Bygglovshandläggare", unit="bygg"), person("p2", "Bo B")]
    index = DirectoryIndex(people, UNITS, DEPARTMENTS)
    assert ids(index, "bygglovshandlaggare") == ["p1"]
    assert ids(index, "stadsbyggnadskontoret") == ["p1"]
    assert ids(index, "upplatelser") == ["p2"]
    assert ids(index, "3001") == ["p1"]


def test_accented_names_match_unaccented_queries(example_index):
    assert (
        example_index.person(example_index.search("rene linden")[0].person_id).name == "René Lindén"
    )


def test_equal_scores_are_ordered_alphabetically():
    people = [person("p1", "Örjan Holm"), person("p2", "Anna Holm"), person("p3", "Bo Holm")]
    assert ids(DirectoryIndex(people, UNITS), "holm") == ["p2", "p3", "p1"]


def test_empty_and_punctuation_queries_find_nothing(example_index):
    assert example_index.search("") == []
    assert example_index.search(" -;& ") == []


def test_limit_caps_the_results(example_index):
    assert len(example_index.search("a", limit=5)) <= 5
    assert len(example_index.search("handlaggare", limit=3)) == 3


def test_caller_attaches_presence_and_free_colleagues_without_search_knowing():
    people = [
        person("p1", "Karin Östberg"),
        person("p2", "Per Åberg"),
        person("p3", "Eva B", unit="bygg"),
    ]
    index = DirectoryIndex(people, UNITS)
    free = {"p2"}

    def enrich(hit):
        return [c for c in index.colleagues(hit.person_id) if c in free]

    [result] = search_enriched(index, "ostberg", enrich)
    assert result.hit.person_id == "p1"
    assert result.info == ["p2"]
