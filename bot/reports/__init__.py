"""Reports: what the director and the members receive (DESIGN §5).

Compilers (agenda, bulletin, ...) read the committed reports and return plain data; the
renderers (chat text, chart, Word, Excel) turn that data into what is sent. The two meet in
:mod:`bot.reports.layout`, which describes a document, a workbook and a chart without
knowing where they came from.
"""
