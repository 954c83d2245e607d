"""The HR import: people and departments from an HR system's CSV export, as a lifecycle.

One run reads the whole file first and reports every bad row with its line number and reason;
nothing changes while any row is bad, unless the admin asks to skip bad rows. Then, inside a
savepoint: joiners are created, movers change department, changed names and addresses are
updated, and (with ``full``) people missing from the file are listed as leavers, deactivated
only when the admin confirms. A dry run does all of that and rolls the savepoint back, so its
report is exactly what applying would do. Re-importing the same file changes nothing, and an
import never reactivates someone an admin deactivated. Plugins take extra columns through the
``register_import_columns`` hook.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet import audit
from organet.errors import ValidationError
from organet.i18n import gettext as _
from organet.people import accounts
from organet.people.declarations import ImportColumn
from organet.people.models import KINDS, Group, Membership, User

CORE_FIELDS = ("hr_id", "username", "email", "given_name", "tussenvoegsel", "surname", "department",
               "department_code", "parent_department_code", "kind")
REQUIRED = ("hr_id", "email", "surname")
PROFILE_FIELDS = ("email", "given_name", "tussenvoegsel", "surname")
"""Fields that come from HR: read-only in the profile once an import has set them."""


@dataclass
class Row:
    """One data row of the file: its line number and its values by organet field name."""

    line: int
    values: dict[str, str]


@dataclass
class Problem:
    """A bad row: its line number (1 is the header) and why it is bad."""

    line: int
    reason: str


@dataclass
class Report:
    """What an import did (or, in a dry run, would do)."""

    rows: int = 0
    joiners: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    movers: list[dict[str, str]] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    kept_deactivated: list[str] = field(default_factory=list)
    leavers: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    bad: list[Problem] = field(default_factory=list)
    dry_run: bool = True
    applied: bool = False

    @property
    def blocked(self) -> bool:
        """True when bad rows stopped the import (no skipping was asked)."""
        return bool(self.bad) and not self.applied and not self.dry_run

    @property
    def changes(self) -> int:
        """How many people or groups the import changes."""
        return (len(self.joiners) + len(self.updated) + len(self.movers) + len(self.returned)
                + len(self.deactivated) + len(self.groups_created))

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (stored with an applied run, printed by the CLI)."""
        return asdict(self)


