"""Class enrolments (学员报名, seed 004 §四): a trainee enrols in a provider's open class.

The trainee picks a specialty and level, sees the providers with a class open for it (or the
seed's message that none has opened yet), picks one, fills the form (year served, phone,
work unit, the package's courses when the class has one), saves and submits within the
class's enrolment window; a submitted enrolment holds a seat (none is given past the seat
limit, however many submit at once). The provider views it and approves it or sends it back
with comments; the trainee edits and resubmits until the class's resubmit deadline, when a
timer in the diagram closes the enrolment (its seat is given back).
"""
