"""How the app words a model's confidence: the one place that formats "NN% sure".

The probability is the model's (calibrated at load time when the model carries a temperature,
see core/modelstore.py), so "80% sure" means right about 80% of the time on held-out tweets.
"""

from __future__ import annotations


def sure_text(probability: float) -> str:
    """'82% sure' for 0.8234 (whole percent; never '100%' or '0%' for a probability strictly between)."""
    pct = round(100 * float(probability))
    if pct >= 100 and probability < 1:
        pct = 99
    elif pct <= 0 < probability:
        pct = 1
    return f"{pct}% sure"
