"""Post-training filings (培训后备案, seed 004 §二.3): a provider files a class's results.

Within ``POSTFILING_MAX_DAYS`` (7) days after the class ends, in the seed's four steps: pick the
filed pre-filing and its approved class; fill the completion details; import the trainees'
results from Excel (a template with the class's approved enrolments; columns 身份证号, 姓名,
成绩, 是否合格; a file with any wrong row is refused whole, with a per-row error report); attach
the files and submit. The HR department that filed the class approves it (备案通过) or rolls
it back; on approval, in the same transaction, every passing trainee gets the class's hours in
the ledger and an e-certificate (公需课 / 专业课电子证书) with its own number.
"""
