"""The case's life on the web: reopen, archive print, restriction, legal hold, the Art. 15 export.
Views parse, call the service, and send a file or redirect."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from tik.auth.policy import CaseLocked, can_manage_life, can_reopen, case_for, requires
from tik.cases.page import PANELS
from tik.errors import DomainError
from tik.extensions import db
from tik.lifecycle import service
from tik.lifecycle.models import ArchivePrint

bp = Blueprint("lifecycle", __name__)


def refusal(code: str) -> str:
    return {
        "not_closed": _("Saken er ikke avsluttet."),
        "not_allowed": _("Bare stafettholderen eller lederen for enheten kan gjøre dette."),
        "reason_required": _("Skriv en begrunnelse."),
        "period_passed": _("Fristen for å gjenåpne er ute. En ny bekymring åpner en ny sak."),
        "newer_case": _("Barnet har en nyere sak. Arbeid videre i den."),
        "unchanged": _("Ingen endring."),
        "case_closed": _("Saken er avsluttet og kan ikke endres."),
        "case_restricted": _("Behandlingen av saken er begrenset, og saken kan ikke endres."),
    }.get(code, code)


@dataclass(frozen=True)
class LifeView:
    """What the case page shows and offers about the case's life (asked of the policy)."""

    can_manage: bool
    can_reopen: bool
    reopen_until: date | None
    delete_on: date | None
    prints: int
    languages: list[tuple[str, str]]  # (code, name in itself), as the letters offer them
    family_language: str


def life_of(case, user, on: date) -> LifeView:
    """The case page's part about the case's life (`page.panels["life"]`, tik.cases.page.PANELS)."""
    from tik.letter_texts import language_choices
    from tik.lifecycle.retention import due_on
    from tik.plans.printing import family_language

    closed = not case.is_open
    until = service.reopen_until(case)
    prints = db.session.scalar(select(func.count(ArchivePrint.id)).where(ArchivePrint.case_id == case.id)) \
        if closed else 0
    return LifeView(can_manage=can_manage_life(user, case, on),
                    can_reopen=closed and until is not None and on <= until and can_reopen(user, case, on),
                    reopen_until=until, delete_on=due_on(case.closed_at) if closed and case.closed_at else None,
                    prints=prints, languages=language_choices(), family_language=family_language(case))


PANELS["life"] = life_of


@bp.app_errorhandler(CaseLocked)
def locked(error: CaseLocked):
    """A change that reached a closed or restricted case by any path: nothing is saved (the service's unit of
    work undid it, tik/db.py)."""
    return render_template("lifecycle/locked.html", message=refusal(error.code)), 409


def _back(ref: str):
    return redirect(url_for("cases.show", ref=ref, _anchor="livslop"))


@bp.post("/saker/<ref>/gjenapne")
@requires()
def reopen(ref: str):
    case = case_for(current_user, ref)
    try:
        service.reopen(case, request.form.get("reason", ""), current_user)
    except DomainError as error:
        flash(refusal(error.code), "error")
        return _back(ref)
    flash(_("Saken er gjenåpnet."))
    return _back(ref)


@bp.post("/saker/<ref>/begrens")
@requires()
def restrict(ref: str):
    case = case_for(current_user, ref)
    try:
        service.set_restricted(case, request.form.get("restricted") == "1", request.form.get("reason", ""),
                               current_user)
    except DomainError as error:
        flash(refusal(error.code), "error")
        return _back(ref)
    flash(_("Behandlingen er begrenset.") if case.restricted else _("Begrensningen er opphevet."))
    return _back(ref)


@bp.post("/saker/<ref>/rettslig-bevaring")
@requires()
def legal_hold(ref: str):
    case = case_for(current_user, ref)
    try:
        service.set_legal_hold(case, request.form.get("hold") == "1", request.form.get("reason", ""), current_user)
    except DomainError as error:
        flash(refusal(error.code), "error")
        return _back(ref)
    flash(_("Rettslig bevaring er satt.") if case.legal_hold else _("Rettslig bevaring er opphevet."))
    return _back(ref)


@bp.post("/saker/<ref>/arkivutskrift")
@requires()
def archive_print(ref: str):
    """The archive print as a zip (PDF/A, metadata JSON and XML, the schema)."""
    from tik.lifecycle.archive import print_archive

    case = case_for(current_user, ref, action="case.view")
    try:
        package = print_archive(case, current_user)
    except DomainError as error:
        if error.code == "not_allowed":
            abort(404)
        flash(refusal(error.code), "error")
        return _back(ref)
    return _zip_response(package.filename, package.data)


@bp.post("/saker/<ref>/innsyn-art15")
@requires()
def subject_access(ref: str):
    """The family's right of access for the case's child: a zip with the PDF (in the chosen language) and JSON."""
    from tik.lifecycle.access import subject_access as export

    case = case_for(current_user, ref, action="case.view")
    result = export(case.child, current_user, lang=request.form.get("lang") or None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(f"innsyn-{case.ref}-{result.lang}.pdf", result.pdf)
        package.writestr(f"innsyn-{case.ref}.json", result.json)
    return _zip_response(f"innsyn-{case.ref}.zip", buffer.getvalue())


@bp.post("/saker/<ref>/innsyn-art15/hold-tilbake")
@requires()
def withhold(ref: str):
    """The holder withholds a timeline entry from the family's export, with a reason and a legal ground."""
    from tik.cases.models import CaseEvent
    from tik.lifecycle.access import withhold_from_export

    case = case_for(current_user, ref, action="case.view")
    event = db.session.get(CaseEvent, request.form.get("event_id", type=int) or 0)
    if event is None or event.case_id != case.id:
        abort(404)
    try:
        withhold_from_export(case, event, current_user, request.form.get("ground", ""),
                             request.form.get("reason", "")[:2000])
    except DomainError as error:
        if error.code == "not_holder":
            abort(404)
        flash(_("Skriv en begrunnelse og velg et lovgrunnlag fra listen."), "error")
        return redirect(url_for("cases.full_timeline", ref=ref) + "#withhold")
    flash(_("Oppføringen holdes tilbake fra familiens innsyn."))
    return redirect(url_for("cases.full_timeline", ref=ref))


def _zip_response(filename: str, data: bytes):
    response = make_response(data)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
