"""Staff transfers (人员调转, seed 001 §3.3): a unit files a trainee's transfer-out, the target unit accepts or refuses.

What happens to the person's work in progress when the target unit accepts: their enrolments,
claims and hours stay theirs. This year's (and next year's) approved enrolments move to the
new unit, so claims submitted from now on go to the new unit's review. A claim already in the
old unit's (or its authority's) review stays there and finishes there: the old unit knows the
work it was done for. Drafts and claims sent back go to the new unit when they are submitted
again. A person whose enrolment still waits for the old unit's review cannot be transferred
until that review is done.
"""
