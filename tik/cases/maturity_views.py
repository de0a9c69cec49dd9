"""Consent without a fixed age (issue 28): where the guidebook judges maturity below the adult age, staff record
whether the child is mature enough to consent themself, and why. Views parse the form, call tik.cases.consent."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tik.auth.policy import case_for, requires
from tik.cases.consent import ConsentError, judge_maturity
from tik.cases.page import FormState
from tik.cases.views import _case_page, bp
from tik.errors import DomainError
from tik.messages import refusal_message


@bp.post("/saker/<ref>/modenhet")
@requires()
def judge(ref: str):
    """Record the maturity judgement: "yes" (the child consents themself) or "no", with a required reason."""
    case = case_for(current_user, ref, edit=True)
    answer, reason = request.form.get("mature", ""), request.form.get("reason", "")[:2000]
    try:
        if answer not in ("yes", "no"):
            raise ConsentError("maturity_answer")
        judge_maturity(case, current_user, mature=answer == "yes", reason=reason)
    except DomainError as error:
        return _case_page(case, 422, FormState("maturity", {"mature": answer, "reason": reason},
                                               message=refusal_message(error.code)))
    flash(_("Vurderingen av modenhet er lagret."))
    return redirect(url_for("cases.show", ref=ref) + "#consent-heading")
