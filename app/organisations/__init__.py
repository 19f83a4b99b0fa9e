"""The organisation tree (组织架构树), internal departments (内设部门) and subordinate units (管理下级单位)."""
