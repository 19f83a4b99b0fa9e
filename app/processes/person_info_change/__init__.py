"""Person info changes (人员信息修改 → 审核人员信息修改, seed 001 §3.3; seed 000 §3.5).

A trainee asks to change their registration details (name, mobile phone, identity, political
status, education, professional title and the date obtained, title series, specialty). One request
keeps the old and the new value of only the fields that change; the reviewers of the trainee's unit
see the two side by side and approve or reject it (驳回 needs a reason), one by one or in batch
from the inbox. An approved change is written where each detail lives: name and phone on the
person, the enrolment's fields on the enrolment the request was made against (the one the printed
hour record reads), the title series here (``PersonTitleSeries``). A person has at most one change
waiting; they may withdraw (撤回) it while it waits.

Once the person has printed their hour record the details are locked (``records.profile_locked``):
the enrolment page refuses to change them directly and points here.

A change stays with the unit it was asked of: should the person be transferred meanwhile, that
unit still decides it (as a claim already under review stays with its unit).
"""
