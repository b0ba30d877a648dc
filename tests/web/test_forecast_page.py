"""The Forecasts page: chart with a band, model table, bilingual, empty workspace."""

from __future__ import annotations

import json
import re

from .conftest import login


def test_forecast_page_in_both_languages(client, sim_site):
    login(client, sim_site.viewer)
    zh = client.get("/forecast?metric=orders&h=5&lang=zh").text
    assert "预测" in zh and "80% 区间" in zh and 'id="chart-forecast"' in zh
    assert len(re.findall(r"<tr><td>\d{4}-\d{2}-\d{2}</td>", zh)) == 5
    en = client.get("/forecast?metric=orders&h=5&lang=en").text
    assert "Daily forecast" in en and "Forecasts" in en  # nav label
    # the chart carries history, two bands and the forecast line
    data = re.search(r'Plotly.newPlot\(\s*"chart-forecast",\s*(\[.*?\]),\s*\{', en, re.DOTALL)
    assert data and len(json.loads(data.group(1))) == 4


def test_forecast_page_refuses_unknown_metric_and_needs_login(client, sim_site):
    assert client.get("/forecast", follow_redirects=False).status_code == 303
    login(client, sim_site.viewer)
    assert client.get("/forecast?metric=vibes").status_code == 422
