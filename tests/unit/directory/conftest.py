from pathlib import Path

import pytest

from vaxel.directory.importer import ParsedFile, directory_from_rows, parse_directory_csv
from vaxel.directory.search import DirectoryIndex
from vaxel.numbers import NumberPolicy

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "directory.csv"


@pytest.fixture(scope="session")
def example_file() -> ParsedFile:
    return parse_directory_csv(EXAMPLE.read_text(encoding="utf-8"), NumberPolicy())


@pytest.fixture(scope="session")
def example_index(example_file: ParsedFile) -> DirectoryIndex:
    d = directory_from_rows(example_file.rows)
    return DirectoryIndex(d.people, d.units, d.departments, d.groups, d.keywords)
