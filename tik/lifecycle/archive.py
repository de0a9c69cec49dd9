"""The archive print: the whole case as one PDF/A document, with Noark-5-style metadata (JSON and XML) in a
zip a municipal archive system can import. Printing is audited and recorded on the case's timeline."""

from __future__ import annotations

import hashlib
import html
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import force_locale

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import can_manage_life
from tik.cases.models import Case, EventKind
from tik.clock import local_date, now, today, zone
from tik.db import unit_of_work
from tik.extensions import db
from tik.guidebook import guide_of
from tik.lifecycle.models import ArchivePrint
from tik.lifecycle.record import case_rows, child_rows, people
from tik.lifecycle.service import LifeError, closing_facts
from tik.municipalities import current_municipality
from tik.plans.pdf import render_pdf
from tik.timeline.service import log

PDF_VARIANT = "pdf/a-2b"  # PDF/A-2 is an archive format the National Archives' regulations accept
SCHEMA = Path(__file__).resolve().parent / "archive_metadata.schema.json"
XML_NAMESPACE = "urn:tik:arkivmetadata:1"


@dataclass(frozen=True)
class ArchivePackage:
    filename: str
    data: bytes  # the zip
    pdf: bytes
    metadata: dict[str, Any]


def archive_html(case: Case, printed_at: datetime, by: User) -> str:
    """The whole case as print HTML (in bokmål: the archive's language)."""
    rows = case_rows(case)
    with force_locale("nb"):
        return render_template(
            "lifecycle/archive.html", case=case, rows=rows, child=child_rows(case.child),
            users=people(rows | {"case": [{"coordinator_id": case.coordinator_id}]}), guide=guide_of(case),
            L="nb", printed_at=printed_at, by=by, closing=closing_facts(case),
            classification=guide_of(case).archive.classification,
            kinds=list(EventKind), timezone=zone().key)  # the case's municipality's


@unit_of_work
def print_archive(case: Case, by: User) -> ArchivePackage:
    """Print a closed case to the archive: PDF/A + metadata in a zip; audited and on the timeline.
    Raises LifeError when the case is open or `by` is neither its holder nor its unit leader."""
    if case.is_open:
        raise LifeError("not_closed")
    if not can_manage_life(by, case, today()):
        raise LifeError("not_allowed")
    printed_at = now()
    pdf = render_pdf(archive_html(case, printed_at, by), pdf_variant=PDF_VARIANT, pdf_tags=True)  # tagged, too
    digest = hashlib.sha256(pdf).hexdigest()
    db.session.add(ArchivePrint(case_id=case.id, printed_at=printed_at, printed_by_id=by.id, sha256=digest,
                                size=len(pdf)))
    log(case, EventKind.ARCHIVED, by, sha256=digest)
    record(by, "case.archive_print", case, detail=f"sha256:{digest}")
    metadata = archive_metadata(case, printed_at, by, digest, len(pdf))
    return ArchivePackage(f"{case.ref}-arkiv.zip", archive_zip(case.ref, pdf, metadata), pdf, metadata)


def archive_metadata(case: Case, printed_at: datetime, by: User, sha256: str, size: int) -> dict[str, Any]:
    """The metadata, named after Noark 5's case file and document description where they fit."""
    year, number = case.ref.split("-")[1:3]
    parties = [{"partNavn": case.child.name, "partRolle": "Barn"}] + [
        {"partNavn": g.name, "partRolle": f"Foresatt ({g.relation})" if g.relation else "Foresatt"}
        for g in case.child.guardians]
    return {
        "metadataversjon": "tik-arkivmetadata/1",
        "virksomhet": current_municipality().name,
        "mappeID": case.ref,
        "saksaar": int(year),
        "sakssekvensnummer": int(number),
        "tittel": f"Stafettlogg {case.ref} – {case.child.name}",
        "offentligTittel": f"Stafettlogg {case.ref} – ******",
        "saksdato": local_date(case.opened_at).isoformat(),
        "avsluttetDato": local_date(case.closed_at).isoformat() if case.closed_at else None,
        "administrativEnhet": case.unit.name if case.unit else case.owning_service,
        "saksansvarlig": case.coordinator.name,
        "tidligereSak": case.previous_ref or None,
        "klassifikasjon": guide_of(case).archive.classification,
        "skjerming": {"tilgangsrestriksjon": "13", "skjermingshjemmel": guide_of(case).archive.screening_law,
                      "skjermingMetadata": ["tittel", "part"]},
        "part": parties,
        "dokumentbeskrivelse": {
            "dokumenttype": "Stafettlogg",
            "dokumentstatus": "Dokumentet er ferdigstilt",
            "tilknyttetRegistreringSom": "Hoveddokument",
            "dokumentnummer": 1,
            "tittel": f"Stafettlogg {case.ref} – hele saken",
            "opprettetDato": printed_at.isoformat(timespec="seconds") + "Z",
            "opprettetAv": by.name,
            "dokumentobjekt": {
                "versjonsnummer": 1,
                "variantformat": "Arkivformat",
                "format": "PDF/A-2b",
                "filnavn": f"{case.ref}.pdf",
                "sjekksum": sha256,
                "sjekksumAlgoritme": "SHA256",
                "filstoerrelse": size,
            },
        },
    }


def metadata_xml(metadata: dict[str, Any]) -> str:
    """The same metadata as XML (element names as in the JSON; lists repeat their element)."""
    def element(name: str, value: Any, indent: str) -> str:
        if value is None:
            return ""
        if isinstance(value, dict):
            inner = "".join(element(k, v, indent + "  ") for k, v in value.items())
            return f"{indent}<{name}>\n{inner}{indent}</{name}>\n"
        if isinstance(value, list):
            return "".join(element(name, v, indent) for v in value)
        return f"{indent}<{name}>{html.escape(str(value))}</{name}>\n"

    body = "".join(element(k, v, "  ") for k, v in metadata.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<arkivuttrekk xmlns="{XML_NAMESPACE}">\n{body}</arkivuttrekk>\n'


def archive_zip(ref: str, pdf: bytes, metadata: dict[str, Any]) -> bytes:
    """The import package: the PDF/A, its metadata as JSON and XML, and the JSON Schema it follows."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(f"{ref}.pdf", pdf)
        package.writestr(f"{ref}-metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2))
        package.writestr(f"{ref}-metadata.xml", metadata_xml(metadata))
        package.writestr(SCHEMA.name, SCHEMA.read_text(encoding="utf-8"))
    return buffer.getvalue()
