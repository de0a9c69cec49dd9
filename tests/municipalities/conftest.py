"""Fixtures the Swedish municipality's tests share."""

from __future__ import annotations

import pytest
from test_sweden import ORGANISATION, SIP


@pytest.fixture
def sweden(app):
    """The app running the Swedish SIP guidebook as Åmåls kommun."""
    app.config.update(TIK_GUIDEBOOK=str(SIP), TIK_ORGANISATION=str(ORGANISATION), TIK_MUNICIPALITY="Åmåls kommun")
    app.extensions.pop("tik_guide", None)
    yield app
    app.extensions.pop("tik_guide", None)
