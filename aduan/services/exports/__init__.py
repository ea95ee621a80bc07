"""Exports: files an officer asks for and a background job writes — a queue as CSV/XLSX
(``queue_rows``), the monthly return to the Public Complaints Bureau (``bpa_return``), the
admin audit log as CSV (``admin.audit_log`` supplies its rows). ``requests`` records who asked
for what (an ``Export`` row owned by the officer and the agency), ``running`` is the job that
streams rows in batches to a file and updates the row's progress, ``writers`` are the CSV and
streamed XLSX writers (safe against spreadsheet formulas), ``files`` the folder the files live
in until the periodic job expires them.
"""
