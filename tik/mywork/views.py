"""The start page ("Min side") and the calendar file. Views parse, call the service, render."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template
from flask_login import current_user

from tik.audit.service import record_view
from tik.auth.policy import requires
from tik.clock import today
from tik.extensions import interface_language
from tik.mywork.service import calendar_for, work_for

bp = Blueprint("mywork", __name__)


@bp.get("/min-side")
@requires()
def start():
    """The start page: what to do today."""
    record_view(current_user, "mywork.view")  # the page names children: who saw which list is audited
    return render_template("mywork/start.html", work=work_for(current_user), L=interface_language(),
                           today=today())


@bp.get("/min-side/kalender.ics")
@requires()
def calendar():
    """The user's meetings and evaluation dates for their calendar (references only, no names)."""
    response = make_response(calendar_for(current_user))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="tik.ics"'
    return response
