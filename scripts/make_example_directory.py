"""Write examples/directory.csv: a fictional municipality's staff, deterministic.

The first 20 people have extensions 2001-2020, the sandbox's desk phones, and cover the
matters telephonists search for most. Mobiles are in PTS's range for fiction
(+46701740600-699), so nobody real is ever called. Run:

    .venv/bin/python scripts/make_example_directory.py
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

# Runnable as a plain script from a checkout, whether or not vaxel is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaxel.directory.importer import COLUMNS
from vaxel.directory.search import fold

OUT = Path(__file__).resolve().parent.parent / "examples" / "directory.csv"
TOTAL = 300
MOBILES = [f"+467017406{n:02d}" for n in range(100)]

# (department, unit, groups, titles, keywords, people)
UNITS: list[tuple[str, str, list[str], list[str], list[str], int]] = [
    ("Kommunkontoret", "Medborgarcenter", ["Växeln", "Samhällsvägledning"],
     ["Telefonist", "Samhällsvägledare", "Kundtjänsthandläggare"],
     ["växel", "medborgarkontor", "samhällsvägledning"], 20),
    ("Kommunkontoret", "Kansliavdelningen", [], ["Kommunsekreterare", "Registrator",
     "Nämndsekreterare", "Arkivarie"], ["diarium", "allmänna handlingar", "nämndprotokoll"], 9),
    ("Kommunkontoret", "Ekonomiavdelningen", [], ["Ekonom", "Controller", "Redovisningsekonom"],
     ["fakturor", "leverantörsreskontra"], 8),
    ("Kommunkontoret", "HR-avdelningen", [], ["HR-konsult", "Lönespecialist"],
     ["lön", "rekrytering", "pension"], 8),
    ("Kommunkontoret", "Kommunikationsavdelningen", [], ["Kommunikatör", "Webbredaktör"],
     ["webbplats", "press", "störningsmeddelande"], 6),
    ("Kommunkontoret", "Näringslivsavdelningen", [], ["Näringslivsutvecklare", "Företagslots"],
     ["företagslots", "etablering", "upphandling"], 5),
    ("Barn- och skolförvaltningen", "Grundskoleavdelningen", ["Skolskjuts", "Antagning"],
     ["Skoladministratör", "Handläggare skolskjuts", "Verksamhetschef"],
     ["skolskjuts", "skolval", "modersmål"], 14),
    ("Barn- och skolförvaltningen", "Förskoleavdelningen", ["Placering och avgifter"],
     ["Placeringshandläggare", "Avgiftshandläggare", "Förskolechef"],
     ["förskoleplats", "barnomsorgsavgift", "pedagogisk omsorg"], 12),
    ("Barn- och skolförvaltningen", "Elevhälsan", [], ["Skolsköterska", "Skolpsykolog",
     "Kurator"], ["elevhälsa"], 8),
    ("Socialförvaltningen", "Ekonomiskt bistånd", ["Mottagning", "Handläggning"],
     ["Socialsekreterare", "Mottagningssekreterare", "Enhetschef"],
     ["ekonomiskt bistånd", "försörjningsstöd", "akut hjälp"], 18),
    ("Socialförvaltningen", "Barn och familj", [], ["Socialsekreterare", "Familjebehandlare"],
     ["orosanmälan", "familjebehandling"], 12),
    ("Socialförvaltningen", "Vuxenenheten", [], ["Socialsekreterare", "Behandlingsassistent"],
     ["missbruk", "beroende", "boendestöd"], 10),
    ("Socialförvaltningen", "Familjerätt", [], ["Familjerättssekreterare"],
     ["faderskap", "vårdnad", "adoption"], 5),
    ("Vård- och omsorgsförvaltningen", "Biståndsenheten", [], ["Biståndshandläggare"],
     ["hemtjänst", "särskilt boende", "trygghetslarm"], 16),
    ("Vård- och omsorgsförvaltningen", "LSS-enheten", [], ["LSS-handläggare", "Enhetschef"],
     ["LSS", "personlig assistans", "ledsagarservice"], 10),
    ("Vård- och omsorgsförvaltningen", "Färdtjänst", [], ["Färdtjänsthandläggare"],
     ["färdtjänst", "riksfärdtjänst", "parkeringstillstånd för rörelsehindrade"], 6),
    ("Vård- och omsorgsförvaltningen", "Hemtjänst", ["Hemtjänst norr", "Hemtjänst söder"],
     ["Samordnare", "Enhetschef"], ["hemtjänst", "matdistribution"], 12),
    ("Stadsbyggnadskontoret", "Bygglovsenheten", ["Bygglov", "Byggtillsyn"],
     ["Bygglovshandläggare", "Bygglovsarkitekt", "Byggnadsinspektör"],
     ["bygglov", "strandskydd", "olovligt byggande", "attefallshus"], 16),
    ("Stadsbyggnadskontoret", "Planavdelningen", [], ["Planarkitekt", "Planhandläggare"],
     ["detaljplan", "översiktsplan"], 8),
    ("Stadsbyggnadskontoret", "Lantmäteri", [], ["Lantmätare", "Kartingenjör"],
     ["fastighetsbildning", "nybyggnadskarta"], 6),
    ("Stadsbyggnadskontoret", "Bostadsanpassning", [], ["Bostadsanpassningshandläggare"],
     ["bostadsanpassning"], 4),
    ("Tekniska förvaltningen", "Torghandel och upplåtelser", [], ["Torghandelsansvarig",
     "Handläggare upplåtelser"], ["torghandel", "uteservering", "markupplåtelse"], 4),
    ("Tekniska förvaltningen", "Gator och trafik", ["Parkering", "Gatudrift"],
     ["Trafikingenjör", "Parkeringshandläggare", "Gatuingenjör"],
     ["parkering", "gator", "felparkering", "gatubelysning", "vinterväghållning"], 14),
    ("Tekniska förvaltningen", "Park och natur", [], ["Parkingenjör", "Trädvårdare"],
     ["träd", "lekplats", "park"], 7),
    ("Tekniska förvaltningen", "Vatten och avfall", [], ["VA-ingenjör", "Avfallsrådgivare"],
     ["vattenläcka", "sophämtning", "återvinningscentral"], 8),
    ("Miljöförvaltningen", "Livsmedelskontroll", [], ["Livsmedelsinspektör"],
     ["livsmedelskontroll", "restaurang"], 6),
    ("Miljöförvaltningen", "Miljö- och hälsoskydd", [], ["Miljöinspektör",
     "Hälsoskyddsinspektör"], ["buller", "avlopp", "mögel", "enskilt avlopp"], 8),
    ("Kultur- och fritidsförvaltningen", "Bibliotek", [], ["Bibliotekarie", "Biblioteksassistent"],
     ["bibliotek", "lånekort"], 10),
    ("Kultur- och fritidsförvaltningen", "Fritid", [], ["Fritidskonsulent", "Bokningsansvarig"],
     ["föreningsbidrag", "lokalbokning", "idrottshall"], 9),
    ("Serviceförvaltningen", "Kost", [], ["Kostchef", "Kock", "Dietist"], ["skolmat", "specialkost"], 8),
    ("Serviceförvaltningen", "IT-service", [], ["IT-tekniker", "Systemförvaltare"],
     ["it-support", "lösenord"], 8),
    ("Serviceförvaltningen", "Lokalvård och fordon", [], ["Lokalvårdare", "Fordonssamordnare"],
     ["lokalvård", "bilpool"], 5),
]  # fmt: skip

# The sandbox desk phones 2001-2020: (name, unit, group, title, keywords).
DESK_PHONES = [
    ("Maria Lindqvist", "Medborgarcenter", "Växeln", "Telefonist", ""),
    ("Ahmed Hassan", "Medborgarcenter", "Växeln", "Telefonist", ""),
    ("Sofia Bergström", "Medborgarcenter", "Samhällsvägledning", "Samhällsvägledare", "medborgarkontor"),
    ("Jöns Pålsson", "Medborgarcenter", "Samhällsvägledning", "Samhällsvägledare", "medborgarkontor"),
    ("Karin Östberg", "Torghandel och upplåtelser", "", "Torghandelsansvarig", "torghandel;uteservering"),
    ("Per Åberg", "Torghandel och upplåtelser", "", "Handläggare upplåtelser", "torghandel;markupplåtelse"),
    ("Eva Sjöberg", "Bygglovsenheten", "Bygglov", "Bygglovshandläggare", "bygglov;attefallshus"),
    ("Lars Mårtensson", "Bygglovsenheten", "Bygglov", "Bygglovsarkitekt", "bygglov;strandskydd"),
    ("Anna Nguyen", "Färdtjänst", "", "Färdtjänsthandläggare", "färdtjänst;riksfärdtjänst"),
    ("Göran Håkansson", "Grundskoleavdelningen", "Skolskjuts", "Handläggare skolskjuts", "skolskjuts"),
    ("Lena Wikström", "Bostadsanpassning", "", "Bostadsanpassningshandläggare", "bostadsanpassning"),
    ("Fatima Ali", "Ekonomiskt bistånd", "Mottagning", "Mottagningssekreterare", "ekonomiskt bistånd;akut hjälp"),
    ("Johan Söderberg", "Ekonomiskt bistånd", "Handläggning", "Socialsekreterare", "ekonomiskt bistånd"),
    ("Åsa Nyström", "LSS-enheten", "", "LSS-handläggare", "LSS;personlig assistans"),
    ("Mikael Löfgren", "LSS-enheten", "", "LSS-handläggare", "LSS;ledsagarservice"),
    ("Ingrid Holmberg", "Gator och trafik", "Parkering", "Parkeringshandläggare", "parkering;felparkering"),
    ("René Lindén", "Livsmedelskontroll", "", "Livsmedelsinspektör", "livsmedelskontroll"),
    ("Märta Ekström", "Biståndsenheten", "", "Biståndshandläggare", "hemtjänst;trygghetslarm"),
    ("Björn Sandberg", "IT-service", "", "IT-tekniker", "it-support"),
    ("Elin Forsberg", "Kansliavdelningen", "", "Registrator", "diarium;allmänna handlingar"),
]  # fmt: skip

FIRST = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Marie",
    "Sofia", "Johanna", "Åsa", "Elin", "Ida", "Linnéa", "Malin", "Maja", "Ebba", "Märta",
    "Birgitta", "Agneta", "Ulrika", "Helén", "Zoë", "Amira", "Leila", "Yasmin", "Hanna",
    "Klara", "Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Mikael", "Peter", "Jan",
    "Hans", "Magnus", "Björn", "Göran", "Åke", "Örjan", "Sören", "Jöns", "Olof", "Nils",
    "Mats", "Henrik", "Fredrik", "Oskar", "Viktor", "Elias", "Hugo", "Omar", "Ali",
    "Mehmet", "René", "José", "Ahmad"
]  # fmt: skip
LAST = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jönsson", "Hansson",
    "Bengtsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström", "Lindgren",
    "Berg", "Axelsson", "Lundberg", "Lundgren", "Lundqvist", "Mattsson", "Berglund",
    "Fredriksson", "Henriksson", "Sjögren", "Wallin", "Engström", "Eklund", "Danielsson",
    "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Samuelsson", "Fransson",
    "Bergqvist", "Arvidsson", "Nyberg", "Blomqvist", "Claesson", "Nordström", "Lundström",
    "Björklund", "Eliasson", "Berggren", "Sandström", "Nordin", "Ström", "Hermansson",
    "Holmgren", "Sundberg", "Hedlund", "Dahlberg", "Hellström", "Abrahamsson", "Falk",
    "Öberg", "Andreasson", "Blom", "Månsson", "Strand", "Sjödén", "Hedén", "Yilmaz",
    "Mohammed", "Kovač", "Petrović", "Şahin", "Jensen", "Lindholm", "Wennerström"
]  # fmt: skip


def email(name: str, taken: set[str]) -> str:
    base = ".".join(fold(part).replace("'", "") for part in name.split())
    address, n = f"{base}@kommun.example", 2
    while address in taken:
        address, n = f"{base}{n}@kommun.example", n + 1
    taken.add(address)
    return address


def rows() -> list[list[str]]:
    rng = random.Random(4)
    department_of = {unit: dept for dept, unit, *_ in UNITS}
    people: list[tuple[str, str, str, str, str]] = list(DESK_PHONES)
    names = {p[0] for p in people}
    for _dept, unit, groups, titles, keywords, count in UNITS:
        already = sum(1 for p in DESK_PHONES if p[1] == unit)
        for _ in range(max(count - already, 0)):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            while name in names:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            names.add(name)
            title = rng.choice(titles)
            group = rng.choice(groups) if groups else ""
            chosen = rng.sample(keywords, k=min(len(keywords), rng.choice([0, 1, 1, 2])))
            people.append((name, unit, group, title, ";".join(chosen)))
    people = people[:TOTAL]

    mobile_people = set(range(10)) | set(rng.sample(range(20, len(people)), k=len(MOBILES) - 10))
    mobiles = iter(MOBILES)
    next_extension: dict[str, int] = {}
    taken_emails: set[str] = set()
    out = []
    for index, (name, unit, group, title, topics) in enumerate(people):
        dept = department_of[unit]
        if index < len(DESK_PHONES):
            extension = 2001 + index
        else:
            department_index = sorted({u[0] for u in UNITS}).index(dept)
            base = 3000 + 400 * department_index
            extension = next_extension.get(dept, base + 1)
            next_extension[dept] = extension + 1
        hidden = unit in ("Barn och familj", "Familjerätt") or rng.random() < 0.03
        channel = "webhook" if unit in ("Ekonomiskt bistånd", "IT-service") else "email"
        out.append([
            f"E{10001 + index}", name, title, dept, unit, group, str(extension),
            next(mobiles) if index in mobile_people else "", email(name, taken_emails),
            "yes" if hidden else "no", topics, channel,
        ])  # fmt: skip
    return out


def main() -> int:
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows())
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