def decode(raw: bytes) -> str:
    """Read an uploaded file: UTF-8 (with or without byte-order mark), else Windows-1252 as Excel writes."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def column_mapping(entries: list[str]) -> dict[str, str]:
    """Turn ``["hr_id=Personeelsnummer", ...]`` into ``{"hr_id": "Personeelsnummer"}``; refuse a bad entry."""
    mapping: dict[str, str] = {}
    for entry in entries:
        name, separator, header = str(entry).partition("=")
        if not separator or not name.strip() or not header.strip():
            raise ValidationError(f"[plugins.people] import_columns has {entry!r}; write 'field=Column header', "
                                  "for example 'surname=Achternaam'.")
        mapping[name.strip()] = header.strip()
    return mapping


def sniff_delimiter(first_line: str) -> str:
    """Guess the delimiter from the header line: Dutch spreadsheets write ';', others ',' or a tab."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def parse(text: str, mapping: dict[str, str], extra: tuple[str, ...] = ()) -> tuple[list[Row], list[Problem]]:
    """Read the CSV ``text`` and return its rows and every problem found, by line number.

    ``mapping`` maps organet field names to column headers; ``extra`` are the field names that
    plugins claimed. Rows are checked for the required fields, e-mail, username and kind, and
    for an employee number or username that occurs twice.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        return [], [Problem(1, _("The file is empty."))]
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip() for cell in next(reader)]
    except csv.Error as error:
        return [], [Problem(1, _("The header cannot be read: %(error)s", error=str(error)))]
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for name, column in mapping.items():
        if name not in CORE_FIELDS and name not in extra:
            continue
        if column in header:
            positions[name] = header.index(column)
        elif name in REQUIRED:
            problems.append(Problem(1, _("The column %(column)s (for %(field)s) is missing.", column=column,
                                         field=name)))
    if problems:
        return [], problems
    rows: list[Row] = []
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(reader.line_num, _("This line cannot be read: %(error)s", error=str(error))))
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(line, _("Expected %(expected)d columns, found %(found)d.",
                                            expected=len(header), found=len(cells))))
            continue
        values = {name: cells[index].strip() for name, index in positions.items()}
        reason = check_row(values)
        if reason is None:
            hr_id, username = values["hr_id"], values.get("username", "").lower()
            if hr_id in seen_ids:
                reason = _("Employee number %(id)s is also on line %(line)d.", id=hr_id, line=seen_ids[hr_id])
            elif username and username in seen_names:
                reason = _("Username %(name)s is also on line %(line)d.", name=username, line=seen_names[username])
            seen_ids.setdefault(hr_id, line)
            if username:
                seen_names.setdefault(username, line)
        if reason is not None:
            problems.append(Problem(line, reason))
            rows.append(Row(line, {"hr_id": values.get("hr_id", ""), "_bad": "1"}))
            continue
        rows.append(Row(line, values))
    return rows, problems


def check_row(values: dict[str, str]) -> str | None:
    """Return why a row is bad, or ``None`` when it is fine."""
    if any("\x00" in value for value in values.values()):
        return _("The row contains a NUL character.")
    for name in REQUIRED:
        if not values.get(name):
            return _("%(field)s is empty.", field=name)
    if len(values["hr_id"]) > 80:
        return _("The employee number is longer than 80 characters.")
    email = values["email"]
    if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        return _("%(email)s is not an e-mail address.", email=email)
    username = values.get("username", "")
    if username and not accounts.USERNAME.match(username.lower()):
        return _("%(name)s is not a valid username (lower-case letters, digits, dots, dashes).", name=username)
    if values.get("kind") and values["kind"] not in KINDS:
        return _("%(kind)s is not a kind of person (%(kinds)s).", kind=values["kind"], kinds=", ".join(KINDS))
    for name in ("given_name", "tussenvoegsel", "surname"):
        if len(values.get(name, "")) > 100:
            return _("%(field)s is longer than 100 characters.", field=name)
    return None


def claimed_columns(site: Any) -> dict[str, ImportColumn]:
    """The extra columns plugins take through ``register_import_columns``, by name."""
    columns: dict[str, ImportColumn] = {}
    for results in site.pm.hook.register_import_columns():
        for column in results or ():
            columns[column.name] = column
    return columns


def run_import(site: Any, session: Session, text: str, *, dry_run: bool = True, skip_bad_rows: bool = False,
               full: bool = False, confirm_leavers: bool = False, actor: Any = "hr-import", request: Any = None,
               progress: Callable[[int, int], Any] | None = None) -> Report:
    """Import ``text`` (an HR export) into ``session``; return the report. See the module's docstring."""
    extra = claimed_columns(site)
    mapping = column_mapping(site.setting("people", "import_columns"))
    rows, problems = parse(text, mapping, tuple(extra))
    report = Report(rows=len(rows), bad=list(problems), dry_run=dry_run)
    if problems and (not rows or any(p.line == 1 for p in problems)):
        return report
    savepoint = session.begin_nested()
    try:
        _apply_rows(site, session, rows, report, extra, progress)
        present = {row.values["hr_id"] for row in rows if row.values.get("hr_id")}
        if full:
            _leavers(session, present, report, confirm_leavers, actor)
    except Exception:
        savepoint.rollback()
        raise
    report.bad.sort(key=lambda problem: problem.line)
    if dry_run or (report.bad and not skip_bad_rows):
        savepoint.rollback()
        session.expire_all()
        return report
    savepoint.commit()
    report.applied = True
    audit.record(session, actor, "people.import.applied", target="people",
                 details={"joiners": len(report.joiners), "movers": len(report.movers), "updated": len(report.updated),
                          "deactivated": len(report.deactivated), "skipped_rows": len(report.bad)}, request=request)
    return report


def _apply_rows(site: Any, session: Session, rows: list[Row], report: Report, extra: dict[str, ImportColumn],
                progress: Callable[[int, int], Any] | None) -> None:
    good = [row for row in rows if "_bad" not in row.values]
    ids = [row.values["hr_id"] for row in good]
    people: dict[str, User] = {}
    for start in range(0, len(ids), 500):
        for person in session.scalars(sa.select(User).where(User.hr_id.in_(ids[start:start + 500]))):
            people[person.hr_id or ""] = person
    usernames = set(session.scalars(sa.select(User.username)))
    groups = _department_groups(session, good, report)
    ids_before = set(people)
    for done, row in enumerate(rows, start=1):
        if "_bad" in row.values:
            continue
        lists: tuple[list[Any], ...] = (report.joiners, report.updated, report.movers, report.returned,
                                        report.kept_deactivated)
        sizes = [len(items) for items in lists]
        try:
            with session.begin_nested():
                _apply_row(session, row.values, people, usernames, groups, report, extra)
        except ValidationError as error:
            for items, size in zip(lists, sizes, strict=True):
                del items[size:]  # the row's changes were rolled back: so is its part of the report
            if row.values["hr_id"] not in ids_before:
                people.pop(row.values["hr_id"], None)
            report.bad.append(Problem(row.line, str(error)))
        if progress is not None:
            progress(done, len(rows))


