"""Streamlit entry point: page config and navigation only.

Run with ``streamlit run app.py``; pages live in ``planner/ui/``.
"""

from planner.ui.frame import run

run()
