"""People (专业技术人员): staff import from Excel (批量导入), the person query (专业技术人员信息查询) with
learning records and password resets, and the login page's password help (忘记密码)."""
