"""Evaluation report files: reliability plot (PNG), metrics JSON, a Markdown table (adapter)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from parking.evaluation import HorizonResult  # noqa: E402
from parking.isotonic import reliability  # noqa: E402

KEYS = ("brier", "log_loss", "ece", "ece_low", "max_gap", "mae_free", "mae_rate")
MIN_BIN = 500  # bins with fewer forecasts are drawn hollow (as in max_gap)


def reliability_plot(results: list[HorizonResult], path: Path) -> None:
    """One panel per horizon: observed frequency against predicted probability per method."""
    fig, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 4.2), squeeze=False)
    for ax, r in zip(axes[0], results, strict=True):
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
        for name, style in (("model", "o-"), ("hist", "s--")):
            rel = reliability(r.p[name], r.y)
            s = r.scores[name]
            (line,) = ax.plot(
                rel.mean_pred,
                rel.frequency,
                style,
                ms=4,
                mfc="white",
                label=f"{name} (ECE {s['ece']:.3f}, <0.8: {s['ece_low']:.3f})",
            )
            full = rel.count >= MIN_BIN
            ax.plot(rel.mean_pred[full], rel.frequency[full], style[0], ms=4, c=line.get_color())
        ax.set_title(f"horizon {r.horizon_min} min (n={r.n})")
        ax.set_xlabel(f"predicted P(free space); hollow: bin of < {MIN_BIN}")
        ax.set_ylabel("observed frequency")
        ax.set_xlim(0, 1), ax.set_ylim(0, 1)
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown_table(results: list[HorizonResult]) -> str:
    """Rows: horizon × method; columns: the scores."""
    lines = ["| horizon | method | n | " + " | ".join(KEYS) + " |", "|---" * (3 + len(KEYS)) + "|"]
    for r in results:
        for method, s in r.scores.items():
            cells = " | ".join(f"{s[k]:.4f}" for k in KEYS)
            lines.append(f"| {r.horizon_min} | {method} | {r.n} | {cells} |")
    return "\n".join(lines)


def result_line(results: list[HorizonResult]) -> str:
    """The single machine-readable summary line (model ECE below 0.8 and worst-bin gap last)."""
    parts = []
    for r in results:
        h = r.horizon_min
        parts += [
            f"brier_model_h{h}={r.scores['model']['brier']:.4f}",
            f"brier_hist_h{h}={r.scores['hist']['brier']:.4f}",
            f"brier_last_h{h}={r.scores['last']['brier']:.4f}",
            f"ece_model_h{h}={r.scores['model']['ece']:.4f}",
        ]
    for r in results:  # appended after the original keys so that parsers of those keep working
        h = r.horizon_min
        parts += [
            f"ece_low_model_h{h}={r.scores['model']['ece_low']:.4f}",
            f"max_gap_model_h{h}={r.scores['model']['max_gap']:.4f}",
        ]
    return "RESULT " + " ".join(parts)


def write_report(results: list[HorizonResult], out: Path, meta: dict) -> None:
    """metrics.json, report.md and reliability.png in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    reliability_plot(results, out / "reliability.png")
    payload = {
        "meta": meta,
        "horizons": {str(r.horizon_min): {"n": r.n, **r.scores} for r in results},
    }
    (out / "metrics.json").write_text(json.dumps(payload, indent=2, default=str))
    (out / "report.md").write_text(
        "# Parking model evaluation\n\n" + markdown_table(results) + "\n"
    )
