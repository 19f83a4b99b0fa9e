"""Administrators (管理单位管理员) and the roles (角色管理) of an organisation: see ``roles`` for the design."""
