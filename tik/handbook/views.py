"""Anyone may read the guide: municipalities publish theirs, and it is what staff train on."""

from flask import Blueprint, abort, render_template

from tik.auth.policy import public
from tik.extensions import interface_language
from tik.guidebook import current_guide
from tik.guides.markdown import render_markdown

bp = Blueprint("handbook", __name__, url_prefix="/handbok")


@bp.get("/")
@public
def index():
    return render_template("handbook/index.html", guide=current_guide(), md=render_markdown, L=interface_language())


@bp.get("/steg/<step_id>")
@public
def step(step_id: str):
    guide = current_guide()
    if step_id not in guide.steps:
        abort(404)
    return render_template("handbook/step.html", guide=guide, step=guide.step(step_id), md=render_markdown,
                           L=interface_language())


@bp.get("/verktoy/<key>")
@public
def tool(key: str):
    guide = current_guide()
    if key not in guide.tools:
        abort(404)
    return render_template("handbook/tool.html", guide=guide, tool=guide.tools[key], md=render_markdown,
                           L=interface_language())


@bp.get("/tjenester")
@public
def services():
    return render_template("handbook/services.html", guide=current_guide(), L=interface_language())


@bp.get("/tegn")
@public
def signals():
    return render_template("handbook/signals.html", guide=current_guide(), L=interface_language())


@bp.get("/tiltak")
@public
def measures():
    return render_template("handbook/measures.html", guide=current_guide(), L=interface_language())
