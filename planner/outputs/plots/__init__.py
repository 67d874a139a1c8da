"""Plotly figures (no Streamlit): the UI, the CLI and the HTML reports share them."""