def _department_groups(session: Session, rows: list[Row], report: Report) -> dict[str, Group]:
    """Find or create the departments the file names; key: department code, else the department's name."""
    by_hr = {g.hr_id: g for g in session.scalars(sa.select(Group).where(Group.hr_id.is_not(None)))}
    by_slug = {g.slug: g for g in session.scalars(sa.select(Group).where(Group.kind == "department"))}
    found: dict[str, Group] = {}
    parents: dict[str, str] = {}
    for row in rows:
        name, code = row.values.get("department", ""), row.values.get("department_code", "")
        if not name and not code:
            continue
        key = code or name
        if key in found:
            continue
        group = by_hr.get(code) if code else by_slug.get(accounts.slugify(name))
        if group is None:
            slug = accounts.slugify(name or code)
            taken = {slug} & set(by_slug) or session.scalar(sa.select(Group.id).where(Group.slug == slug))
            if taken:
                slug = accounts.slugify(f"{name or code}-{code}") if code else slug
            group = Group(slug=slug, name=name or code, kind="department", hr_id=code or None)
            session.add(group)
            session.flush()
            report.groups_created.append(group.name)
        elif name and group.name != name:
            group.name = name
        found[key] = group
        if row.values.get("parent_department_code"):
            parents[key] = row.values["parent_department_code"]
    for key, parent_code in parents.items():
        parent = by_hr.get(parent_code) or found.get(parent_code)
        if parent is not None and parent.id != found[key].id and found[key].parent_id != parent.id:
            found[key].parent_id = parent.id
    return found


def _apply_row(session: Session, values: dict[str, str], people: dict[str, User], usernames: set[str],
               groups: dict[str, Group], report: Report, extra: dict[str, ImportColumn]) -> None:
    hr_id = values["hr_id"]
    person = people.get(hr_id)
    hr_fields = [name for name in PROFILE_FIELDS if name in values]
    if person is None:
        username = _free_username(values, usernames)
        person = User(username=username, email=values["email"], hr_id=hr_id, hr_fields=hr_fields,
                      kind=values.get("kind") or "employee",
                      role="external" if values.get("kind") == "external" else "member")
        person.set_name(values.get("given_name", ""), values.get("tussenvoegsel", ""), values["surname"])
        session.add(person)
        session.flush()
        people[hr_id] = person
        usernames.add(username)
        report.joiners.append(username)
    else:
        changed = False
        if person.email != values["email"]:
            person.email, changed = values["email"], True
        names = (values.get("given_name", person.given_name), values.get("tussenvoegsel", person.tussenvoegsel),
                 values["surname"])
        if names != (person.given_name, person.tussenvoegsel, person.surname):
            person.set_name(*names)
            changed = True
        if sorted(person.hr_fields or []) != sorted(hr_fields):
            person.hr_fields = hr_fields
        if changed:
            report.updated.append(person.username)
        if not person.active:
            if person.deactivated_by_admin:
                report.kept_deactivated.append(person.username)
            elif person.erased_at is None:
                person.active, person.deactivated_at = True, None
                report.returned.append(person.username)
    key = values.get("department_code") or values.get("department")
    moves = len(report.movers)
    if key and key in groups:
        _move(session, person, groups[key], report)
    for name, column in extra.items():
        if name in values and values[name] != "":
            column.apply(session, person, values[name])
    touched = (report.joiners, report.updated, report.returned)
    if len(report.movers) != moves or any(lists and lists[-1] == person.username for lists in touched):
        accounts.reindex(session, person)


def _free_username(values: dict[str, str], usernames: set[str]) -> str:
    wanted = values.get("username", "").lower()
    if wanted:
        if wanted in usernames:
            raise ValidationError(_("Username %(name)s belongs to someone else.", name=wanted))
        return wanted
    base = "".join(ch for ch in values["email"].split("@")[0].lower() if ch.isalnum() or ch in "._-")[:70]
    base = base.lstrip("._-") or "person"
    candidate, number = base, 2
    while candidate in usernames or not accounts.USERNAME.match(candidate):
        candidate, number = f"{base}{number}", number + 1
    return candidate


def _move(session: Session, person: User, department: Group, report: Report) -> None:
    hr_memberships = [m for m in person.memberships if m.source == "hr" and m.group.kind == "department"]
    if [m.group_id for m in hr_memberships] == [department.id]:
        return
    old = ", ".join(m.group.name for m in hr_memberships)
    for membership in hr_memberships:
        session.delete(membership)
    existing = session.get(Membership, (person.id, department.id))
    if existing is None:
        session.add(Membership(user_id=person.id, group_id=department.id, role="member", source="hr"))
    else:
        existing.source = "hr"
    session.flush()
    session.expire(person, ["memberships"])
    if old and person.username not in report.joiners:
        report.movers.append({"username": person.username, "from": old, "to": department.name})


def _leavers(session: Session, present: set[str], report: Report, confirm: bool, actor: Any) -> None:
    missing = session.scalars(sa.select(User).where(User.hr_id.is_not(None), User.active.is_(True),
                                                    User.erased_at.is_(None)).order_by(User.sort_name))
    for person in missing:
        if person.hr_id in present:
            continue
        report.leavers.append(person.username)
        if confirm:
            accounts.deactivate(session, actor, person, by_admin=False)  # reindexes
            report.deactivated.append(person.username)
