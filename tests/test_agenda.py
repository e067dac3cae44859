"""The agenda (irev/agenda.py): its page, the home page's next events, the calendar files, read back
from real builds. The fixture records (tests/fixtures/agenda) are dated around 15 March 2030, the
build day set here (SOURCE_DATE_EPOCH); the browser tests set the page's clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from conftest import CONTENT, MINIMAL, ROOT, build_site, page_text, serve
from playwright.sync_api import expect
from test_accessibility import assert_no_violation
from test_html import html_errors
from test_links import broken_links

from irev import agenda, catalogue, loading, models, pages

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.timezone.utc
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "agenda"
BUILD_DAY = dt.datetime(2030, 3, 15, 12, tzinfo=UTC)  # the build day of the fixture site
HOST = "ressources.irev.fr"


def agenda_tree(target: Path) -> Path:
    """The minimal tree with the agenda's fixture records."""
    shutil.copytree(MINIMAL, target)
    for folder in ("meetings", "cycles"):
        shutil.copytree(FIXTURE / folder, target / folder, dirs_exist_ok=True)
    return target


def build_agenda(tree: Path, site: Path) -> Path:
    result = build_site(tree, site, SOURCE_DATE_EPOCH=str(int(BUILD_DAY.timestamp())))
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def agenda_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("agenda")
    return build_agenda(agenda_tree(folder / "content"), folder / "site")


def calendars(site: Path) -> dict[str, icalendar.Calendar]:
    return {p.relative_to(site).as_posix(): icalendar.Calendar.from_ical(p.read_bytes()) for p in sorted(site.rglob("*.ics"))}


def event(site: Path, uri: str) -> icalendar.Event:
    [found] = calendars(site)[uri].events
    return found


def last_day(vevent: icalendar.Event) -> dt.date:
    """The last day an event covers (an all-day event's DTEND is the day after)."""
    if isinstance(vevent.start, dt.datetime):
        return vevent.start.astimezone(PARIS).date()
    return vevent.end - dt.timedelta(days=1)


def records(tree: Path) -> dict[str, models.Record]:
    cat, problems = catalogue.build(loading.load(tree))
    assert [p for p in problems if not p.warning] == []
    return {entry.id: entry.model for entry in cat.records.values()}


def expected_times(day: models.PartialDate, start: str | None, end: str | None, last: models.PartialDate | None = None):
    """(DTSTART, DTEND) a record's day and times should give, worked out from its fields alone."""
    if start is None or start in models.MOMENTS or last is not None:
        return day.first_day, (last or day).first_day + dt.timedelta(days=1)
    at = [dt.datetime.combine(day.first_day, dt.time.fromisoformat(t), PARIS) if t else None for t in (start, end)]
    return at[0], at[1]


def check_against_records(site: Path, tree: Path) -> int:
    """Every meeting and every occurrence with a full day has its calendar file, with the day, times and
    time zone of its record; the others have none. Returns the number of events checked."""
    found = calendars(site)
    checked = 0
    for ident, model in records(tree).items():
        if isinstance(model, models.Reunion):
            dated = [(f"reunions/{ident}/{ident}.ics", f"reunion-{ident}", model.date, model.heure_debut, model.heure_fin,
                      None)]
        elif isinstance(model, models.Cycle):
            numbers = [session.numero for session in model.sessions()]
            parts = [f"session-{s.numero}" if s.numero and numbers.count(s.numero) == 1 else f"rang-{rank}"
                     for rank, s in enumerate(model.sessions(), start=1)]
            dated = [(f"cycles/{ident}/{ident}-{part}-{index}.ics", f"cycle-{ident}-{part}-{index}", slot.date,
                      slot.heure_debut, slot.heure_fin, slot.date_fin)
                     for part, session in zip(parts, model.sessions())
                     for index, slot in enumerate(session.creneaux, start=1)]
        else:
            continue
        for uri, uid, day, start, end, last in dated:
            if not day.complete:
                assert uri not in found
                continue
            calendar = found[uri]
            [vevent] = calendar.events
            assert vevent["UID"] == f"{uid}@{HOST}"
            begin, finish = expected_times(day, start, end, last)
            assert vevent.start == begin and type(vevent.start) is type(begin), uri
            assert vevent.get("DTEND") is None if finish is None else vevent.end == finish, uri
            if isinstance(begin, dt.datetime):
                assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
                assert calendar.get_missing_tzids() == set() and calendar.timezones[0].tz_name == "Europe/Paris"
            assert vevent["URL"] == f"https://{HOST}/{uri.rpartition('/')[0]}/"
            assert (site / uri.rpartition("/")[0] / "index.html").exists()
            checked += 1
    return checked


