"""The public certificates as this gateway process keeps them (its read model), so that
verifying a certificate, its page, QR code and PDF, and the list of certified products
cost no call to certification.

Each certificate is kept as certification's public record of it (``services.certification
.records``) under its revision: a record replaces the one kept only if its revision is
higher, so a record read before a change never overwrites the change, whatever order the
snapshot and the events arrive in (``gateway.following`` feeds it). A record is shown as it
stands on the day it is read (a valid certificate past its validity is expired).

What is rendered from a record (the verification JSON, the page, the QR code, the PDF) is
kept too, under the certificate's revision and the day, in a cache bounded in bytes: a
read of a certificate read before is a dictionary lookup. So is a page of a list (the
certificates, the certified products) read before, until the next change is applied.
"""
import bisect
import json
from datetime import date

from cachetools import LRUCache

from chassis import pages
from chassis.errors import NotFound
from gateway.rendered import Rendered, digest_tag
from services.certification import listing, records
from services.certification.validity import EXPIRED, VALID

# The record's fields the public lists narrow on (``listing.filters_of`` and
# ``listing.certificate_filters`` name them).
FACETS = ("province_code", "commune_code", "category", "stars", "product_id")
FACET_INDEX = {name: position for position, name in enumerate(FACETS)}
# The states of the certificates listed (an issuing one is not yet).
ISSUED = tuple(listing.STORED_AS)
DEFAULT_RENDERED_BYTES = 8 * 1024 * 1024
PAGES_BYTES = 2 * 1024 * 1024  # pages of the lists as last rendered


class Entry:
    """One certificate's record, packed: the record as compact JSON, and beside it what
    the list walks on (its state, validity, place and facets, in the order of ``FACETS``).
    Compact: tens of thousands are kept in every gateway process."""

    __slots__ = ("code", "revision", "state", "listed", "key", "valid_until", "facets",
                 "packed")

    def __init__(self, record):
        self.code, self.revision = record["code"], record["revision"]
        self.state, self.listed = record["state"], record["listed"]
        # Its place in the lists, newest first in descending order; one tuple in them all.
        self.key = (self.listed, self.code)
        self.valid_until = date.fromisoformat(record["valid_until"])
        self.facets = tuple(record.get(name) for name in FACETS)
        self.packed = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()

    @property
    def province_code(self):
        return self.facets[FACET_INDEX["province_code"]]

    def record(self):
        return json.loads(self.packed)

    def view_on(self, today):
        return records.view_on(self.record(), today)

    def status_on(self, today):
        """``validity.status``: one past its validity is expired before the daily timer
        has stored it so."""
        return EXPIRED if self.state == VALID and today >= self.valid_until else self.state

    def in_force_on(self, today):
        return self.status_on(today) == VALID

    def matches(self, wanted):
        """Whether the certificate has every field value of ``wanted``
        (``listing.filters_of``)."""
        return all(self.facets[FACET_INDEX[name]] == value for name, value in wanted.items())


