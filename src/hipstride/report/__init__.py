"""Every face of hipstride: what the terminal, the HTML pages and the PDF show.

* :mod:`~hipstride.report.terminal` — the run summary, the run list, an import's outcome, a plan;
* :mod:`~hipstride.report.run_page` — the offline HTML report of one run, drawn with
  :mod:`~hipstride.report.run_map` and :mod:`~hipstride.report.run_profile`;
* :mod:`~hipstride.report.plan_page` — the offline HTML page of a planned route or loops;
* :mod:`~hipstride.report.trends_page` and :mod:`~hipstride.report.clinician_page` — load over
  time, and the page for a clinician; :mod:`~hipstride.report.pdf` prints a page to PDF.

Shared internals: :mod:`~hipstride.report._svg` (the one SVG toolkit: projection, scales, axes,
path data) and :mod:`~hipstride.report._templates` (the one Jinja environment).
"""
