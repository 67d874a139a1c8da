"""Streamlit pages and widgets: the only part of the package that imports Streamlit."""
