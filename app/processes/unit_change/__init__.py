"""Changes to an organisation that its parent authorities approve (seed 001 §3.1, 审核机构信息修改).

- The change of parent authority (更换上级部门, ``bpmn/unit_parent_change.bpmn``), which the old and
  the new parent review side by side. A unit's future claims go to its new authority once both
  approve; claims already in the old authority's review stay there (each claim keeps the authority
  it was submitted to).
- The change of name and/or unified social credit code (修改单位信息, ``bpmn/unit_change.bpmn``),
  asked by the organisation's administrator and reviewed by its parent; approving applies them
  (checked once more: no other organisation may hold them) and records an administrative event.

One change of any kind waits at a time. A change the organisation cancels (撤销) leaves no row in
the authority's 待审核 / 已审核 lists; its flow log keeps the history.
"""
