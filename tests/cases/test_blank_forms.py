"""A blank form (tik.forms.BlankForm: the case page's forms before anything is typed) renders byte for byte
what the WTForms form renders, through the same macros, in every language, with and without CSRF."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import render_template_string
from flask_babel import force_locale

from tik.forms import BlankForm, TikForm

PAGE = """{% from "_macros.html" import field, checkbox, checkboxes %}{{ form.hidden_tag() }}
{% for name in names %}{% set f = form|attr(name) %}
{% if f.type == 'BooleanField' %}{{ checkbox(f) }}
{% elif f.type == 'MultiCheckboxField' %}{{ checkboxes(f) }}{{ checkboxes(f, legend='Velg') }}
{% elif f.type in ('HiddenField', 'VersionField') %}{{ f() }}|{{ f }}|{{ f.data }}
{% else %}{{ field(f) }}{{ field(f, hint='Et hint', rows=2) }}{{ f(class_='x', data_test='a"b') }}{% endif %}
{{ f.id }} {{ f.name }} {{ f.type }} {{ f.label.text }} {{ f.description }} {{ f.errors|list }}
{% endfor %}"""

SERVICES = [("school", "Skole"), ("health-nurse", "Helsestasjon & skolehelse"), ("nav", "")]
FILLED = {
    "ConsentForm": dict(idempotency_key="k-1", given_by='Kari "Nordmann" <&> \u2067', services=["nav"],
                        young_person=True, form="digital", given_on=date(2026, 11, 20),
                        expires_on=date(2027, 11, 20), purpose="Samarbeid"),
    "HandoverForm": dict(idempotency_key="k-2", to_user="ola", note="Første linje\nandre <b>"),
    "InviteForm": dict(idempotency_key="k-3", person="Kari"),
    "DecisionForm": dict(version=7),
}


def _forms() -> list[type]:
    import tik.models  # noqa: F401 - every feature's forms are imported with their models and views
    from tik.cases import forms  # noqa: F401

    found, todo = [], [TikForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            found.append(sub)
    return found


def _rendered(form, names: list[str]) -> str:
    return render_template_string(PAGE, form=form, names=names)


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("csrf", [False, True])
@pytest.mark.parametrize("filled", [False, True])
def test_blank_forms_render_what_wtforms_renders(app, lang, csrf, filled):
    from tik.cases.forms import ConsentForm, DecisionForm, HandoverForm, InviteForm

    app.config["WTF_CSRF_ENABLED"] = csrf
    BlankForm._specs.clear()
    for form_class in (HandoverForm, InviteForm, DecisionForm, ConsentForm):
        data = FILLED[form_class.__name__] if filled else {}
        with app.test_request_context("/"), force_locale(lang):
            real = form_class(formdata=None, **data)
            choices = {}
            if hasattr(real, "services"):
                real.services.choices = choices["services"] = SERVICES
            names = [f.name for f in real if f.type != "CSRFTokenField"]
            expected = _rendered(real, names)
            blank = BlankForm(form_class, choices=choices, **data)
            assert _rendered(blank, names) == expected
            assert [f.name for f in blank] == names
        keys = re.sub(r'<input id="csrf_token"[^>]*>', "", expected)  # a random token may hold "k-" too
        assert ("csrf_token" in expected) is csrf and ("k-" in keys) is (filled and form_class != DecisionForm)
    assert ("Kari &#34;Nordmann&#34; &lt;&amp;&gt;" in expected) is filled  # the last one: the consent form


def test_every_form_either_renders_blank_as_wtforms_does_or_is_refused(app):
    """No form is rendered half-right: one whose widgets a blank form does not know raises TypeError."""
    rendered = refused = 0
    for form_class in _forms():
        with app.test_request_context("/"):
            real = form_class(formdata=None)
            names = [f.name for f in real if f.type not in ("CSRFTokenField", "FormField", "FieldList")]
            if len(names) < len(list(real)):
                continue  # nested forms are outside what a blank form is for
            try:
                blank = BlankForm(form_class)
            except TypeError:
                refused += 1
                continue
            assert _rendered(blank, names) == _rendered(real, names), form_class.__name__
            rendered += 1
    assert rendered >= 10 and refused >= 1


def test_a_blank_form_refuses_a_field_it_does_not_have(app):
    from tik.cases.forms import HandoverForm

    with app.test_request_context("/"), pytest.raises(TypeError, match="no field to_usr"):
        BlankForm(HandoverForm, to_usr="ola")
