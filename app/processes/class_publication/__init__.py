"""Classes (培训班信息, seed 004 §三): a provider publishes the class of a filed pre-training filing.

From a pre-filing the HR department has filed (备案通过), the provider fills the class's
information: the specialties and levels it takes (a subset of the filing's scope), the years
its hours count for, the enrolment window, the resubmit deadline (after the window closes),
an optional course package, a seat limit (0: none), where to report and where it is taught,
contacts and a special note. The filing's HR department approves it or sends it back; the
provider then opens it (开启) and trainees can enrol within the window. Moving the window of
an open class takes a change request that the HR department grants by sending the class back
(seed 004 §六); at the resubmit deadline the class closes.
"""