# --- calendar files ----------------------------------------------------------------------------


def test_every_calendar_file_has_the_days_times_and_time_zone_of_its_record(agenda_site, tmp_path):
    assert check_against_records(agenda_site, agenda_tree(tmp_path / "content")) == 11


def test_the_seed_meeting_of_22_june_2022_starts_at_9_in_paris_7_utc(real_site):
    meeting = event(real_site, "reunions/2022-06-22-reseau-lcd/2022-06-22-reseau-lcd.ics")
    assert meeting.start.astimezone(UTC) == dt.datetime(2022, 6, 22, 7, 0, tzinfo=UTC)
    assert meeting["LOCATION"] == "En visioconférence" and meeting["STATUS"] == "CONFIRMED"
    assert meeting["UID"] == f"reunion-2022-06-22-reseau-lcd@{HOST}"
    assert check_against_records(real_site, CONTENT) >= 10


def test_summer_and_winter_times_and_whole_days(agenda_site):
    winter = event(agenda_site, "reunions/2030-03-10-reseau-passe/2030-03-10-reseau-passe.ics")
    assert (winter.start.astimezone(UTC), winter.end.astimezone(UTC)) == (
        dt.datetime(2030, 3, 10, 13, 0, tzinfo=UTC), dt.datetime(2030, 3, 10, 15, 30, tzinfo=UTC))
    summer = event(agenda_site, "reunions/2030-05-20-reseau-annule/2030-05-20-reseau-annule.ics")
    assert summer.start.astimezone(UTC) == dt.datetime(2030, 5, 20, 7, 30, tzinfo=UTC)
    # A part of the day: the whole day, the part said in the summary; an atelier names its day.
    atelier = event(agenda_site, "reunions/2030-04-02-atelier-logement/2030-04-02-atelier-logement.ics")
    assert (atelier.start, atelier.end) == (dt.date(2030, 4, 2), dt.date(2030, 4, 3))
    assert atelier["SUMMARY"] == "Atelier logement de la rencontre régionale (après-midi)"
    assert atelier["RELATED-TO"] == f"reunion-2030-04-02-rencontre-regionale@{HOST}"
    # Two days: one event over both, its hours in the description.
    days = event(agenda_site, "cycles/2030-cycle-agenda/2030-cycle-agenda-session-2-1.ics")
    assert (days.start, days.end) == (dt.date(2030, 3, 25), dt.date(2030, 3, 27))
    assert "Horaires : 9 h 30 – 17 h 00" in days["DESCRIPTION"]
    assert days["LOCATION"] == "Hôtel de ville d'Arras, CA de Lens - Liévin"
    assert "Inscription : https://inscriptions.example.org/cycle-2030 (jusqu'au 31 mars 2030)" in days["DESCRIPTION"]


