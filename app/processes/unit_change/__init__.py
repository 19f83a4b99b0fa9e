"""Changes to an organisation that its parent authorities approve (seed 001 §3.1, 审核机构信息修改).

Today: the change of parent authority (更换上级部门, ``bpmn/unit_parent_change.bpmn``), which
the old and the new parent review side by side. A unit's future claims go to its new
authority once both approve; claims already in the old authority's review stay there (each
claim keeps the authority it was submitted to).
"""
