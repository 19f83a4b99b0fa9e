"""Online courses (seed 000 §3): the catalogue, a person's courses (我的课程) and study time that the
server measures from heartbeats. Not a review process: a finished course credits its hours to
the ledger directly, once, under its subject, for the year it was finished in.

The study clock: a window starts a study session for one course (a new session, in any window or
device, ends the previous one: one course at a time per person); each heartbeat carries the
session and its sequence number and counts at most the real time since the previous beat, capped
at ``MAX_BEAT_GAP_SECONDS`` (a page left alone, a replayed or early beat, a beat of another
session: nothing counts). A beat that says the person has not interacted for
``IDLE_SECONDS`` counts nothing until they do (the page asks 点击继续学习).
"""
