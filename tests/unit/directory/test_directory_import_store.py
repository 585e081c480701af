"""`vaxel directory import` against a real store: report, idempotence, deactivation."""

from __future__ import annotations

from tests.conftest import run_vaxel
from tests.support.controller import write_site_file
from tests.unit.directory.dir_app import EXAMPLE
from vaxel import db
from vaxel.config import load_site_config
from vaxel.directory.store import DirectoryStore

BAD = """employee_id,name,title,department,unit,group,extension,mobile,email,number_hidden,keywords,message_channel
E1,Anna Ek,Handläggare,Kommunkontoret,Kansli,,4001,,anna@kommun.example,no,arkiv,email
E2,Bo Al,Handläggare,Kommunkontoret,Kansli,,40x1,,,no,,email
E3,Cia Ny,Handläggare,Kommunkontoret,Kansli,,4003,0900123456,,no,,email
E4,,Handläggare,Kommunkontoret,Kansli,,4004,,,no,,email
E5,Dan Ås,Handläggare,Kommunkontoret,Kansli,,4001,,,no,,email
E6,Eva Ö,Handläggare,Kommunkontoret,Kansli,,4006,+88234567890,,maybe,,email
"""


def store_for(site) -> DirectoryStore:
    config = load_site_config(site)
    db.upgrade(config.database.url)
    return DirectoryStore(db.make_sessionmaker(db.make_engine(config.database.url)))


def test_example_file_imports_once_and_again_changes_nothing(tmp_path, store_url):
    site = write_site_file(tmp_path, database_url=store_url)
    first = run_vaxel("directory", "import", str(EXAMPLE), "--config", str(site))
    assert first.returncode == 0, first.stderr
    assert "300 to create" in first.stdout and "applied" in first.stdout
    again = run_vaxel("directory", "import", str(EXAMPLE), "--config", str(site))
    assert again.returncode == 0
    assert "0 to create, 0 to update, 0 to deactivate, 300 unchanged" in again.stdout
    directory = store_for(site).load()
    karin = next(p for p in directory.people if p.name == "Karin Östberg")
    assert karin.extension == "2005" and karin.active
    assert any(k.term == "torghandel" and k.person_id == karin.id for k in directory.keywords)


def test_removed_people_are_deactivated_not_deleted(tmp_path, store_url):
    site = write_site_file(tmp_path, database_url=store_url)
    assert run_vaxel("directory", "import", str(EXAMPLE), "--config", str(site)).returncode == 0
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("".join(line for line in lines if not line.startswith("E10005,")))
    result = run_vaxel("directory", "import", str(smaller), "--config", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 to deactivate" in result.stdout
    karin = next(p for p in store_for(site).load().people if p.id == "E10005")
    assert karin.active is False


def test_bad_rows_are_reported_with_line_numbers_and_good_rows_applied(tmp_path):
    site = write_site_file(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    dry = run_vaxel("directory", "import", str(bad), "--config", str(site), "--dry-run")
    assert dry.returncode == 1
    out = dry.stdout
    assert f"{bad}: line 3: bad extension '40x1'" in out
    assert "line 4: bad mobile '0900123456'" in out and "premium-rate" in out
    assert "line 5: missing name" in out
    assert "line 6: extension 4001 is already used on line 2" in out
    assert "line 7: bad mobile '+88234567890'" in out and "international" in out
    assert "dry run: nothing was changed" in out
    assert store_for(site).load().people == ()
    real = run_vaxel("directory", "import", str(bad), "--config", str(site))
    assert real.returncode == 1 and "applied" in real.stdout
    assert [p.id for p in store_for(site).load().people] == ["E1"]


def test_a_file_that_would_empty_the_directory_is_refused(tmp_path):
    site = write_site_file(tmp_path)
    assert run_vaxel("directory", "import", str(EXAMPLE), "--config", str(site)).returncode == 0
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("\n".join(EXAMPLE.read_text(encoding="utf-8").splitlines()[:3]) + "\n")
    refused = run_vaxel("directory", "import", str(tiny), "--config", str(site))
    assert refused.returncode == 4 and "cut-off" in refused.stdout
    assert all(p.active for p in store_for(site).load().people)