class PublicCertificates:
    def __init__(self, rendered_bytes=DEFAULT_RENDERED_BYTES):
        self.entries = {}
        # Keys of the certificates stored valid, ascending: the whole country's and each
        # province's. Whether one is still in force on the day is checked as it is read.
        self.valid = []
        self.valid_in = {}
        # The same of every certificate issued, whatever its state.
        self.issued = []
        self.issued_in = {}
        self.lists = {"in force": (self.valid, self.valid_in),
                      "issued": (self.issued, self.issued_in)}
        self.rendered = LRUCache(maxsize=rendered_bytes, getsizeof=lambda r: len(r.body))
        # Pages of the list as last rendered, each with the number of changes applied
        # before it: any change kept since makes every page stale.
        self.changes = 0
        self.pages = LRUCache(maxsize=PAGES_BYTES, getsizeof=lambda kept: len(kept[1].body))

    def __len__(self):
        return len(self.entries)

    def revision(self, code):
        """The revision kept of ``code``; -1 when none is."""
        entry = self.entries.get(code)
        return -1 if entry is None else entry.revision

    def apply(self, record):
        """Keep ``record`` (with ``status`` or not) unless one of the same or a later
        revision is kept: whether it was kept."""
        if record["revision"] <= self.revision(record["code"]):
            return False
        entry = Entry({k: v for k, v in record.items() if k != "status"})
        earlier = self.entries.get(entry.code)
        if earlier is not None:
            for keys in self.indexes(earlier):
                del keys[bisect.bisect_left(keys, earlier.key)]
        for keys in self.indexes(entry):
            bisect.insort(keys, entry.key)
        self.entries[entry.code] = entry
        self.changes += 1
        return True

    def indexes(self, entry):
        """The key lists ``entry`` stands in."""
        province = entry.province_code
        found = []
        if entry.state in ISSUED:
            found += [self.issued, self.issued_in.setdefault(province, [])]
        if entry.state == VALID:
            found += [self.valid, self.valid_in.setdefault(province, [])]
        return found

    def entry(self, code):
        entry = self.entries.get(code)
        if entry is None:
            raise NotFound(f"Không có giấy chứng nhận số {code}", f"No certificate {code}")
        return entry

    def render(self, kind, code, today, render):
        """``render(view)`` of the certificate ``code`` on ``today`` (bytes or text), kept
        under its revision and the day: a ``Rendered``."""
        entry = self.entry(code)
        return self.kept((kind, entry.code, entry.revision, today),
                         lambda: render(entry.view_on(today)), etag(entry.revision, today))

    def kept(self, key, render, tag):
        rendered = self.rendered.get(key)
        if rendered is None:
            rendered = Rendered(as_bytes(render()), tag)
            self.rendered[key] = rendered
        return rendered

    def in_force(self, query, limit, cursor, today, render):
        """A page of the list of certified products (``listing``), newest first: the
        certificates in force on ``today`` that match the query's filters, each rendered
        by ``render(view)`` as a JSON object (and kept); the page as a JSON array."""
        wanted = listing.filters_of(query)
        return self.page("in force", wanted, lambda entry: entry.in_force_on(today), limit,
                         cursor, today, render)

    def listed(self, query, limit, cursor, today, render):
        """A page of the list of certificates (``listing``), newest first, as ``in_force``:
        every certificate issued that matches the query's filters and, when it asks for
        one, has its status on ``today``."""
        wanted, status, _ = listing.certificate_filters(query)
        return self.page("issued", wanted, lambda entry: status in (None, entry.status_on(today)),
                         limit, cursor, today, render, status)

    def page(self, which, wanted, accepts, limit, cursor, today, render, *asked):
        """A page of the certificates of list ``which`` (``self.lists``: the country's
        keys, or a province's when one is wanted) that match ``wanted`` and that
        ``accepts``, kept under what was asked until a change is applied."""
        limit = pages.checked_limit(limit)
        key = (which, tuple(sorted(wanted.items())), *asked, limit, cursor, today)
        kept = self.pages.get(key)
        if kept is not None and kept[0] == self.changes:
            return kept[1]
        country, provinces = self.lists[which]
        keys = provinces.get(wanted["province_code"], []) \
            if "province_code" in wanted else country
        page = self.walk(keys, lambda entry: entry.matches(wanted) and accepts(entry), limit,
                         cursor, today, render)
        self.pages[key] = (self.changes, page)
        return page

    def walk(self, keys, accepts, limit, cursor, today, render):
        position = len(keys) if cursor is None else bisect.bisect_left(keys,
                                                                        pages.decode(cursor))
        found = []
        while position > 0 and len(found) <= limit:
            position -= 1
            entry = self.entries[keys[position][1]]
            if accepts(entry):
                found.append(entry)
        more = len(found) > limit
        found = found[:limit]
        items = [self.kept(("json", e.code, e.revision, today),
                           lambda e=e: render(e.view_on(today)), etag(e.revision, today)).body
                 for e in found]
        after = pages.encode({"listed": found[-1].listed, "_id": found[-1].code}) \
            if more else None
        return Rendered(json_array(items), list_etag([(e.code, e.revision) for e in found],
                                                     today), after)


def etag(revision, today):
    """A certificate's entity tag: its revision and the day (its status is the day's)."""
    return f'"{revision}-{today.isoformat()}"'


def list_etag(revisions, today):
    """A page's: the day, and every certificate on it, (code, revision)."""
    return digest_tag(today.isoformat() + "".join(f",{code}@{revision}"
                                                  for code, revision in revisions))


def json_array(items):
    """The JSON array of ``items``, each already JSON (bytes)."""
    return b"[" + b",".join(items) + b"]"


def as_bytes(body):
    return body.encode() if isinstance(body, str) else body