def test_cycles_whole_agenda_drafts_and_names(agenda_site):
    found = calendars(agenda_site)
    cycle = found["cycles/2030-cycle-agenda/2030-cycle-agenda.ics"]
    assert [str(e["UID"]).partition("@")[0] for e in cycle.events] == [
        f"cycle-2030-cycle-agenda-session-{n}" for n in ("1-1", "2-1", "4-1", "4-2")]  # session 3: not dated yet
    # The agenda to subscribe to: what is to come and the past year's (the 2021 and 2022 events are older).
    whole = found["agenda/irev.ics"]
    singles = [e for uri, c in found.items() if uri != "agenda/irev.ics" and not uri.endswith("cycle-agenda.ics")
               and not uri.endswith("cycle-test.ics") for e in c.events]
    assert len(singles) == 11
    recent = [e["UID"] for e in singles if last_day(e).year == 2030]
    assert sorted(e["UID"] for e in whole.events) == sorted(recent) and len(recent) == 8
    assert whole.refresh_interval == dt.timedelta(days=1) and whole["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert whole.get_missing_tzids() == set()
    everything = "".join(p.read_text(encoding="utf-8") for p in agenda_site.rglob("*.ics"))
    assert "brouillon" not in everything and "préparation" not in everything  # the draft
    assert "juin 2030" not in everything  # a meeting known by its month has no calendar file
    assert not re.search("secret", everything, re.IGNORECASE)
    rencontre = event(agenda_site, "reunions/2030-04-02-rencontre-regionale/2030-04-02-rencontre-regionale.ics")
    assert "avec [nom non publié] de la CALL" in rencontre["DESCRIPTION"]
    cancelled = event(agenda_site, "reunions/2030-05-20-reseau-annule/2030-05-20-reseau-annule.ics")
    assert (cancelled["STATUS"], cancelled["SUMMARY"]) == ("CANCELLED", "Annulé : Réunion de réseau du 20 mai 2030")
    assert cancelled.last_modified == dt.datetime(2030, 3, 1, tzinfo=PARIS) and cancelled["SEQUENCE"] > 0  # its mise_a_jour
    assert rencontre["SEQUENCE"] == (dt.date(2030, 2, 1) - dt.date(1900, 1, 1)).days  # days from 1900 to its update


def test_uids_stay_and_a_moved_or_postponed_event_is_updated_in_calendars(agenda_site, tmp_path):
    tree = agenda_tree(tmp_path / "content")
    moved = tree / "meetings" / "2030-03-10-reseau-passe.md"
    moved.write_text(moved.read_text(encoding="utf-8").replace("date: 2030-03-10", "date: 2030-03-12").replace(
        "mise_a_jour: 2030-02-01", "mise_a_jour: 2030-03-11"), encoding="utf-8")
    postponed = tree / "meetings" / "2030-04-02-rencontre-regionale.md"
    postponed.write_text(postponed.read_text(encoding="utf-8").replace("format: hybride", "format: hybride\nstatut_evenement: reporte")
                         .replace("mise_a_jour: 2030-02-01", "mise_a_jour: 2030-03-14"), encoding="utf-8")
    site = build_agenda(tree, tmp_path / "site")
    before, after = calendars(agenda_site), calendars(site)
    assert before.keys() == after.keys()
    uri = "reunions/2030-03-10-reseau-passe/2030-03-10-reseau-passe.ics"
    [old], [new] = before[uri].events, after[uri].events
    assert new["UID"] == old["UID"] and new.start == dt.datetime(2030, 3, 12, 14, 0, tzinfo=PARIS)
    assert new["SEQUENCE"] > old["SEQUENCE"] and new.last_modified > old.last_modified
    uri = "reunions/2030-04-02-rencontre-regionale/2030-04-02-rencontre-regionale.ics"
    [new] = after[uri].events
    assert (new["STATUS"], new["SUMMARY"]) == ("CANCELLED", "Reporté : Rencontre régionale 2030")
    assert new["SEQUENCE"] > before[uri].events[0]["SEQUENCE"]
    # What did not change makes the same bytes.
    same = "cycles/2030-cycle-agenda/2030-cycle-agenda.ics"
    assert (site / same).read_bytes() == (agenda_site / same).read_bytes()
    page = (site / "reunions" / "2030-04-02-rencontre-regionale" / "index.html").read_text(encoding="utf-8")
    assert "Cette réunion n'aura pas lieu à la date indiquée" in page and "EventPostponed" in page


# --- pages ----------------------------------------------------------------------------------


def _items(site: Path, url_path: str, list_id: str) -> list[str]:
    """The items of a list of a built page as its visible text (hidden ones marked « [masqué] »)."""
    html = (site / url_path / "index.html").read_text(encoding="utf-8")
    block = re.search(rf'<(ul|div) class="irev-agenda" id="{list_id}"[^>]*>(.*?)\n</\1>', html, re.S).group(2)
    items = re.findall(r"<li([^>]*)>(.*?)</li>", block, re.S)
    return [("[masqué] " if " hidden" in attributes else "") + " ".join(re.sub(r"<[^>]+>", " ", text).split())
            for attributes, text in items]


def test_the_agenda_page_as_built_splits_at_the_build_day_and_says_so(agenda_site):
    text = page_text(agenda_site, "agenda")
    assert "Agenda arrêté au 15 mars 2030 ;" in text
    upcoming = _items(agenda_site, "agenda", "agenda-a-venir")
    assert [item.partition(" Ajouter")[0] for item in upcoming] == [
        "du lundi 25 mars 2030 au mardi 26 mars 2030, 9 h 30 – 17 h 00 Cycle de printemps 2030 — Session 2 : Deux jours "
        "à Arras Hôtel de ville d'Arras, CA de Lens - Liévin · Publics : Agents des collectivités Inscription : "
        "s'inscrire : Cycle de printemps 2030 jusqu'au 31 mars 2030",
        "mardi 2 avril 2030, journée Rencontre régionale 2030 — Rencontre régionale Grand Palais, Lille et en "
        "visioconférence · Publics : Professionnels de la politique de la ville Inscription : s'inscrire : Rencontre "
        "régionale 2030",
        "mardi 2 avril 2030, après-midi Atelier logement de la rencontre régionale — Atelier Dans le cadre de : "
        "Rencontre régionale 2030 Salle 2, Grand Palais, Lille",
        "mercredi 10 avril 2030, matin Cycle de printemps 2030 — Session 4 : Les élus et le plan Lens · Groupe : Élus "
        "locaux · Publics : Agents des collectivités Inscription : s'inscrire : Cycle de printemps 2030 jusqu'au 31 mars 2030",
        "mercredi 17 avril 2030, 14 h 00 – 17 h 00 — Annulé Cycle de printemps 2030 — Session 4 : Les élus et le plan "
        "Lens · Publics : Agents des collectivités Inscription : s'inscrire : Cycle de printemps 2030 jusqu'au 31 mars 2030",
        "lundi 20 mai 2030, 9 h 30 – 12 h 00 — Annulé Réunion de réseau du 20 mai 2030 — Réunion de réseau En "
        "visioconférence",
    ]
    assert all("Ajouter à mon agenda : " in item for item in upcoming)
    undated = _items(agenda_site, "agenda", "agenda-a-preciser")
    assert [item.partition(" — ")[0] for item in undated] == [
        "juin 2030 Réunion de réseau de juin 2030", "Date à préciser Cycle de printemps 2030"]
    assert not any("Ajouter à mon agenda" in item for item in undated)
    html = (agenda_site / "agenda" / "index.html").read_text(encoding="utf-8")
    past = html[html.index('id="agenda-passes"'):]
    assert re.findall(r'<h3 id="annee-(\d+)">', past) == ["2030", "2022", "2021"]
    assert past.index("Réunion de réseau du 10 mars 2030") < past.index("Session 1 : Ouverture") < past.index("2022")
    assert "Réunion en préparation" not in html  # the draft
    calendar_links = re.findall(r'<a href="([^"]+\.ics)" type="text/calendar">', html)
    assert "irev.ics" in calendar_links and len(calendar_links) == 12  # the whole agenda, and each dated event
    assert all((agenda_site / "agenda" / link).resolve().is_file() for link in calendar_links)
    assert "https://ressources.irev.fr/agenda/irev.ics" in text
    assert re.search(r'<script src="\.\./assets/agenda\.js" defer>', html)


def test_the_home_page_holds_the_next_events_and_shows_three(agenda_site):
    items = _items(agenda_site, "", "agenda-prochains")
    assert [item.startswith("[masqué]") for item in items] == [False] * 3 + [True] * 3
    assert items[0].startswith("du lundi 25 mars 2030") and "Agenda arrêté au 15 mars 2030 ;" in page_text(agenda_site, "")
    home = (agenda_site / "index.html").read_text(encoding="utf-8")
    assert '<a href="agenda/">Tout l\'agenda</a>' in home and 'href="agenda/irev.ics" type="text/calendar"' in home


def test_record_pages_offer_their_calendar_file_and_say_when_cancelled(agenda_site):
    meeting = (agenda_site / "reunions" / "2030-05-20-reseau-annule" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="\.\./2030-05-20-reseau-annule/2030-05-20-reseau-annule\.ics" type="text/calendar">Ajouter à mon agenda \(fichier '
                     r'iCalendar\)</a>', meeting)
    assert "Cette réunion est annulée : elle n'aura pas lieu." in meeting and "EventCancelled" in meeting
    assert "Dans le cadre de" not in meeting  # a meeting on its own (the term was shown empty)
    atelier = page_text(agenda_site, "reunions/2030-04-02-atelier-logement")
    assert "Dans le cadre de Rencontre régionale 2030 (rencontre régionale du mardi 2 avril 2030)" in atelier
    cycle = (agenda_site / "cycles" / "2030-cycle-agenda" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../2030-cycle-agenda/2030-cycle-agenda.ics" type="text/calendar">Ajouter les 4 séances à mon agenda' in cycle
    assert "mercredi 17 avril 2030 (<strong>annulé</strong>)" in cycle
    month = (agenda_site / "reunions" / "2030-06-reseau-juin" / "index.html").read_text(encoding="utf-8")
    assert "Ajouter à mon agenda" not in month
    assert '<a href="agenda/" class="md-tabs__link">' in (agenda_site / "index.html").read_text(encoding="utf-8")
    assert "Agenda" in page_text(agenda_site, "plan-du-site")


def test_the_fixture_site_has_no_html_error_nor_broken_link(agenda_site):
    assert html_errors(agenda_site) == []
    assert broken_links(agenda_site)[0] == []


# --- in the browser, at another day than the build's ---------------------------------------------


@pytest.fixture(scope="module")
def site_url(agenda_site):
    with serve(agenda_site) as url:
        yield url


def _titles(page, selector: str) -> list[str]:
    """The visible items of a list: their second line (the event), without the links that follow."""
    return [text.split("\n")[1] for text in page.locator(f"{selector} > li:visible").all_inner_texts()]


def test_the_browser_splits_the_agenda_at_the_day_it_is_read(page, site_url):
    page.clock.set_fixed_time(dt.datetime(2030, 4, 5, 10, tzinfo=PARIS))
    page.goto(site_url + "/agenda/")
    expect(page.locator("#agenda-etat")).to_have_text("Agenda au 5 avril 2030, date de votre appareil.")
    assert _titles(page, "#agenda-a-venir") == [
        "Cycle de printemps 2030 — Session 4 : Les élus et le plan",
        "Cycle de printemps 2030 — Session 4 : Les élus et le plan",
        "Réunion de réseau du 20 mai 2030 — Réunion de réseau"]
    assert page.locator("#agenda-passes > h3").all_inner_texts() == ["2030", "2022", "2021"]
    assert _titles(page, "#annee-2030 + ul")[:3] == [
        "Atelier logement de la rencontre régionale — Atelier", "Rencontre régionale 2030 — Rencontre régionale",
        "Cycle de printemps 2030 — Session 2 : Deux jours à Arras"]
    assert len(_titles(page, "#agenda-a-preciser")) == 2  # June, and the cycle's session 3 (the cycle is not over)
    assert_no_violation(page)


def test_an_event_over_two_days_is_to_come_until_its_last_day(page, site_url):
    page.clock.set_fixed_time(dt.datetime(2030, 3, 26, 18, tzinfo=PARIS))
    page.goto(site_url + "/")
    assert _titles(page, "#agenda-prochains") == [
        "Cycle de printemps 2030 — Session 2 : Deux jours à Arras", "Rencontre régionale 2030 — Rencontre régionale",
        "Atelier logement de la rencontre régionale — Atelier"]
    expect(page.locator("#agenda-etat")).to_have_text("Agenda au 26 mars 2030, date de votre appareil.")


def test_a_clock_before_the_build_brings_past_events_back_and_after_all_empties_the_lists(page, site_url):
    page.clock.set_fixed_time(dt.datetime(2030, 3, 1, 10, tzinfo=PARIS))
    page.goto(site_url + "/agenda/")
    assert _titles(page, "#agenda-a-venir")[:2] == [
        "Cycle de printemps 2030 — Session 1 : Ouverture", "Réunion de réseau du 10 mars 2030 — Réunion de réseau"]
    page.clock.set_fixed_time(dt.datetime(2031, 1, 1, 10, tzinfo=PARIS))
    page.goto(site_url + "/")
    expect(page.locator("#agenda-prochains")).to_have_text("Aucun événement annoncé pour le moment.", use_inner_text=True)
    page.goto(site_url + "/agenda/")
    expect(page.locator("#agenda-a-venir")).to_have_text("Aucun événement annoncé pour le moment.", use_inner_text=True)
    expect(page.locator("#agenda-a-preciser")).to_have_text("Aucun événement dont la date reste à préciser.", use_inner_text=True)
    assert page.locator("#agenda-passes > h3").all_inner_texts() == ["2030", "2022", "2021"]


def test_a_long_past_is_cut_and_the_subscribed_calendar_keeps_a_year(tmp_path):
    """A generated 250-record tree (meetings from 2012 to 2025), as of 1 July 2025: the page lists the latest
    past events only, the subscribed calendar those of the year before, every event keeps its own file."""
    root = tmp_path / "content"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_corpus.py"), "--records", "250", "--out",
                             str(root)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    cat, _ = catalogue.build(loading.load(root))
    day = dt.date(2025, 7, 1)
    renderer, site_url = pages.Renderer(cat), "https://ressources.irev.fr/"
    texts = [agenda.make_one(agenda.maker(renderer, site_url), job) for job in agenda.jobs(renderer)]
    made = agenda.write(renderer, site_url, tmp_path / "calendriers", day, texts)
    text = made.page.markdown
    past = text[text.index('id="agenda-passes"'):]
    assert past.count("<li data-tri=") == agenda.PAST_SHOWN and "Les 100 derniers." in text
    dated = [e for e in agenda.events(cat) if e.dated]
    files = dict(made.files)
    assert len(files) == len({e.file for e in dated}) + len({e.record.id for e in dated if e.record.kind == "cycle"}) + 1
    whole = icalendar.Calendar.from_ical(files["agenda/irev.ics"].read_bytes())
    assert whole.events and min(map(last_day, whole.events)) >= day - dt.timedelta(days=365)
    assert len(whole.events) < len(dated)


def test_a_previews_agenda_patched_after_edits_is_the_agenda_sorted_afresh(tmp_path):
    """A preview keeps its events in order and patches the lists where an edit made some again: ties,
    past and to come, dated or not, the latest update, as sorting every event again gives them."""
    root = tmp_path / "content"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_corpus.py"), "--records", "250", "--out",
                             str(root)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    found, day, kept = agenda.events(catalogue.build(loading.load(root))[0]), dt.date(2025, 7, 1), agenda.Kept()
    kept.ordered(found, day)
    dated, undated = [e for e in found if e.dated], [e for e in found if not e.dated]
    assert len(dated) > 100 and undated
    edited = list(found)
    for moved, onto in ((dated[5], dated[40]), (dated[60], undated[0]), (undated[-1], dated[-3]), (dated[-1], dated[0])):
        edited[found.index(moved)] = dataclasses.replace(moved, date=onto.date, until=onto.until, start=onto.start)
    edited.remove(dated[80])
    later = models.PartialDate.model_validate(dt.date(2099, 1, 1))  # an update newer than any: the newest, until undone
    record = dataclasses.replace(dated[20].record, model=dated[20].record.model.model_copy(update={"mise_a_jour": later}))
    edited[found.index(dated[20])] = dataclasses.replace(dated[20], record=record)
    edited.insert(7, dataclasses.replace(dated[90]))  # another object, the same event: a tie with it

    def lists(order: agenda.Order) -> list:
        return [[id(e) for e in getattr(order, name)] for name in ("dated", "upcoming", "ended", "subscribed", "undated")]
    latest = max(found, key=lambda e: e.record.model.updated().first_day).record
    for now in (edited, found, [e for e in found if e.record is not latest]):  # an edit, undone, the latest record gone
        patched = kept.ordered(now, day)
        assert lists(patched) == lists(agenda.Order.of(now, day)) and patched.newest == agenda.Order.of(now, day).newest
