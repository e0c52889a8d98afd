"""Demo data for intake and clearance: answers in clients' words, and a physician's letter.

Most demo clients have a clear intake with conditions from the article's "Causes"; a few are
held for clearance (after hip surgery, with swelling, with chronic pain, after a feverish
check-in), one of them has sent the physician's letter and waits for review, and some were
cleared by a physician with restrictions.
"""

from clinic.intake.questions import CONDITIONS, INTAKE, YES_NO, keys

BASE = {"consent": True, **dict.fromkeys(keys(INTAKE, YES_NO), False)}
CLEAR_NOTES = [
    "Stiff in the mornings; aches after long walks and on stairs.",
    "Sore on the outside of the hip when lying on that side.",
    "Desk job: the hip tightens after sitting all day.",
    "Runner; the hip flares after long runs.",
    "Pain in the buttock that runs down the back of the leg.",
    "Gardening season made the hip worse.",
]
MEDICATIONS = [None, None, "Paracetamol when needed", "Ibuprofen 400 mg", None, "Glucosamine"]
# The conditions a clear intake names; "other" needs words the demo does not invent.
CLEAR_CONDITIONS = [c for c in CONDITIONS if c != "other"]

# The clients whose answers need a physician (by the story's name in clinic/demo.py).
HELD_ANSWERS = {
    "surgery": {"pain_level": 4, "conditions": ["osteoarthritis"], "recent_surgery": True,
                "medications": "Apixaban (blood thinner) after the operation",
                "notes": "Left hip replacement; physiotherapy twice a week."},
    "swelling": {"pain_level": 5, "conditions": ["labral_tear"], "sudden_swelling": True,
                 "notes": "The hip swelled up after a hike three weeks ago."},
    "chronic": {"pain_level": 6, "conditions": ["osteoarthritis"], "chronic_pain_unimproved": True,
                "notes": "Two years of hip pain; physiotherapy and painkillers have not helped."},
    "mobility": {"pain_level": 6, "conditions": ["injury"], "loss_of_mobility": True,
                 "notes": "Fell on ice in the winter; still limping on long walks."},
}
CLEARANCES = {
    "swelling": {
        "physician_name": "Dr. Lena Meyer (GP)",
        "restrictions": ("No deep tissue or trigger point work over the right hip; "
                         "gentle pressure, side-lying."),
        "evidence": "Letter from Dr. Meyer; ultrasound showed no fluid build-up.",
    },
    "mobility": {
        "physician_name": "Dr. Ravi Shah (orthopaedics)",
        "restrictions": "No stretching of the hip beyond 90 degrees of flexion.",
        "evidence": "Discharge letter from the fracture clinic, seen at reception.",
    },
}


def clear_answers(rng) -> dict:
    return {
        **BASE,
        "pain_level": rng.choice((4, 5, 6, 6, 7, 7)),
        "conditions": rng.sample(CLEAR_CONDITIONS, rng.choice((1, 1, 2))),
        "medications": rng.choice(MEDICATIONS),
        "notes": rng.choice(CLEAR_NOTES),
    }


def letter_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with `lines` of text: the demo physician's letter."""
    text = "\n".join(
        f"BT /F1 12 Tf 72 {720 - 20 * n} Td ({line.replace('(', '[').replace(')', ']')}) Tj ET"
        for n, line in enumerate(lines)
    ).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
