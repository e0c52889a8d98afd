"""The questions of the health intake and of the pre-visit check-in, in the order they are asked.

The one list: the forms, the pages that show the answers, the API reader, screening's checks
and the demo all read it. Each question names the red-flag rule of clinic/intake/screening.py
its answer feeds ("When to see a doctor" in the hip-pain massage article). Pure: no Flask.
"""

from dataclasses import dataclass

# Kinds of answer.
CHOICES = "choices"
PAIN = "pain"
YES_NO = "yes_no"
DATE = "date"
TEXT = "text"
CONSENT = "consent"

# Sections of a form: the signs are asked together, under one legend.
SIGNS = "signs"

# From "Causes": osteoarthritis, rheumatoid arthritis, injury, bursitis, labral tear, sciatica.
CONDITIONS: dict[str, str] = {
    "osteoarthritis": "Osteoarthritis (wear and tear of the joint)",
    "rheumatoid_arthritis": "Rheumatoid arthritis",
    "bursitis": "Bursitis (inflamed fluid sacs around the hip)",
    "labral_tear": "Hip labral tear",
    "sciatica": "Sciatica (pain running from the lower back down the leg)",
    "injury": "An injury: fracture, sprain or strain",
    "other": "Something else",
}

PAIN_HINT = "0 means no pain at all, 10 the worst pain you can imagine."
SURGERY_DATE_HINT = "Only if you ticked surgery above. Leave it empty if you are not sure of the date."


@dataclass(frozen=True)
class Question:
    """`summary` is the short label staff read beside the answer; `follow_up` the key of the
    question asked only after a yes; `red_flag` the screening rule's code the answer feeds."""

    key: str
    label: str
    kind: str
    help: str | None = None
    summary: str | None = None
    red_flag: str | None = None
    follow_up: str | None = None
    section: str | None = None


_PAIN = Question("pain_level", "How bad is your hip pain right now, from 0 to 10?", PAIN,
                 help=PAIN_HINT, summary="Pain now", red_flag="severe_pain")
_SURGERY_DATE = Question("surgery_date", "Date of the surgery", DATE, help=SURGERY_DATE_HINT,
                         red_flag="post_surgery", section=SIGNS)

INTAKE: tuple[Question, ...] = (
    Question("conditions", "Has a doctor told you that you have any of these?", CHOICES,
             help="Tick all that apply. Leave empty if none.", summary="Conditions"),
    _PAIN,
    Question("recent_surgery", "I have had surgery recently (hip, back or leg)", YES_NO,
             summary="Recent surgery", red_flag="post_surgery", follow_up="surgery_date", section=SIGNS),
    _SURGERY_DATE,
    Question("fever_or_chills", "I have a fever or chills", YES_NO,
             summary="Fever or chills", red_flag="infection_signs", section=SIGNS),
    Question("redness_or_warmth", "The skin around my hip is red or feels warm", YES_NO,
             summary="Redness or warmth around the hip", red_flag="infection_signs", section=SIGNS),
    Question("sudden_swelling", "My hip has swollen suddenly or for no clear reason", YES_NO,
             summary="Sudden swelling", red_flag="sudden_swelling", section=SIGNS),
    Question("loss_of_mobility", "I find it hard to move my hip or to put weight on it", YES_NO,
             summary="Hard to move or bear weight", red_flag="loss_of_mobility", section=SIGNS),
    Question("chronic_pain_unimproved",
             "I have had hip pain for a long time and it has not got better with home care or treatment",
             YES_NO, summary="Long-lasting pain, not improving", red_flag="chronic_pain_unimproved",
             section=SIGNS),
    Question("medications", "Medicines you take (optional)", TEXT,
             help="For example pain relief, blood thinners or anti-inflammatories.", summary="Medications"),
    Question("notes", "Anything else we should know? (optional)", TEXT, summary="Notes"),
    Question("consent",
             "I confirm my answers are true, I agree to massage treatment, and I agree to the clinic "
             "keeping this health record", CONSENT, section=CONSENT),
)

# "Since your last visit": the signs that can appear between visits, then the pain.
CHECK_IN: tuple[Question, ...] = (
    Question("fever_or_chills", "Have you had a fever or chills?", YES_NO,
             summary="Fever or chills", red_flag="infection_signs", section=SIGNS),
    Question("new_swelling", "Is there new swelling around your hip?", YES_NO,
             summary="New swelling", red_flag="sudden_swelling", section=SIGNS),
    Question("redness_or_warmth", "Is the skin around your hip red or warm?", YES_NO,
             summary="Redness or warmth around the hip", red_flag="infection_signs", section=SIGNS),
    Question("recent_surgery", "Have you had surgery?", YES_NO,
             summary="Surgery", red_flag="post_surgery", follow_up="surgery_date", section=SIGNS),
    _SURGERY_DATE,
    _PAIN,
)


def keys(questions: tuple[Question, ...], kind: str | None = None) -> tuple[str, ...]:
    """The questions' keys (of one kind only, when given), in the order they are asked."""
    return tuple(q.key for q in questions if kind is None or q.kind == kind)


def sections(questions: tuple[Question, ...]) -> list[tuple[str | None, list[Question]]]:
    """The questions in runs of one section each, as a form lays them out."""
    runs: list[tuple[str | None, list[Question]]] = []
    for question in questions:
        if runs and runs[-1][0] == question.section:
            runs[-1][1].append(question)
        else:
            runs.append((question.section, [question]))
    return runs
