"""Annual enrolment (报名审核, seeds 000 §2.2 and 001): a trainee enrols for a year with a unit."""
