"""What leaves the planner: reports, handouts, exports, plots, escaping and atomic writes.

``textsafe`` escapes text centrally for each output kind (terminal, Markdown, HTML, plots),
``writes`` puts files in place whole or not at all, ``report`` / ``handout`` / ``export``
render results, and ``plots`` builds plotly figures without any UI code.
"""
