"""Unit-declared credits (单位学时申报, seed 001 §3.4–3.7): a unit declares hours for its staff.

A unit's reviewer declares hours for one or several of its trainees (one record and one process
instance per person, so that each is reviewed on its own). The fields to fill depend on the
learning form (学习形式). The unit's supervising authority approves (the hours enter the person's
ledger under the declared subject and year) or refuses with a reason, one by one or in batch
through ``/tasks``. An approved declaration then waits for the authority's verification
(学时审验, the seed's 成果备案): a pass settles it (审验通过); a fail reverses the hours in the
ledger (the credit and its reversal both stay) and the person has to be declared again.
"""
