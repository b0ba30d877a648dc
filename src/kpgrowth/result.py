"""The Result contract every analysis returns: numbers in, three renderings out.

A Result is a small dataclass. The CLI, REST API, dashboard and report all
render the same object through :meth:`Result.to_frame`, :meth:`Result.to_dict`
and :meth:`Result.figure` (Plotly, imported on call).

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass
... class Count(Result):
...     n: int
...     def to_frame(self):
...         import pandas as pd
...         return pd.DataFrame({"n": [self.n]})
>>> Count(3).to_dict()
{'n': 3}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from typing import Any


class Result:
    """Base class of analysis results (subclasses are dataclasses)."""

    def to_frame(self) -> Any:
        """The result's main table as a pandas DataFrame."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready plain data."""
        return jsonable(dataclasses.asdict(self))  # type: ignore[call-overload]

    def figure(self) -> Any:
        """A Plotly figure of the result."""
        raise NotImplementedError(f"{type(self).__name__} has no figure")


def jsonable(obj: Any) -> Any:
    """Convert nested data (incl. Arrow/pandas scalars, datetimes, decimals) to JSON types."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (dt.datetime, dt.date)):
        return obj.isoformat()
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            return obj.item()
        except (ValueError, TypeError):
            pass
    if hasattr(obj, "to_dict") and hasattr(obj, "columns"):  # DataFrame
        return jsonable(obj.to_dict(orient="records"))
    return obj
