"""Things that happen to appointments, for the parts of the clinic that react to them.

Services send these inside their transaction, after the change is flushed; receivers
(e.g. notifications, which queue an email in the outbox) must only add rows to the same
session, never talk to the outside world, so a rollback undoes everything together.
Each signal is sent with the Appointment as sender and `actor=` the user who acted;
booked and cancelled also carry `announce=` (False: part of a batch the client hears about
as a whole, e.g. a care plan, so no email for this appointment alone).
"""

from blinker import Namespace

_signals = Namespace()

appointment_booked = _signals.signal("appointment-booked")
appointment_rescheduled = _signals.signal("appointment-rescheduled")  # also previous_start=
appointment_cancelled = _signals.signal("appointment-cancelled")
# A batch booked for a care plan (creation or extension): sender is the CarePlan,
# with actor= and appointments= (the newly booked sessions, in order).
care_plan_booked = _signals.signal("care-plan-booked")
