"""The training player: watch a recorded training run (or several, side by side), epoch by epoch.

``nn.fit(..., record=True)`` keeps frames of a run (see :mod:`nn.recording`);
:class:`TrainingPlayer` turns them into ONE self-contained HTML page, in the spirit of
TensorFlow Playground: a timeline with play/pause and step buttons, and at each frame
the network (every neuron with the heatmap of its output over the input plane, every
link coloured by the sign of its weight and as thick as its size), the decision
boundary with the training and test points, loss and accuracy curves with a cursor,
and each layer's mean |gradient| on a log scale. Hovering or focusing a neuron or a
link shows its weight, its gradient and its formula with the numbers plugged in.

How the page is built:

* The recording is converted to a compact payload (:func:`payload`): every number the
  page shows as text (losses, weights, gradients...) is kept exactly, as base64
  float64 arrays; heatmaps are quantised per grid (8 bits for hidden neurons, 16 for
  the output, with each grid's exact minimum and maximum) because they only become
  colours. A run of more than ``max_frames`` frames is subsampled evenly, and the
  page says so.
* The payload sits in a ``<script type="application/json">`` data block, with ``<``,
  ``>``, ``&``, U+2028 and U+2029 escaped, so no text in it can end the block. Browsers
  never run a data block. The one script is a fixed file (``viz/assets/training_player.js``)
  that reads the block and puts every name on the page with ``textContent``: a run
  called ``<script>`` is shown as those eight characters.
* The stand-alone document carries a Content-Security-Policy that allows only that
  script (by its hash), inline styles and ``data:`` images (the heatmaps), and nothing
  from the network. In Jupyter the same player is inline (``_repr_html_``); each has
  its own random element id, so several players on a page do not interfere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import re
import secrets
import sys
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nn
from nn.recording import FORMAT, check_recording
from viz._text import web_html
from viz.player import TRUST_HINT, asset

MAX_FRAMES = 200
"""The most frames a player shows by default; longer runs are subsampled evenly."""

_PLAYER_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_DATA_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_DATA_ESCAPES["\u2029"] = "\\u2029"


# ---------------------------------------------------------------------------------------
# Reading and comparing recordings
# ---------------------------------------------------------------------------------------


def _recording_of(run: object, name: str) -> dict[str, Any]:
    """The recording inside a History, a ``History.to_dict()`` dict, or a recording dict."""
    if isinstance(run, nn.History):
        recording = run.recording
    elif isinstance(run, Mapping):
        if run.get("format") == FORMAT:
            recording = dict(run)
        else:
            try:
                recording = nn.History.from_dict(run).recording
            except ValueError as error:
                raise ValueError(f"run {name!r}: {error}") from None
    else:
        raise TypeError(
            f"TrainingPlayer takes nn.History objects (or their to_dict() dicts), "
            f"got {type(run).__name__} for run {name!r}"
        )
    if recording is None:
        raise ValueError(f"run {name!r} has no recording: train it with nn.fit(..., record=True)")
    try:
        return check_recording(recording)
    except ValueError as error:
        raise ValueError(f"run {name!r}: {error}") from None


def _every(recording: Mapping[str, Any]) -> str:
    every = recording["record_every"]
    return "every epoch" if every is None else f"every {every} steps"


def check_comparable(recordings: Sequence[Mapping[str, Any]], names: Sequence[str]) -> None:
    """Raise ValueError naming the first difference that stops runs sharing one timeline.

    Runs share a timeline when they were planned for the same number of epochs, were
    recorded at the same points (``record_every``, steps per epoch with
    ``record_every``, ``stride``) and trained and validated on the same data (equal
    fingerprints). A run that diverged stopped early: it is still comparable.
    """
    first, a = recordings[0], names[0]
    for recording, b in zip(recordings[1:], names[1:], strict=True):
        where = f"runs {a!r} and {b!r}"
        if recording["epochs"] != first["epochs"]:
            raise ValueError(
                f"{where} have different lengths: {first['epochs']} and "
                f"{recording['epochs']} planned epochs (one timeline needs the same number)"
            )
        if recording["record_every"] != first["record_every"]:
            raise ValueError(
                f"{where} were recorded at different points: {_every(first)} and "
                f"{_every(recording)}"
            )
        if recording["record_every"] is not None and (
            recording["steps_per_epoch"] != first["steps_per_epoch"]
        ):
            raise ValueError(
                f"{where} have different lengths: {first['steps_per_epoch']} and "
                f"{recording['steps_per_epoch']} steps per epoch"
            )
        if recording["stride"] != first["stride"]:
            raise ValueError(
                f"{where} kept different frames: every {first['stride']} and every "
                f"{recording['stride']} recording points (record both with the same "
                "nn.RecordOptions)"
            )
        for part, rows in (("training", "train"), ("validation", "val")):
            da, db = first["data"], recording["data"]
            if da[f"{rows}_sha256"] == db[f"{rows}_sha256"]:
                continue
            if da["features"] != db["features"]:
                detail = f"{da['features']} and {db['features']} features"
            elif da[f"{rows}_rows"] != db[f"{rows}_rows"]:
                detail = f"{da[f'{rows}_rows']} and {db[f'{rows}_rows']} rows"
            else:
                detail = "the same number of rows, but different numbers in them"
            raise ValueError(f"{where} used different {part} data: {detail}")


def _position(frame: Mapping[str, Any]) -> tuple[float, int]:
    return float(frame["epoch"]), int(frame["step"])


def _evenly(n: int, cap: int) -> list[int]:
    """At most ``cap`` indices of range(n), evenly spread, first and last included."""
    if n <= cap:
        return list(range(n))
    return sorted({round(k * (n - 1) / (cap - 1)) for k in range(cap)})


# ---------------------------------------------------------------------------------------
# Compact encodings
# ---------------------------------------------------------------------------------------


def _b64(values: array[Any]) -> str:
    if sys.byteorder == "big":  # the page reads little-endian
        values = array(values.typecode, values)
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def _f64(values: Sequence[float | None]) -> str:
    """Exact floats (None as NaN), base64 of little-endian float64s."""
    return _b64(array("d", [math.nan if v is None else v for v in values]))


def _flat(value: Any, out: list[float]) -> None:
    """Append the numbers of a nested list (or one number) to ``out``, row by row."""
    if isinstance(value, list):
        for item in value:
            _flat(item, out)
    elif value is None:
        out.append(math.nan)
    else:
        out.append(float(value))


def _shape(value: Any) -> list[int]:
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return shape


def _quantise(grids: list[list[float]], bits: int) -> tuple[array[int], list[float]]:
    """Each grid as integer codes 0..2**bits-1 between its finite min and max.

    Returns the codes of all grids, one after the other, and ``[lo, hi]`` per grid.
    NaN becomes the middle code, infinities the end codes.
    """
    top = (1 << bits) - 1
    codes: array[int] = array("B" if bits == 8 else "H")
    ranges: list[float] = []
    for grid in grids:
        total = sum(grid)
        if math.isfinite(total):  # fast path: every value is finite
            lo, hi = min(grid), max(grid)
            scale = top / (hi - lo) if hi > lo else 0.0
            codes.extend(int((v - lo) * scale + 0.5) for v in grid)
        else:
            finite = [v for v in grid if math.isfinite(v)]
            lo, hi = (min(finite), max(finite)) if finite else (0.0, 0.0)
            scale = top / (hi - lo) if hi > lo else 0.0
            codes.extend(
                (top // 2 if math.isnan(v) else (top if v > 0 else 0))
                if not math.isfinite(v)
                else int((v - lo) * scale + 0.5)
                for v in grid
            )
        ranges += [lo, hi]
    return codes, ranges


def _run_payload(
    recording: Mapping[str, Any], name: str, shown: list[int], timeline: list[tuple[float, int]]
) -> dict[str, Any]:
    frames = recording["frames"]
    n = len(frames)
    picked = [i for i in shown if i < n]
    if n - 1 not in picked:
        picked.append(n - 1)  # a diverged run: its last finite frame
    frame_at = [sum(1 for i in picked if i <= t) - 1 for t in shown]
    chosen = [frames[i] for i in picked]

    scalars: list[float | None] = []
    for f in chosen:
        scalars += [f["loss"], f["accuracy"], f["val_loss"], f["val_accuracy"]]
    layers = list(recording["grad_layers"])
    grad_bars: list[float | None] = []
    for f in chosen:
        mags = f["grad_magnitudes"] or {}
        grad_bars += [mags.get(layer) for layer in layers]

    state0 = chosen[0]["state"]
    keys = list(state0)
    params: list[float] = []
    for f in chosen:
        for key in keys:
            _flat(f["state"][key], params)
    grad_keys = [k for k in keys if any(f["grads"] and k in f["grads"] for f in chosen)]
    grads: list[float] = []
    for f in chosen:
        for key in grad_keys:
            if f["grads"] is None:
                grads += [math.nan] * math.prod(_shape(state0[key]) or [1])
            else:
                _flat(f["grads"][key], grads)

    bn_names = sorted(chosen[-1]["batchnorm"] or {}, key=str)
    bn: list[float] = []
    for f in chosen:
        stats = f["batchnorm"] or {}
        for module in bn_names:
            entry = stats.get(module) or {}
            _flat(entry.get("batch_mean") or [], bn)
            _flat(entry.get("batch_var") or [], bn)

    out: dict[str, Any] = {
        "name": name,
        "model": str(recording.get("model", "")),
        "frames": len(chosen),
        "frameAt": frame_at,
        "epochs": [timeline[i][0] for i in picked],
        "steps": [timeline[i][1] for i in picked],
        "scalars": _f64(scalars),
        "layers": [str(layer) for layer in layers],
        "gradBars": _f64(grad_bars),
        "keys": [str(k) for k in keys],
        "shapes": [_shape(state0[k]) for k in keys],
        "params": _f64(params),
        "gradKeys": [str(k) for k in grad_keys],
        "grads": _f64(grads),
        "bnModules": [str(m) for m in bn_names],
        "bnSizes": [
            len((chosen[-1]["batchnorm"][m] or {}).get("batch_mean") or []) for m in bn_names
        ],
        "bn": _f64(bn),
        "task": recording["task"],
        "network": recording["network"],
        "networkMissing": recording.get("network_missing"),
        "grid": recording["grid"],
        "gridMissing": recording.get("grid_missing"),
        "diverged": recording["diverged"],
        "lastShown": next((p for p, t in enumerate(shown) if t >= n - 1), len(shown) - 1),
    }
    data = recording["data"]
    if recording["grid"] is not None and "X" in data:
        points: list[float] = []
        _flat(data["X"], points)
        val_points: list[float] = []
        _flat(data["X_val"], val_points)
        out["points"] = {
            "X": _f64(points),
            "y": _f64(data["y"]),
            "Xval": _f64(val_points),
            "yval": _f64(data["y_val"]),
        }
    if recording["grid"] is not None and chosen[0]["output"] is not None:
        neuron_grids = [g for f in chosen for layer in (f["neurons"] or []) for g in layer]
        codes, ranges = _quantise(neuron_grids, 8)
        out["neurons"] = {"codes": _b64(codes), "ranges": _f64(ranges)}
        output_grids = [g for f in chosen for g in f["output"]]
        codes, ranges = _quantise(output_grids, 16)
        out["output"] = {"codes": _b64(codes), "ranges": _f64(ranges)}
    return out


def payload(
    recordings: Sequence[Mapping[str, Any]],
    names: Sequence[str],
    *,
    title: str,
    max_frames: int = MAX_FRAMES,
) -> dict[str, Any]:
    """The data the page reads: the shared timeline and each run, compactly encoded.

    Every float that the page shows as a number is exact (base64 float64); the
    heatmaps are quantised (see the module docstring).
    """
    longest = max(recordings, key=lambda r: len(r["frames"]))
    timeline = [_position(f) for f in longest["frames"]]
    for recording, name in zip(recordings, names, strict=True):
        mine = [_position(f) for f in recording["frames"]]
        if mine != timeline[: len(mine)]:
            raise ValueError(
                f"run {name!r} was recorded at other epochs than the others "
                f"(its frames are at {mine[:4]}..., theirs at {timeline[:4]}...)"
            )
    shown = _evenly(len(timeline), max_frames)
    return {
        "title": title,
        "timeline": {
            "epochs": [timeline[i][0] for i in shown],
            "steps": [timeline[i][1] for i in shown],
            "total": len(timeline),
            "plannedEpochs": longest["epochs"],
            "recordEvery": longest["record_every"],
            "stride": longest["stride"],
            "stepsPerEpoch": longest["steps_per_epoch"],
        },
        "runs": [
            _run_payload(r, name, shown, timeline)
            for r, name in zip(recordings, names, strict=True)
        ],
    }


def data_block(data: Mapping[str, Any]) -> str:
    """``data`` as JSON that is safe inside ``<script type="application/json">``."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _DATA_ESCAPES[m.group()], text)


