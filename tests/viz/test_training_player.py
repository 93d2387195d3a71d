"""viz.TrainingPlayer read as HTML and data: self-contained, safe, exact; runs compared."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import warnings
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import nn
import viz
from viz.training_player import data_block

HOSTILE = '</script><script>window.__pwned = 1</script> "quotes" & <b>amp</b>'


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each script, as a browser sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def run(
    epochs: int = 3,
    *,
    activation: str = "relu",
    n: int = 40,
    seed: int = 0,
    lr: float = 0.05,
    **options: Any,
) -> nn.History:
    X, y = nn.data.make_moons(n, noise=0.1, seed=seed)
    X_train, X_val, y_train, y_val = nn.data.train_test_split(X, y, test_size=0.25, seed=0)
    model = nn.MLP(2, [4, 3, 1], activation=activation, batchnorm=True, seed=0)
    return nn.fit(
        model,
        X_train,
        y_train,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.optim.SGD(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=10,
        seed=0,
        validation_data=(X_val, y_val),
        progress=False,
        record=options.pop("record", True),
        **options,
    )


def floats(b64: str) -> list[float]:
    raw = base64.b64decode(b64)
    return list(struct.unpack(f"<{len(raw) // 8}d", raw))


def test_to_html_writes_one_self_contained_safe_file(tmp_path: Path) -> None:
    history = run()
    history.recording["grad_layers"][0] = HOSTILE  # type: ignore[index]
    player = viz.TrainingPlayer([history, run(activation="tanh")], names=[HOSTILE, "tanh"])
    path = player.to_html(tmp_path / "player.html")
    assert list(tmp_path.iterdir()) == [path]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    tags = Tags(text)
    assert [t for t, _ in tags.tags if t in ("link", "img", "iframe", "object", "embed")] == []
    for _, attrs in tags.tags:  # nothing refers to another file or to the network
        for key in ("src", "href", "action"):
            assert key not in attrs
    scripts = [attrs for t, attrs in tags.tags if t == "script"]
    assert [s.get("type") for s in scripts] == ["application/json", None]
    data_text, code = tags.scripts
    assert "<" not in data_text and ">" not in data_text and "&" not in data_text
    data = json.loads(data_text)
    assert [r["name"] for r in data["runs"]] == [HOSTILE, "tanh"]
    assert data["runs"][0]["layers"][0] == HOSTILE
    assert HOSTILE not in code and "__pwned" not in code  # no user text in the code
    # the Content-Security-Policy allows exactly that script, and nothing from the network
    policy = next(
        a["content"] for t, a in tags.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode()
    assert policy is not None and f"script-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "connect-src" not in policy
    assert "<title>Training: &lt;/script&gt;&lt;script&gt;" in text


def test_the_data_block_cannot_be_closed_from_inside() -> None:
    text = data_block({"name": "</script><!-- & \u2028 \u2029 >"})
    assert re.search("[<>&\u2028\u2029]", text) is None
    assert json.loads(text) == {"name": "</script><!-- & \u2028 \u2029 >"}


def test_numbers_in_the_page_equal_the_recording() -> None:
    history = run(4)
    rec = history.recording
    assert rec is not None
    data = viz.TrainingPlayer(history).payload()
    (page,) = data["runs"]
    frames = rec["frames"]
    assert data["timeline"]["epochs"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    scalars = floats(page["scalars"])
    for k, f in enumerate(frames):
        assert scalars[4 * k : 4 * k + 4] == [
            f["loss"],
            f["accuracy"],
            f["val_loss"],
            f["val_accuracy"],
        ]
    params = floats(page["params"])
    per_frame = len(params) // len(frames)
    sd = frames[2]["state"]
    offset = sum(len(json.dumps(sd[k]).split(",")) for k in page["keys"][:1])  # 0.weight
    assert page["keys"][:3] == ["0.weight", "1.weight", "1.bias"]  # no bias before BatchNorm
    assert params[2 * per_frame + offset : 2 * per_frame + offset + 4] == sd["1.weight"]
    grads = floats(page["grads"])
    g_per_frame = len(grads) // len(frames)
    assert grads[3 * g_per_frame : 3 * g_per_frame + 2] == frames[3]["grads"]["0.weight"][0]
    bars = floats(page["gradBars"])
    layers = page["layers"]
    assert bars[len(layers) : 2 * len(layers)] == [
        frames[1]["grad_magnitudes"][name] for name in layers
    ]


def test_heatmaps_are_quantised_within_their_range() -> None:
    history = run(2)
    rec = history.recording
    assert rec is not None
    page = viz.TrainingPlayer(history).payload()["runs"][0]
    codes = base64.b64decode(page["output"]["codes"])
    ranges = floats(page["output"]["ranges"])
    cells = rec["grid"]["size"] ** 2
    last = rec["frames"][-1]["output"][0]
    lo, hi = ranges[-2:]
    assert (lo, hi) == (min(last), max(last))
    decoded = [lo + c / 65535 * (hi - lo) for c in struct.unpack(f"<{cells}H", codes[-2 * cells :])]
    assert max(abs(a - b) for a, b in zip(decoded, last, strict=True)) <= (hi - lo) / 65535


def test_a_history_loaded_from_json_plays_exactly_like_a_fresh_one() -> None:
    history = run(2)
    loaded = json.loads(json.dumps(history.to_dict()))
    fresh = viz.TrainingPlayer(history, names=["a"]).payload()
    assert viz.TrainingPlayer(loaded, names=["a"]).payload() == fresh
    assert viz.TrainingPlayer(nn.History.from_dict(loaded), names=["a"]).payload() == fresh
    assert viz.TrainingPlayer(loaded["recording"], names=["a"]).payload() == fresh


def test_a_long_recording_is_subsampled_with_a_note() -> None:
    history = run(9, record=nn.RecordOptions(grid_size=4))
    player = viz.TrainingPlayer(history, max_frames=4)
    data = player.payload()
    assert player.frames == 4
    assert data["timeline"]["epochs"] == [0.0, 3.0, 6.0, 9.0]
    assert data["timeline"]["total"] == 10
    assert data["runs"][0]["frames"] == 4 and data["runs"][0]["frameAt"] == [0, 1, 2, 3]
    assert floats(data["runs"][0]["scalars"])[4] == history.loss[2]  # epoch 3


def test_a_diverged_run_compares_with_the_others() -> None:
    good = run(4)
    with pytest.warns(RuntimeWarning, match="diverged"):
        bad = run(4, lr=1e150)
    assert bad.recording["diverged"] is not None  # type: ignore[index]
    data = viz.TrainingPlayer([good, bad], names=["good", "bad"]).payload()
    bad_page = data["runs"][1]
    assert bad_page["frames"] == 1 and bad_page["frameAt"] == [0, 0, 0, 0, 0]
    assert bad_page["diverged"]["epoch"] == 1 and bad_page["lastShown"] == 0


def test_runs_that_cannot_share_a_timeline_are_refused() -> None:
    a = run(3)
    with pytest.raises(ValueError, match=r"'a' and 'b' have different lengths: 3 and 2 planned"):
        viz.TrainingPlayer([a, run(2)], names=["a", "b"])
    with pytest.raises(ValueError, match=r"used different training data: 30 and 45 rows"):
        viz.TrainingPlayer([a, run(3, n=60)], names=["a", "b"])
    with pytest.raises(ValueError, match=r"different training data: the same number of rows"):
        viz.TrainingPlayer([a, run(3, seed=1)], names=["a", "b"])
    with pytest.raises(ValueError, match="every epoch and every 2 steps"):
        viz.TrainingPlayer([a, run(3, record_every=2)], names=["a", "b"])
    with pytest.raises(ValueError, match="kept different frames"):
        viz.TrainingPlayer([a, run(3, record=nn.RecordOptions(max_frames=3))], names=["a", "b"])


def test_bad_arguments() -> None:
    history = run(1)
    with pytest.raises(ValueError, match="'run 2' has no recording"):
        viz.TrainingPlayer([history, run(1, record=False)])
    with pytest.raises(ValueError, match="2 runs but 1 names"):
        viz.TrainingPlayer([history, history], names=["only one"])
    with pytest.raises(ValueError, match="at least one"):
        viz.TrainingPlayer([])
    with pytest.raises(TypeError, match="got str"):
        viz.TrainingPlayer("history.json")
    with pytest.raises(TypeError, match="names must be str"):
        viz.TrainingPlayer(history, names=[3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="not a gradstep recording"):
        viz.TrainingPlayer({"recording": {"format": "x"}})
    with pytest.raises(ValueError, match="max_frames"):
        viz.TrainingPlayer(history, max_frames=1)


def test_notebook_fragments_have_their_own_ids() -> None:
    player = viz.TrainingPlayer(run(1))
    first, second = player._repr_html_(), player._repr_html_()
    ids = [re.search(r'class="gt-player" id="([^"]+)"', t).group(1) for t in (first, second)]  # type: ignore[union-attr]
    assert ids[0] != ids[1]
    assert f"gradstepTrainingPlayer('{ids[0]}', false)" in first
    assert first.startswith("<style>") and "Content-Security-Policy" not in first
    with pytest.raises(ValueError, match="player_id"):
        player.player_html(player_id="x'); alert(1); ('")


def test_no_warnings_from_a_clean_run() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        viz.TrainingPlayer(run(1)).document()
