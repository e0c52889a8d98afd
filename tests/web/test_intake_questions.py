"""The intake and check-in questions have one definition (clinic/intake/questions.py): the
forms, the API, screening, the pages and the stored rows all ask exactly those."""

from dataclasses import fields

import pytest

from clinic.api import intake as api
from clinic.intake import questions
from clinic.intake.forms import CheckInForm, IntakeForm
from clinic.intake.screening import FLAG_CODES, RULES, CheckInAnswers, IntakeAnswers
from clinic.models import CheckIn, Intake
from tests.factories import login, make_client

FORMS = [(questions.INTAKE, IntakeForm, IntakeAnswers, Intake, api.INTAKE_BODY),
         (questions.CHECK_IN, CheckInForm, CheckInAnswers, CheckIn, api.CHECK_IN_BODY)]


@pytest.mark.parametrize("asked, form_class, answers, model, body", FORMS)
def test_form_api_screening_and_rows_ask_exactly_the_defined_questions(app, asked, form_class, answers,
                                                                        model, body):
    keys = set(questions.keys(asked))
    with app.test_request_context():
        assert {f.name for f in form_class(meta={"csrf": False})} == keys
    assert {f.name for f in fields(answers)} == keys
    assert set(body["properties"]) == keys
    assert keys <= set(model.__table__.columns.keys())


@pytest.mark.parametrize("asked", [questions.INTAKE, questions.CHECK_IN])
def test_each_question_feeds_a_screening_rule_that_exists(asked):
    assert {q.red_flag for q in asked if q.red_flag} <= set(FLAG_CODES) == {rule.code for rule in RULES}
    assert all(q.follow_up in questions.keys(asked) for q in asked if q.follow_up)


def test_the_intake_page_asks_each_question_once_with_its_label_and_help(app, client):
    me = make_client(email="asked@example.com")
    login(client, "asked@example.com")
    html = client.get(f"/clients/{me.id}/intake").get_data(as_text=True)
    for question in questions.INTAKE:
        assert html.count(f'name="{question.key}"') == (len(questions.CONDITIONS)
                                                        if question.kind == questions.CHOICES else 1)
        assert question.label in html
        assert question.help is None or question.help in html
