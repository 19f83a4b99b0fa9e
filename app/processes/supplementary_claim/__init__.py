"""Supplementary claims for last year (学时增补, seed 002 §增补申请 / 增补审核流程).

Once a year, from 1 to 20 January (``[SUPPLEMENTARY]`` in config.toml, or the dates the unit's authority set:
``app/services/policy.py``), a trainee may ask to
supplement last year's hours on a route (登记类别) on which last year's ledger already holds
hours from a finally approved credit claim (source ``claim``, net hours above nothing). The path:

1. 增补申请: the trainee asks; the unit (企业) agrees or refuses (同意增补 / 拒绝增补). Until it
   agrees the trainee's list says 未处理, then 已处理; the detail says 同意 or 不同意.
2. After 同意增补 the trainee adds entries of that route for last year (what, dates, hours) and
   proofs, saves them (个人保存) and reports them (个人上报); the first report must also fall in
   the window.
3. 企业审核 (企业审核通过 / 企业审核不通过) → 学时办审核 → 省级备案 (终审通过 / 省级审核不通过).
   Every refusal returns the supplement to the trainee, who corrects and reports it again
   or withdraws it (撤销增补); the seed offers 撤销增补 while nothing has been reported, so it
   is open while the unit has not answered and whenever the entries are back with the trainee.
4. Filed: the entries' hours enter LAST year's ledger once (source ``supplementary``, the route),
   within the route's yearly cap counting every source's hours on that route that year.

Who reviews: the unit is the trainee's unit (企业). 学时办 (the credit-hour office) is the
nearest authority above the unit, the office that already gives the final review of that
unit's ordinary claims (the credit claims' ``authority`` lane); 省级备案 is the provincial
authority at the top of the unit's authority chain (level ``province``). The demo world has
unit → 演示市交通运输局 (学时办) → 演示省交通运输厅 (省级备案). A unit directly under the
province has both steps done by the province.

Demo data: none. A supplement needs a finally approved claim of last year, and the demo makes no
claims (only this year's claim window) nor enrolments for last year; making one here would mean
driving the credit-claim process from this plug-in. The tests make that claim through the API in
the present, then move the clock to the next January.
"""
