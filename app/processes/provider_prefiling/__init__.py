"""Pre-training filings (培训前备案, seed 004 §二.1): a provider files a class before it runs.

The provider fills the filing (a temporary save keeps an incomplete draft; a save checks every
field), attaches its implementation plan, notice and invitation, and submits it at least
``PREFILING_MIN_DAYS`` (15) days before the class starts. Its supervisor (基地主管单位) reviews it
and approves or rolls it back; once approved the provider downloads the filing form (申报表, a
PDF), stamps it offline and uploads the stamped scan; the supervisor forwards it to the HR
department of the provider's level (national and provincial providers: the provincial HR
department; prefecture providers: their prefecture's), which files it (备案通过) or rolls it back.
Every rollback returns the filing to the provider, who edits and submits it again; the review
log shows each round.
"""
