"""Self-contained HTML reports (plotly.js inlined) rendered from Result objects."""
