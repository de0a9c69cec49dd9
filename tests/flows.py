"""Field values that carry a case through the default guide's steps (shared by the flow tests)."""

from support import TEST_DAY

TODAY = TEST_DAY.date().isoformat()  # the day the `app` fixture sets the clock to

CONCRETISE = {"observation": "Sover i timene, har ikke matpakke.", "since_when": "Siden august",
              "how_often": "Tre dager i uka"}
DISCUSS = {"discussed_with": "leader", "advice": "Snakk med barnet og foreldrene."}
TALK_CHILD = {"conversation_date": TODAY, "child_words": "Jeg er så trøtt fordi mamma er syk."}
TALK_PARENTS = {"conversation_date": TODAY, "parents_words": "Vi har hatt det tøft hjemme i høst."}
DECIDE = {"assessment": "Behov for tiltak sammen med helsesykepleier."}

TO_LEVEL0_DECISION = [("done", CONCRETISE), ("done", DISCUSS), ("done", TALK_CHILD), ("done", TALK_PARENTS)]
TO_LEVEL1 = TO_LEVEL0_DECISION + [("level1", DECIDE)]
TO_LEVEL2 = TO_LEVEL0_DECISION + [("level2", DECIDE)]


def form_data(values: dict, decision: str, version: int, step_id: str = "") -> dict:
    """The case page's decision form as a browser would post it."""
    data = {f"f_{key}": value for key, value in values.items()}
    data.update(decision=decision, version=str(version), step_id=step_id)
    return data