# ---------------------------------------------------------------------------------------
# The player
# ---------------------------------------------------------------------------------------


class TrainingPlayer:
    """The training player of one recorded run, or of several on one shared timeline.

    Args:
        runs: an ``nn.History`` from ``nn.fit(..., record=True)`` (or its
            ``to_dict()``, e.g. loaded from JSON), or a list of them to compare
            (sigmoid vs ReLU, with and without BatchNorm, SGD vs Adam...).
        names: one name per run (default "run 1", "run 2"...; "training run" for one).
            Names are shown as plain text, whatever they contain.
        title: the page's heading (default "Training" or "Training: a vs b").
        max_frames: the most frames shown; a longer recording is subsampled evenly
            (first and last frames kept) and the player says so.

    Raises:
        ValueError: for a run without a recording, names that do not match the runs,
            and runs that cannot share one timeline: different planned lengths,
            recording points or data (the message names the difference). A run that
            diverged is shorter, and is still accepted: it is marked as diverged from
            its last frame on.
        TypeError: for something that is not a History or its dict.

    Example:
        >>> import nn, viz
        >>> X, y = nn.data.make_moons(40, noise=0.1, seed=0)
        >>> model = nn.MLP(2, [4, 1], seed=0)
        >>> history = nn.fit(model, X, y, loss=nn.binary_cross_entropy_with_logits,
        ...                  optimizer=nn.optim.Adam(model.parameters(), lr=0.05),
        ...                  epochs=3, batch_size=20, seed=0, progress=False, record=True)
        >>> player = viz.TrainingPlayer(history)
        >>> player.frames                    # the initial model, then 3 epochs
        4
        >>> html = player.player_html()      # what Jupyter shows; to_html(path) writes a file
    """

    def __init__(
        self,
        runs: object,
        names: Sequence[str] | None = None,
        *,
        title: str | None = None,
        max_frames: int = MAX_FRAMES,
    ) -> None:
        items = list(runs) if isinstance(runs, (list, tuple)) else [runs]
        if not items:
            raise ValueError("TrainingPlayer needs at least one recorded run, got none")
        if names is None:
            names = (
                ["training run"] if len(items) == 1 else [f"run {i + 1}" for i in range(len(items))]
            )
        elif isinstance(names, str) or len(list(names)) != len(items):
            count = 1 if isinstance(names, str) else len(list(names))
            raise ValueError(f"got {len(items)} runs but {count} names: give one name per run")
        names = list(names)
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"run names must be str, got {type(name).__name__}: {name!r}")
        if not isinstance(max_frames, int) or isinstance(max_frames, bool) or max_frames < 2:
            raise ValueError(f"max_frames must be an int >= 2, got {max_frames!r}")
        self.names = names
        self.recordings = [_recording_of(run, name) for run, name in zip(items, names, strict=True)]
        check_comparable(self.recordings, names)
        if title is None:
            title = "Training" if len(names) == 1 else "Training: " + " vs ".join(names)
        self.title = title
        self.max_frames = max_frames
        self._payload: dict[str, Any] | None = None

    @property
    def frames(self) -> int:
        """How many frames the timeline shows (at most ``max_frames``)."""
        return len(self.payload()["timeline"]["epochs"])

    def payload(self) -> dict[str, Any]:
        """The data the page reads (see :func:`payload`), built once."""
        if self._payload is None:
            self._payload = payload(
                self.recordings, self.names, title=self.title, max_frames=self.max_frames
            )
        return self._payload

    def summary(self) -> str:
        """What the player shows, in a few words: ``training player: 2 runs, 31 frames``."""
        runs = len(self.names)
        return f"training player: {runs} run{'s' if runs != 1 else ''}, {self.frames} frames"

    def _fallback(self) -> str:
        """One line for a notebook that runs no script (an untrusted one shows the
        sanitized HTML: no script, no style), which the script removes."""
        return (
            f'<p class="gt-fallback"><b>{web_html(self.summary())}</b>: to play it, '
            f"{web_html(TRUST_HINT)}.</p>"
        )

    def _markup(self, player_id: str, *, fallback: bool = False) -> str:
        return (
            f'<div class="gt-player{" gt-multi" if len(self.names) > 1 else ""}" '
            f'id="{player_id}" tabindex="0" aria-label="training player">'
            f'<div class="gt-title">{web_html(self.title)}</div>'
            + (self._fallback() if fallback else "")
            + '<noscript><p class="gt-noscript">The training player needs JavaScript.</p>'
            "</noscript>"
            '<script type="application/json" class="gt-data">'
            f"{data_block(self.payload())}</script></div>"
        )

    def player_html(self, *, player_id: str | None = None) -> str:
        """The player as an HTML fragment with its CSS and JS inline (for notebooks).

        Each call uses a new random element id, so several players can share a page.
        """
        pid = player_id if player_id is not None else f"gt-{secrets.token_hex(6)}"
        if not _PLAYER_ID.fullmatch(pid):
            raise ValueError(
                "player_id must be a letter followed by letters, digits, '-' or '_' "
                f"(at most 64 characters), got {pid!r}"
            )
        script = f"{asset('training_player.js')}\ngradstepTrainingPlayer({pid!r}, false);\n"
        return (
            f"<style>{asset('training_player.css')}</style>{self._markup(pid, fallback=True)}"
            f"<script>{script}</script>"
        )

    def document(self) -> str:
        """A whole HTML document holding the player, with a strict Content-Security-Policy."""
        pid = "gt-player"
        script = f"{asset('training_player.js')}\ngradstepTrainingPlayer({pid!r}, true);\n"
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        policy = (
            f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'"
        )
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{web_html(self.title)} · gradstep</title>"
            f"<style>{asset('training_player.css')}</style></head>"
            f'<body class="gt-page">{self._markup(pid)}'
            f"<script>{script}</script></body></html>\n"
        )

    def to_html(self, path: str | os.PathLike[str]) -> Path:
        """Write the player as ONE self-contained HTML file and return its path.

        The file needs no network and no kernel: open it from disk in any browser.
        """
        out = Path(path)
        out.write_text(self.document(), encoding="utf-8")
        return out

    def _repr_html_(self) -> str:
        return self.player_html()

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, str]:
        """What Jupyter shows: the player (HTML), and one line of text for viewers
        without HTML, which says how to see the player."""
        bundle = {
            "text/html": self.player_html(),
            "text/plain": f"{self.summary()}; to see it, {TRUST_HINT}",
        }
        return {
            kind: data
            for kind, data in bundle.items()
            if (not include or kind in include) and not (exclude and kind in exclude)
        }
