"""Employer unit registration (用人单位注册, seed 001 §3.3 审核用人单位; seed 000 §2.2).

A new unit registers itself without logging in: its name, type, industry, unified social credit
code and parent authority, with its first administrator's account (created at once, with no
role: the applicant logs in to follow the registration). The parent authority's reviewers and
administrators approve or refuse it (with a reason), one by one or in batch from the inbox.
Approving creates the unit under the authority and makes the applicant its administrator and
super administrator (an audited role change); a name or code another organisation took
meanwhile refuses it instead, creating nothing (``bpmn/unit_registration.bpmn``).
"""
