"""Reports of a stage's count: 计票结果报告单 (count report) and 选举结果报告表 (result
report) as PDF, the same numbers as CSV, and the whole result as JSON.

`content` turns a StageResult into report tables and lines (pure); `pdf` and `files` only
lay them out and write them, so the PDF, the CSV and the JSON cannot disagree.
"""
