/* gradstep training player.
 *
 * gradstepTrainingPlayer(id, documentKeys) builds the player inside the element with that
 * id from the JSON data block it contains (written by viz/training_player.py) and drives
 * it from the buttons, the slider, play/pause and the keyboard (arrows, space, Home/End).
 * With documentKeys the keys work anywhere on the page (a stand-alone file); otherwise
 * only while the player has focus (a notebook, where several players share a page).
 *
 * Safety: every piece of text from the data (run names, layer names, reasons) reaches
 * the page through textContent or setAttribute, never as markup. Numbers shown as text
 * are exact float64s from the recording, formatted like Python's format(x, ".4g").
 */
(function () {
  "use strict";
  if (typeof window.gradstepTrainingPlayer === "function") {
    return;
  }

  var SVGNS = "http://www.w3.org/2000/svg";
  // Okabe-Ito: distinguishable with every common colour-vision deficiency.
  var NEG = [0, 114, 178]; // blue: negative values, class 0
  var POS = [230, 159, 0]; // orange: positive values, class 1
  var RUN_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  var CLASS_COLOURS = [
    [0, 114, 178], [230, 159, 0], [0, 158, 115], [204, 121, 167],
    [86, 180, 233], [213, 94, 0], [240, 228, 66], [0, 0, 0]
  ];
  var DIVERGED = "#D55E00";

  // -- decoding -----------------------------------------------------------------------

  function bytes(b64) {
    var s = atob(b64);
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) {
      out[i] = s.charCodeAt(i);
    }
    return out;
  }

  function float64s(b64) {
    var b = bytes(b64);
    var view = new DataView(b.buffer);
    var out = new Float64Array(b.length / 8);
    for (var i = 0; i < out.length; i++) {
      out[i] = view.getFloat64(8 * i, true);
    }
    return out;
  }

  function uint16s(b64) {
    var b = bytes(b64);
    var view = new DataView(b.buffer);
    var out = new Uint16Array(b.length / 2);
    for (var i = 0; i < out.length; i++) {
      out[i] = view.getUint16(2 * i, true);
    }
    return out;
  }

  // -- numbers --------------------------------------------------------------------------

  /* x as Python's format(x, ".4g") writes it (with -0 as "0", NaN as "nan"). JavaScript
     rounds an exact tie away from zero where Python rounds it to even: a tie is detected
     from the exact decimal expansion (toExponential(99) is exact) and rounded to even. */
  function fmt(x) {
    if (x !== x) {
      return "nan";
    }
    if (x === Infinity || x === -Infinity) {
      return x > 0 ? "inf" : "-inf";
    }
    if (x === 0) {
      return "0";
    }
    var a = Math.abs(x);
    var m = /^(\d)\.(\d+)e([+-]\d+)$/.exec(a.toExponential(3));
    var digits = m[1] + m[2];
    var exp = Number(m[3]);
    var full = /^(\d)\.(\d+)e([+-]\d+)$/.exec(a.toExponential(99));
    var exact = (full[1] + full[2]).replace(/0+$/, "");
    if (exact.length === 5 && exact[4] === "5" && Number(exact[3]) % 2 === 0) {
      digits = exact.slice(0, 4);
      exp = Number(full[3]);
    }
    var text;
    if (exp < -4 || exp >= 4) {
      var mant = digits[0] + "." + digits.slice(1);
      mant = mant.replace(/0+$/, "").replace(/\.$/, "");
      var e = Math.abs(exp);
      text = mant + "e" + (exp < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
    } else if (exp >= 3) {
      text = digits;
    } else if (exp >= 0) {
      text = digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
    } else {
      text = "0." + "0".repeat(-exp - 1) + digits;
    }
    if (text.indexOf(".") >= 0 && text.indexOf("e") < 0) {
      text = text.replace(/0+$/, "").replace(/\.$/, "");
    }
    return (x < 0 ? "-" : "") + text;
  }

  function paren(x) {
    var s = fmt(x);
    return x < 0 ? "(" + s + ")" : s;
  }

  function epochText(e) {
    return Math.round(e) === e ? String(e) : fmt(e);
  }

  // -- DOM helpers ---------------------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) {
      node.className = cls;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVGNS, tag);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) {
        node.setAttribute(k, String(attrs[k]));
      }
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function mix(rgb, t) {
    // white blended towards rgb by t in [0, 1]
    t = Math.max(0, Math.min(1, t));
    return [
      Math.round(255 + (rgb[0] - 255) * t),
      Math.round(255 + (rgb[1] - 255) * t),
      Math.round(255 + (rgb[2] - 255) * t)
    ];
  }

  function css(rgb) {
    return "rgb(" + rgb[0] + "," + rgb[1] + "," + rgb[2] + ")";
  }

  function diverging(t, strength) {
    // t in [-1, 1]: blue below 0, orange above, white at 0
    return mix(t < 0 ? NEG : POS, Math.min(1, Math.abs(t)) * strength);
  }

  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) {
      return [lo];
    }
    var raw = (hi - lo) / count;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    var step = mag;
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * mag >= raw) {
        step = steps[i] * mag;
        break;
      }
    }
    var ticks = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return ticks;
  }

  // -- one run: decoded data and the arithmetic of its network ---------------------------------

  function decodeRun(raw, index) {
    var run = {
      raw: raw,
      index: index,
      frameAt: raw.frameAt,
      colour: RUN_COLOURS[index % RUN_COLOURS.length],
      scalars: float64s(raw.scalars),
      gradBars: float64s(raw.gradBars),
      params: float64s(raw.params),
      grads: float64s(raw.grads),
      bn: float64s(raw.bn),
      offset: {},
      shape: {},
      gradOffset: {},
      bnOffset: {}
    };
    var total = 0;
    raw.keys.forEach(function (key, i) {
      var shape = raw.shapes[i];
      var size = shape.reduce(function (p, n) { return p * n; }, 1);
      run.offset[key] = total;
      run.shape[key] = shape;
      total += size;
    });
    run.P = total;
    total = 0;
    raw.gradKeys.forEach(function (key) {
      var shape = run.shape[key];
      run.gradOffset[key] = total;
      total += shape.reduce(function (p, n) { return p * n; }, 1);
    });
    run.G = total;
    total = 0;
    raw.bnModules.forEach(function (module, i) {
      run.bnOffset[module] = [total, raw.bnSizes[i]];
      total += 2 * raw.bnSizes[i];
    });
    run.B = total;
    run.net = raw.network;
    if (run.net) {
      run.unitOffset = [];
      var units = 0;
      run.net.layers.forEach(function (layer) {
        run.unitOffset.push(units);
        units += layer.units;
      });
      run.units = units;
    }
    if (raw.neurons) {
      run.neuronCodes = bytes(raw.neurons.codes);
      run.neuronRanges = float64s(raw.neurons.ranges);
    }
    if (raw.output) {
      run.outputCodes = uint16s(raw.output.codes);
      run.outputRanges = float64s(raw.output.ranges);
      run.outputs = raw.task.outputs || 1;
    }
    if (raw.points) {
      run.points = {
        X: float64s(raw.points.X),
        y: float64s(raw.points.y),
        Xval: float64s(raw.points.Xval),
        yval: float64s(raw.points.yval)
      };
    }
    return run;
  }

  function scalar(run, k, i) {
    return run.scalars[4 * k + i];
  }

  function param(run, k, key, i) {
    var o = run.offset[key];
    return o === undefined ? NaN : run.params[k * run.P + o + i];
  }

  function grad(run, k, key, i) {
    var o = run.gradOffset[key];
    return o === undefined ? NaN : run.grads[k * run.G + o + i];
  }

  function bnStat(run, k, module, which, j) {
    var o = run.bnOffset[module];
    return o === undefined ? NaN : run.bn[k * run.B + o[0] + which * o[1] + j];
  }

  function prefix(name) {
    return name === "" ? "" : name + ".";
  }

  /* The network at one input point, in eval mode, as the recording's grids were
     computed: the same sums in the same order. Returns per layer the pre-activation z
     and the value after each stage. */
  function forwardAt(run, k, x) {
    var h = x.slice();
    var layers = [];
    run.net.layers.forEach(function (layer) {
      var key = prefix(layer.linear);
      var nin = h.length;
      var z = [];
      for (var i = 0; i < layer.units; i++) {
        var s = layer.bias ? param(run, k, key + "bias", i) : 0;
        for (var j = 0; j < nin; j++) {
          s = s + param(run, k, key + "weight", i * nin + j) * h[j];
        }
        z.push(s);
      }
      var values = z;
      var stages = [];
      layer.stages.forEach(function (stage) {
        values = values.map(function (v, i) { return applyStage(run, k, stage, v, i); });
        stages.push(values);
      });
      layers.push({ input: h, z: z, stages: stages, out: values });
      h = values;
    });
    return layers;
  }

  function bnParams(run, k, stage, i) {
    var m = prefix(stage.module);
    var running = stage.running_stats;
    return {
      mean: running ? param(run, k, m + "running_mean", i) : bnStat(run, k, stage.module, 0, i),
      variance: running ? param(run, k, m + "running_var", i) : bnStat(run, k, stage.module, 1, i),
      gamma: stage.affine ? param(run, k, m + "weight", i) : 1,
      beta: stage.affine ? param(run, k, m + "bias", i) : 0
    };
  }

  function applyStage(run, k, stage, v, i) {
    switch (stage.kind) {
      case "batchnorm": {
        var p = bnParams(run, k, stage, i);
        var out = (v - p.mean) * (1 / Math.sqrt(p.variance + stage.eps));
        return stage.affine ? out * p.gamma + p.beta : out;
      }
      case "relu":
        return v <= 0 ? 0 : v;
      case "leaky_relu":
        return v > 0 ? v : stage.negative_slope * v;
      case "tanh":
        return Math.tanh(v);
      case "sigmoid": {
        if (v >= 0) {
          return 1 / (1 + Math.exp(-v));
        }
        var e = Math.exp(v);
        return e / (1 + e);
      }
      default:
        return v;
    }
  }

  function stageName(stage) {
    return {
      batchnorm: "BatchNorm1d", relu: "ReLU", leaky_relu: "LeakyReLU",
      tanh: "Tanh", sigmoid: "Sigmoid"
    }[stage.kind] || stage.kind;
  }

  // -- the player ---------------------------------------------------------------------------------

  /* The page's number format, exposed so that tests can compare it with Python's. */
  var api = { format: fmt };

  window.gradstepTrainingPlayer = function (id, documentKeys) {
    var root = document.getElementById(id);
    if (!root || root.getAttribute("data-gt-ready") === "1") {
      return;
    }
    root.setAttribute("data-gt-ready", "1");
    // The line for notebooks that run no script (an untrusted one): this one runs.
    var fallback = root.querySelector(".gt-fallback");
    if (fallback && fallback.parentNode) {
      fallback.parentNode.removeChild(fallback);
    }
    var block = root.querySelector("script.gt-data");
    var data = JSON.parse(block.textContent);
    var T = data.timeline;
    var N = T.epochs.length;
    var runs = data.runs.map(decodeRun);
    var multi = runs.length > 1;
    var current = -1;
    var timer = null;
    var selection = null;
    var probe = null;
    var views = [];

    var first = runs[0];
    if (first.points && first.points.X.length >= 2) {
      probe = [first.points.X[0], first.points.X[1]];
    }

    // ---- the bar: controls, counter, notes
    var bar = el("div", "gt-bar");
    function button(cls, label, title) {
      var b = el("button", cls, label);
      b.type = "button";
      b.title = title;
      bar.appendChild(b);
      return b;
    }
    var firstButton = button("gt-first", "\u00AB first", "first frame (Home)");
    var prevButton = button("gt-prev", "\u25C0 epoch", "one frame back (\u2190)");
    var playButton = button("gt-play", "\u25B6 play", "play / pause (space)");
    playButton.setAttribute("aria-pressed", "false");
    var nextButton = button("gt-next", "epoch \u25B6", "one frame forward (\u2192)");
    var lastButton = button("gt-last", "last \u00BB", "last frame (End)");
    var slider = el("input", "gt-slider");
    slider.type = "range";
    slider.min = "0";
    slider.max = String(N - 1);
    slider.step = "1";
    slider.value = "0";
    slider.setAttribute("aria-label", "frame");
    bar.appendChild(slider);
    var counter = el("span", "gt-counter");
    counter.setAttribute("aria-live", "polite");
    bar.appendChild(counter);
    var notes = el("div", "gt-notes");
    if (T.total > N) {
      notes.appendChild(el("span", "gt-note gt-subsampled",
        "Showing " + N + " of " + T.total + " recorded frames, evenly spaced " +
        "(the page keeps at most " + N + ")."));
    }
    if (T.stride > 1) {
      var unit = T.recordEvery === null ? "epochs" : "steps";
      var every = T.recordEvery === null ? T.stride : T.stride * T.recordEvery;
      notes.appendChild(el("span", "gt-note gt-stride",
        "Recorded every " + every + " " + unit + " (a long run: the recording keeps " +
        "evenly spaced frames)."));
    }
    var title = root.querySelector(".gt-title");
    root.insertBefore(bar, title.nextSibling);
    root.insertBefore(notes, bar.nextSibling);

    var main = el("div", "gt-main");
    var runsBox = el("div", "gt-runs");
    var panel = el("div", "gt-panel");
    main.appendChild(runsBox);
    main.appendChild(panel);
    root.appendChild(main);

    var curves = [];
    var info = el("div", "gt-info");
    info.setAttribute("aria-live", "polite");

    // ---- building the views of one run

    function buildRun(run) {
      var view = { run: run, k: -1 };
      var card = el("section", "gt-run");
      card.setAttribute("data-run", String(run.index));
      var head = el("div", "gt-run-head");
      var swatch = el("span", "gt-swatch");
      swatch.style.background = run.colour;
      if (multi) {
        head.appendChild(swatch);
      }
      head.appendChild(el("span", "gt-run-name", run.raw.name));
      head.appendChild(el("span", "gt-run-model", describeModel(run)));
      view.badge = el("span", "gt-badge", "");
      view.badge.hidden = true;
      head.appendChild(view.badge);
      card.appendChild(head);

      view.stats = {};
      var stats = el("div", "gt-stats");
      [["epoch", "epoch"], ["loss", "loss"], ["accuracy", "accuracy"],
        ["val_loss", "val loss"], ["val_accuracy", "val accuracy"]].forEach(function (f) {
        if (!measured(run, f[0])) {
          return;
        }
        var s = el("span", "gt-stat");
        s.setAttribute("data-field", f[0]);
        s.appendChild(el("span", "gt-k", f[1]));
        var v = el("b", "gt-v", "");
        s.appendChild(v);
        stats.appendChild(s);
        view.stats[f[0]] = v;
      });
      card.appendChild(stats);
      view.divergedNote = el("p", "gt-diverged-note", "");
      view.divergedNote.hidden = true;
      card.appendChild(view.divergedNote);

      var body = el("div", "gt-run-body");
      var netBox = el("div", "gt-net");
      var side = el("div", "gt-side");
      body.appendChild(netBox);
      body.appendChild(side);
      card.appendChild(body);
      runsBox.appendChild(card);
      var boundaryBox = el("div", "gt-boundary");
      if (run.outputCodes && run.points) {
        buildBoundary(view, boundaryBox);
      } else {
        boundaryBox.appendChild(el("p", "gt-missing gt-grid-missing",
          "No heatmaps or decision boundary: " +
          (run.raw.gridMissing || "no grid was recorded") + "."));
      }
      side.appendChild(boundaryBox);
      side.appendChild(buildGradBars(view));
      view.side = side;
      if (!run.net) {
        netBox.appendChild(el("p", "gt-missing gt-net-missing",
          "No network view: " + (run.raw.networkMissing || "the model cannot be drawn") + "."));
      }
      view.netBox = netBox;
      view.card = card;
      return view;
    }

    /* Whether a stat has a number in some frame (no accuracy for mse; no validation data). */
    function measured(run, field) {
      var column = { loss: 0, accuracy: 1, val_loss: 2, val_accuracy: 3 }[field];
      if (column === undefined) {
        return true;
      }
      for (var k = 0; k < run.raw.frames; k++) {
        if (!isNaN(scalar(run, k, column))) {
          return true;
        }
      }
      return false;
    }

    function describeModel(run) {
      if (!run.net) {
        return run.raw.model;
      }
      var sizes = [run.net.inputs].concat(run.net.layers.map(function (l) { return l.units; }));
      var kinds = {};
      run.net.layers.forEach(function (l) {
        l.stages.forEach(function (s) { kinds[stageName(s)] = true; });
      });
      return run.raw.model + " " + sizes.join("-") +
        (Object.keys(kinds).length ? " \u00B7 " + Object.keys(kinds).join(", ") : "");
    }

    // ---- the network

    function buildNetwork(view, box) {
      var run = view.run;
      var layers = run.net.layers;
      var columns = [run.net.inputs].concat(layers.map(function (l) { return l.units; }));
      var most = Math.max.apply(null, columns);
      // drawn at the size it is shown (so its text stays readable), within limits
      var W = Math.max(340, Math.min(900, Math.round(box.clientWidth || 640)));
      var H = Math.max(240, Math.min(560, most * 34 + 70));
      var size = Math.max(8, Math.min(44, ((H - 70) / most) * 0.86));
      var top = 52;
      var left = 36 + size / 2;
      var right = W - 36 - size / 2;
      var svg = svgEl("svg", {
        viewBox: "0 0 " + W + " " + H, class: "gt-net-svg", role: "group",
        "aria-label": "the network: neurons with heatmaps, links coloured by weight"
      });
      var xs = columns.map(function (_, c) {
        return left + (c * (right - left)) / (columns.length - 1);
      });
      function ys(n) {
        var gap = Math.min((H - top - 14) / n, size * 1.7);
        var start = top + (H - top - 14 - gap * n) / 2 + gap / 2;
        var out = [];
        for (var i = 0; i < n; i++) {
          out.push(start + i * gap);
        }
        return out;
      }
      var pos = columns.map(ys);
      // column headings
      columns.forEach(function (n, c) {
        var heading = c === 0 ? "inputs" : c === columns.length - 1 ? "output" : "layer " + c;
        svg.appendChild(svgEl("text", { x: xs[c], y: 16, class: "gt-col-title" }, heading));
        var sub = c === 0 ? n + (n === 1 ? " feature" : " features") : describeLayer(layers[c - 1]);
        svg.appendChild(svgEl("text", { x: xs[c], y: 32, class: "gt-col-sub" }, sub));
      });
      // links first, so neurons sit on top of them
      var linkGroup = svgEl("g", { class: "gt-links" });
      var hitGroup = svgEl("g", { class: "gt-hits" });
      view.links = [];
      layers.forEach(function (layer, l) {
        var nin = columns[l];
        var maxAbs = 0;
        var key = prefix(layer.linear) + "weight";
        for (var k = 0; k < run.raw.frames; k++) {
          for (var q = 0; q < layer.units * nin; q++) {
            var w = Math.abs(param(run, k, key, q));
            if (w > maxAbs && isFinite(w)) {
              maxAbs = w;
            }
          }
        }
        for (var i = 0; i < layer.units; i++) {
          for (var j = 0; j < nin; j++) {
            var ends = {
              x1: xs[l] + size / 2, y1: pos[l][j], x2: xs[l + 1] - size / 2, y2: pos[l + 1][i]
            };
            var line = svgEl("line", ends);
            line.setAttribute("class", "gt-link");
            linkGroup.appendChild(line);
            // a wider, invisible twin on top takes the pointer: thin links are easy to hover
            var hit = svgEl("line", ends);
            hit.setAttribute("class", "gt-hit");
            hit.setAttribute("tabindex", "-1");
            hit.setAttribute("data-kind", "link");
            hit.setAttribute("data-layer", String(l));
            hit.setAttribute("data-to", String(i));
            hit.setAttribute("data-from", String(j));
            hit.setAttribute("aria-label", prefix(layer.linear) + "weight[" + i + "," + j + "]");
            hitGroup.appendChild(hit);
            hit.gtLine = line;
            view.links.push({ node: line, layer: l, i: i, j: j, key: key, nin: nin, max: maxAbs });
          }
        }
      });
      svg.appendChild(linkGroup);
      svg.appendChild(hitGroup);
      view.neurons = [];
      columns.forEach(function (n, c) {
        for (var u = 0; u < n; u++) {
          var g = svgEl("g", {
            class: "gt-neuron" + (c === 0 ? " gt-input" : ""), tabindex: "0",
            "data-kind": c === 0 ? "input" : "neuron", "data-layer": c - 1, "data-unit": u,
            role: "button",
            "aria-label": c === 0 ? "input x[" + u + "]" : (c === columns.length - 1 ?
              "output neuron " + u : "layer " + c + ", neuron " + u)
          });
          var x = xs[c] - size / 2;
          var y = pos[c][u] - size / 2;
          var image = null;
          if (run.neuronCodes || (c === 0 && run.raw.grid)) {
            image = svgEl("image", {
              x: x, y: y, width: size, height: size, preserveAspectRatio: "none"
            });
            g.appendChild(image);
          }
          g.appendChild(svgEl("rect", {
            x: x, y: y, width: size, height: size, rx: 3, class: "gt-nbox" + (image ? "" : " gt-plain")
          }));
          if (c === 0 && !image && size >= 14) {
            g.appendChild(svgEl("text", { x: xs[c], y: pos[c][u] + 4, class: "gt-in-label" }, "x" + u));
          }
          svg.appendChild(g);
          view.neurons.push({ node: g, image: image, layer: c - 1, unit: u });
        }
      });
      svg.addEventListener("mouseover", onPoint);
      svg.addEventListener("focusin", onPoint);
      svg.addEventListener("click", onPoint);
      function onPoint(event) {
        var target = event.target.closest ? event.target.closest("[data-kind]") : null;
        if (!target || !svg.contains(target)) {
          return;
        }
        if (event.type === "click" && target.getAttribute("tabindex") === "-1") {
          target.focus();
        }
        select({
          run: run.index,
          kind: target.getAttribute("data-kind"),
          layer: Number(target.getAttribute("data-layer")),
          unit: Number(target.getAttribute("data-unit")),
          to: Number(target.getAttribute("data-to")),
          from: Number(target.getAttribute("data-from")),
          node: target
        });
      }
      box.appendChild(svg);
      view.svg = svg;
      view.size = size;
      if (run.raw.grid) {
        // the inputs' heatmaps are the coordinates themselves: drawn once
        var grid = run.raw.grid;
        for (var d = 0; d < 2 && d < view.neurons.length; d++) {
          var values = [];
          for (var r = 0; r < grid.size; r++) {
            for (var q2 = 0; q2 < grid.size; q2++) {
              values.push(d === 0 ? grid.x[q2] : grid.y[r]);
            }
          }
          var big = Math.max(Math.abs(grid.bounds[2 * d]), Math.abs(grid.bounds[2 * d + 1])) || 1;
          view.neurons[d].image.setAttribute("href", heatmapURL(grid.size, function (idx) {
            return diverging(values[idx] / big, 0.85);
          }));
        }
      }
    }

    function describeLayer(layer) {
      var kinds = layer.stages.map(function (s) {
        return s.kind === "batchnorm" ? "BN" : stageName(s);
      });
      return layer.units + (kinds.length ? " \u00B7 " + kinds.join(" \u2192 ") : " \u00B7 linear");
    }

    var scratch = document.createElement("canvas");
    function heatmapURL(n, colourAt) {
      paint(n, colourAt);
      return scratch.toDataURL();
    }

    /* The n x n grid of colours into the scratch canvas, one pixel per grid point. */
    function paint(n, colourAt) {
      scratch.width = n;
      scratch.height = n;
      var ctx = scratch.getContext("2d");
      var img = ctx.createImageData(n, n);
      for (var i = 0; i < n; i++) {
        for (var j = 0; j < n; j++) {
          // grid row i is y[i], ascending; image row 0 is the top
          var c = colourAt(i * n + j);
          var o = 4 * ((n - 1 - i) * n + j);
          img.data[o] = c[0];
          img.data[o + 1] = c[1];
          img.data[o + 2] = c[2];
          img.data[o + 3] = 255;
        }
      }
      ctx.putImageData(img, 0, 0);
    }

    function neuronGrid(run, k, l, u) {
      var n = run.raw.grid.size;
      var cells = n * n;
      var g = k * run.units + run.unitOffset[l] + u;
      var lo = run.neuronRanges[2 * g];
      var hi = run.neuronRanges[2 * g + 1];
      var codes = run.neuronCodes.subarray(g * cells, (g + 1) * cells);
      return { n: n, lo: lo, hi: hi, codes: codes, top: 255 };
    }

    function outputGrid(run, k, o) {
      var n = run.raw.grid.size;
      var cells = n * n;
      var g = k * run.outputs + o;
      return {
        n: n, lo: run.outputRanges[2 * g], hi: run.outputRanges[2 * g + 1],
        codes: run.outputCodes.subarray(g * cells, (g + 1) * cells), top: 65535
      };
    }

    function decoded(grid, idx) {
      return grid.lo + (grid.codes[idx] / grid.top) * (grid.hi - grid.lo);
    }

    function updateNetwork(view, k) {
      var run = view.run;
      view.links.forEach(function (link) {
        var w = param(run, k, link.key, link.i * link.nin + link.j);
        var t = link.max > 0 ? Math.abs(w) / link.max : 0;
        if (!isFinite(t)) {
          t = 1;
        }
        link.node.setAttribute("stroke", css(w < 0 ? NEG : POS));
        link.node.setAttribute("stroke-width", (0.4 + 4.2 * t).toFixed(2));
        link.node.setAttribute("stroke-opacity", (0.18 + 0.8 * t).toFixed(2));
      });
      if (!run.neuronCodes) {
        return;
      }
      var threshold = run.raw.task.threshold;
      var lastLayer = run.net.layers.length - 1;
      view.neurons.forEach(function (neuron) {
        if (neuron.layer < 0 || !neuron.image) {
          return;
        }
        var grid = neuronGrid(run, k, neuron.layer, neuron.unit);
        // Hidden neurons: blue at the neuron's lowest value over the plane, orange at its
        // highest, so every neuron shows its pattern (a sigmoid's outputs are all > 0).
        // The output: centred on the decision threshold, so its colour is the class.
        var output = neuron.layer === lastLayer && threshold !== null;
        var centre = output ? threshold : (grid.lo + grid.hi) / 2;
        var scale = output ? Math.max(Math.abs(grid.lo - centre), Math.abs(grid.hi - centre)) || 1
          : (grid.hi - grid.lo) / 2 || 1;
        var table = [];
        for (var c = 0; c <= 255; c++) {
          var v = grid.lo + (c / 255) * (grid.hi - grid.lo);
          table.push(diverging((v - centre) / scale, 0.9));
        }
        neuron.image.setAttribute("href", heatmapURL(grid.n, function (idx) {
          return table[grid.codes[idx]];
        }));
      });
    }

    // ---- the decision boundary

    function buildBoundary(view, box) {
      var canvas = el("canvas", "gt-boundary-canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label",
        "decision boundary with the training and test points; click to choose the probe point");
      canvas.title = "click to choose the input point the formulas use";
      box.appendChild(canvas);
      view.canvas = canvas;
      canvas.addEventListener("click", function (event) {
        var rect = canvas.getBoundingClientRect();
        var b = view.run.raw.grid.bounds;
        var fx = (event.clientX - rect.left) / rect.width;
        var fy = (event.clientY - rect.top) / rect.height;
        probe = [b[0] + fx * (b[1] - b[0]), b[3] - fy * (b[3] - b[2])];
        views.forEach(function (v) { if (v.canvas) { drawBoundary(v, v.k); } });
        refreshInfo();
      });
    }

    function classOf(run, target) {
      var task = run.raw.task;
      if (task.decision === "argmax") {
        return Math.round(target);
      }
      if (task.decision === "threshold") {
        return target > task.threshold ? 1 : 0;
      }
      return null;
    }

    function drawBoundary(view, k) {
      var run = view.run;
      var canvas = view.canvas;
      var px = Math.max(160, Math.round(canvas.clientWidth || 260));
      var ratio = window.devicePixelRatio || 1;
      canvas.width = Math.round(px * ratio);
      canvas.height = Math.round(px * ratio);
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      var grid = run.raw.grid;
      var n = grid.size;
      var task = run.raw.task;
      var grids = [];
      for (var o = 0; o < run.outputs; o++) {
        grids.push(outputGrid(run, k, o));
      }
      var values = new Float64Array(n * n);
      if (task.decision === "argmax" && grids.length > 1) {
        paint(n, function (idx) {
          var best = 0;
          for (var c = 1; c < grids.length; c++) {
            if (decoded(grids[c], idx) > decoded(grids[best], idx)) {
              best = c;
            }
          }
          return mix(CLASS_COLOURS[best % CLASS_COLOURS.length], 0.45);
        });
      } else {
        var centre = task.decision === "threshold" ? task.threshold : 0;
        var g0 = grids[0];
        var scale = Math.max(Math.abs(g0.lo - centre), Math.abs(g0.hi - centre)) || 1;
        for (var idx = 0; idx < n * n; idx++) {
          values[idx] = decoded(g0, idx);
        }
        paint(n, function (i) {
          return diverging((values[i] - centre) / scale, 0.6);
        });
      }
      ctx.clearRect(0, 0, px, px);
      ctx.imageSmoothingEnabled = true;
      // the grid points are cell centres: pixel (j, i) covers exactly its cell
      ctx.drawImage(scratch, 0, 0, px, px);
      var b = grid.bounds;
      function sx(x) { return ((x - b[0]) / (b[1] - b[0])) * px; }
      function sy(y) { return ((b[3] - y) / (b[3] - b[2])) * px; }
      if (task.decision === "threshold") {
        contour(ctx, values, n, task.threshold, sx, sy, grid);
      }
      var pts = run.points;
      drawPoints(ctx, pts.X, pts.y, false, sx, sy, run);
      drawPoints(ctx, pts.Xval, pts.yval, true, sx, sy, run);
      if (probe) {
        var cx = sx(probe[0]);
        var cy = sy(probe[1]);
        [["#ffffff", 5], ["#111827", 2]].forEach(function (pen) {
          ctx.strokeStyle = pen[0];
          ctx.lineWidth = pen[1];
          ctx.beginPath();
          ctx.moveTo(cx - 9, cy);
          ctx.lineTo(cx + 9, cy);
          ctx.moveTo(cx, cy - 9);
          ctx.lineTo(cx, cy + 9);
          ctx.stroke();
        });
      }
      ctx.strokeStyle = "#94a3b8";
      ctx.lineWidth = 1;
      ctx.strokeRect(0.5, 0.5, px - 1, px - 1);
    }

    function drawPoints(ctx, X, y, test, sx, sy, run) {
      for (var i = 0; i < y.length; i++) {
        var x0 = sx(X[2 * i]);
        var y0 = sy(X[2 * i + 1]);
        var cls = classOf(run, y[i]);
        var rgb = cls === null ? diverging(Math.tanh(y[i]), 1) : CLASS_COLOURS[cls % CLASS_COLOURS.length];
        ctx.fillStyle = css(rgb);
        ctx.strokeStyle = "#111827";
        ctx.lineWidth = 1;
        ctx.beginPath();
        if (test) {
          ctx.moveTo(x0, y0 - 4.6);
          ctx.lineTo(x0 + 4.6, y0);
          ctx.lineTo(x0, y0 + 4.6);
          ctx.lineTo(x0 - 4.6, y0);
          ctx.closePath();
        } else {
          ctx.arc(x0, y0, 3.4, 0, 2 * Math.PI);
        }
        ctx.fill();
        ctx.stroke();
      }
    }

    /* Marching squares over the cell centres: where the output crosses the threshold. */
    function contour(ctx, values, n, level, sx, sy, grid) {
      ctx.strokeStyle = "#111827";
      ctx.lineWidth = 2;
      ctx.beginPath();
      function at(i, j) { return values[i * n + j] - level; }
      function cross(i1, j1, i2, j2) {
        var a = at(i1, j1);
        var b = at(i2, j2);
        var t = a === b ? 0.5 : a / (a - b);
        var x = grid.x[j1] + t * (grid.x[j2] - grid.x[j1]);
        var y = grid.y[i1] + t * (grid.y[i2] - grid.y[i1]);
        return [sx(x), sy(y)];
      }
      for (var i = 0; i < n - 1; i++) {
        for (var j = 0; j < n - 1; j++) {
          var corners = [[i, j], [i, j + 1], [i + 1, j + 1], [i + 1, j]];
          var points = [];
          for (var e = 0; e < 4; e++) {
            var c1 = corners[e];
            var c2 = corners[(e + 1) % 4];
            if ((at(c1[0], c1[1]) > 0) !== (at(c2[0], c2[1]) > 0)) {
              points.push(cross(c1[0], c1[1], c2[0], c2[1]));
            }
          }
          for (var p = 0; p + 1 < points.length; p += 2) {
            ctx.moveTo(points[p][0], points[p][1]);
            ctx.lineTo(points[p + 1][0], points[p + 1][1]);
          }
        }
      }
      ctx.stroke();
    }

    // ---- gradient bars

    var gradRange = (function () {
      var lo = Infinity;
      var hi = -Infinity;
      runs.forEach(function (run) {
        for (var q = 0; q < run.gradBars.length; q++) {
          var v = run.gradBars[q];
          if (v > 0 && isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
      });
      if (!(hi >= lo)) {
        return [-6, 0];
      }
      var a = Math.floor(Math.log10(lo));
      var b = Math.ceil(Math.log10(hi));
      return [a, b > a ? b : a + 1];
    })();

    function buildGradBars(view) {
      var run = view.run;
      var box = el("div", "gt-grads");
      box.appendChild(el("div", "gt-grads-title", "mean |grad| per layer (log scale)"));
      view.bars = [];
      run.raw.layers.forEach(function (name) {
        var row = el("div", "gt-grad-row");
        var label = el("span", "gt-grad-name", name);
        label.title = name;
        var track = el("span", "gt-grad-track");
        var fill = el("span", "gt-grad-fill");
        track.appendChild(fill);
        var value = el("span", "gt-grad-value", "");
        row.appendChild(label);
        row.appendChild(track);
        row.appendChild(value);
        box.appendChild(row);
        view.bars.push({ fill: fill, value: value });
      });
      var axis = el("div", "gt-grad-axis");
      axis.appendChild(el("span", "gt-grad-name", ""));
      var ticks = el("span", "gt-grad-ticks");
      var span = gradRange[1] - gradRange[0];
      var every = Math.max(1, Math.ceil(span / 2));
      for (var d = gradRange[0]; d <= gradRange[1]; d += every) {
        var t = el("span", "gt-tick", d === 0 ? "1" : "1e" + d);
        t.style.left = ((d - gradRange[0]) / span) * 100 + "%";
        ticks.appendChild(t);
      }
      axis.appendChild(ticks);
      axis.appendChild(el("span", "gt-grad-value", ""));
      box.appendChild(axis);
      view.gradNote = el("p", "gt-grad-note", "Frame 0 is the initial model: no gradient yet.");
      box.appendChild(view.gradNote);
      return box;
    }

    function updateBars(view, k) {
      var run = view.run;
      var span = gradRange[1] - gradRange[0];
      var none = true;
      view.bars.forEach(function (bar, i) {
        var v = run.gradBars[k * run.raw.layers.length + i];
        if (v !== v) {
          bar.fill.style.width = "0";
          bar.value.textContent = "\u2013";
          return;
        }
        none = false;
        var t = v > 0 ? (Math.log10(v) - gradRange[0]) / span : 0;
        bar.fill.style.width = (Math.max(0, Math.min(1, t)) * 100).toFixed(2) + "%";
        bar.value.textContent = fmt(v);
      });
      view.gradNote.hidden = !none;
    }

    // ---- curves

    function buildCurve(name, label, columns, unitRange) {
      var box = el("div", "gt-curve");
      box.setAttribute("data-curve", name);
      box.appendChild(el("div", "gt-curve-title", label + " (solid: training, dashed: validation)"));
      var W = 360;
      var H = 150;
      var L = 46;
      var R = 350;
      var TOP = 8;
      var BOTTOM = 126;
      var svg = svgEl("svg", { viewBox: "0 0 " + W + " " + H, class: "gt-curve-svg", role: "img",
        "aria-label": label + " per epoch" });
      var hi = -Infinity;
      var any = false;
      runs.forEach(function (run) {
        for (var k = 0; k < run.raw.frames; k++) {
          columns.forEach(function (c) {
            var v = scalar(run, k, c);
            if (isFinite(v)) {
              any = true;
              hi = Math.max(hi, v);
            }
          });
        }
      });
      var ylo = 0;
      var yhi = unitRange ? 1 : (hi > 0 ? hi * 1.05 : 1);
      var xhi = Math.max(T.plannedEpochs, T.epochs[N - 1]) || 1;
      function sx(e) { return L + (e / xhi) * (R - L); }
      function sy(v) { return BOTTOM - ((v - ylo) / (yhi - ylo)) * (BOTTOM - TOP); }
      niceTicks(ylo, yhi, 4).forEach(function (t) {
        svg.appendChild(svgEl("line", { x1: L, x2: R, y1: sy(t), y2: sy(t), class: "gt-gridline" }));
        svg.appendChild(svgEl("text", { x: L - 5, y: sy(t) + 4, class: "gt-ytick" }, fmt(t)));
      });
      niceTicks(0, xhi, 5).forEach(function (t) {
        svg.appendChild(svgEl("text", { x: sx(t), y: BOTTOM + 14, class: "gt-xtick" }, fmt(t)));
      });
      svg.appendChild(svgEl("text", { x: (L + R) / 2, y: H - 2, class: "gt-xlabel" }, "epoch"));
      svg.appendChild(svgEl("rect", { x: L, y: TOP, width: R - L, height: BOTTOM - TOP, class: "gt-plotframe" }));
      var dots = [];
      runs.forEach(function (run) {
        columns.forEach(function (c, which) {
          var d = "";
          var pen = false;
          for (var k = 0; k < run.raw.frames; k++) {
            var v = scalar(run, k, c);
            if (!isFinite(v)) {
              pen = false;
              continue;
            }
            v = Math.min(v, yhi);
            d += (pen ? "L" : "M") + sx(run.raw.epochs[k]).toFixed(2) + " " + sy(v).toFixed(2);
            pen = true;
          }
          if (d) {
            svg.appendChild(svgEl("path", {
              d: d, class: "gt-series", stroke: run.colour,
              "stroke-dasharray": which === 1 ? "5 4" : "none"
            }));
          }
          var dot = svgEl("circle", { r: 3.2, class: "gt-dot", fill: run.colour });
          dot.style.display = "none";
          svg.appendChild(dot);
          dots.push({ run: run, column: c, node: dot });
        });
        if (run.raw.diverged) {
          var last = run.raw.frames - 1;
          var lv = scalar(run, last, columns[0]);
          var ex = sx(run.raw.diverged.step / T.stepsPerEpoch);
          var ey = isFinite(lv) ? sy(Math.min(lv, yhi)) : TOP + 10;
          var mark = svgEl("text", { x: ex, y: ey + 5, class: "gt-diverged-mark", fill: DIVERGED }, "\u2715");
          mark.appendChild(svgEl("title", {}, run.raw.name + ": diverged at epoch " +
            run.raw.diverged.epoch + ", step " + run.raw.diverged.step));
          svg.appendChild(mark);
        }
      });
      var cursor = svgEl("line", { x1: L, x2: L, y1: TOP, y2: BOTTOM, class: "gt-cursor" });
      svg.appendChild(cursor);
      if (!any) {
        svg.appendChild(svgEl("text", { x: (L + R) / 2, y: (TOP + BOTTOM) / 2, class: "gt-empty" },
          "not measured for this loss"));
      }
      box.appendChild(svg);
      panel.appendChild(box);
      return {
        update: function (p) {
          var x = sx(T.epochs[p]);
          cursor.setAttribute("x1", x);
          cursor.setAttribute("x2", x);
          dots.forEach(function (dot) {
            var k = dot.run.frameAt[p];
            var v = scalar(dot.run, k, dot.column);
            if (!isFinite(v)) {
              dot.node.style.display = "none";
              return;
            }
            dot.node.style.display = "";
            dot.node.setAttribute("cx", sx(dot.run.raw.epochs[k]));
            dot.node.setAttribute("cy", sy(Math.min(v, yhi)));
          });
        }
      };
    }

    // ---- legend

    function buildLegend() {
      var box = el("div", "gt-legend");
      box.appendChild(el("div", "gt-legend-title", "legend"));
      function item(swatch, text) {
        var row = el("div", "gt-legend-item");
        row.appendChild(swatch);
        row.appendChild(el("span", "", text));
        box.appendChild(row);
      }
      var ramp = el("span", "gt-ramp");
      item(ramp, "neuron heatmaps: from the neuron's lowest output over the plane (blue) to " +
        "its highest (orange); the output's: below / above the decision threshold");
      var pos = el("span", "gt-line gt-line-pos");
      var neg = el("span", "gt-line gt-line-neg");
      var pair = el("span", "gt-pair");
      pair.appendChild(pos);
      pair.appendChild(neg);
      item(pair, "links: weight > 0 orange, < 0 blue; thicker: larger |weight|");
      var task = runs[0].raw.task;
      var points = {
        threshold: "class 0 blue, class 1 orange; black line: the decision boundary",
        argmax: "classes 0, 1, 2, \u2026 blue, orange, green, \u2026; the regions: the " +
          "class predicted there (the largest output)"
      }[task.decision] || "coloured by their target (no decision rule for this loss)";
      item(el("span", "gt-sym", "\u25CF \u25C6"), "training \u25CF and test \u25C6 points: " +
        points);
      item(el("span", "gt-sym", "+"), "probe point of the formulas (click the plot to move it)");
      if (multi) {
        runs.forEach(function (run) {
          var s = el("span", "gt-swatch");
          s.style.background = run.colour;
          item(s, run.raw.name);
        });
      }
      return box;
    }

    // ---- the details panel

    function select(sel) {
      if (selection && selection.node) {
        (selection.node.gtLine || selection.node).classList.remove("gt-selected");
      }
      selection = sel;
      if (sel && sel.node) {
        (sel.node.gtLine || sel.node).classList.add("gt-selected");
      }
      refreshInfo();
    }

    function line(parent, label, value, cls) {
      var row = el("div", "gt-row" + (cls ? " " + cls : ""));
      row.appendChild(el("span", "gt-k", label));
      row.appendChild(el("code", "gt-num", value));
      parent.appendChild(row);
      return row;
    }

    function formula(parent, text) {
      parent.appendChild(el("code", "gt-formula", text));
    }

    function refreshInfo() {
      info.textContent = "";
      if (!selection) {
        info.appendChild(el("div", "gt-info-title", "details"));
        info.appendChild(el("p", "gt-hint",
          "Hover over (or focus) a neuron or a link to see its weight, its gradient and its " +
          "formula with this frame's numbers. Click a decision-boundary plot to choose the " +
          "input point the formulas are evaluated at."));
        return;
      }
      var view = views[selection.run];
      var run = view.run;
      var k = run.frameAt[current];
      var heading = multi ? run.raw.name + ": " : "";
      var acts = probe && run.net && run.net.inputs === 2 ? forwardAt(run, k, probe) : null;
      var firstFrame = run.raw.steps[k] === 0;
      var gradLabel = firstFrame ? "no step yet" : null;
      if (selection.kind === "input") {
        info.appendChild(el("div", "gt-info-title", heading + "input x[" + selection.unit + "]"));
        info.appendChild(el("p", "gt-note", "The input feature itself: its heatmap is x[" +
          selection.unit + "] across the plane."));
        if (probe && selection.unit < 2) {
          line(info, "at the probe point", "x[" + selection.unit + "] = " + fmt(probe[selection.unit]));
        }
        return;
      }
      var layers = run.net.layers;
      var l = selection.layer;
      var layer = layers[l];
      var key = prefix(layer.linear);
      var isOutput = l === layers.length - 1;
      var where = isOutput ? "the output layer" : "layer " + (l + 1);
      var nin = l === 0 ? run.net.inputs : layers[l - 1].units;
      function inputName(j) {
        return l === 0 ? "x[" + j + "]" : "a[" + j + "]";
      }
      if (selection.kind === "link") {
        var i = selection.to;
        var j = selection.from;
        var w = param(run, k, key + "weight", i * nin + j);
        var g = grad(run, k, key + "weight", i * nin + j);
        info.appendChild(el("div", "gt-info-title", heading + key + "weight[" + i + "," + j + "]"));
        info.appendChild(el("p", "gt-note", "The weight from " +
          (l === 0 ? "input x[" + j + "]" : "neuron " + j + " of layer " + l) + " to neuron " +
          i + " of " + where + " (neurons count from 0, like the weight's indices)."));
        line(info, "weight w", fmt(w), "gt-weight");
        line(info, "gradient \u2202L/\u2202w", gradLabel || fmt(g), "gt-grad");
        if (!firstFrame) {
          info.appendChild(el("p", "gt-note", "\u2202L/\u2202w is the gradient of the last " +
            "optimizer step before this frame (of that step's batch loss)."));
        }
        if (acts) {
          var a = acts[l].input[j];
          info.appendChild(el("p", "gt-sub", "At the probe point, its term in neuron " + i + "'s sum:"));
          formula(info, "w \u00D7 " + inputName(j) + " = " + fmt(w) + " \u00D7 " + paren(a) +
            " = " + fmt(w * a));
          formula(info, "z[" + i + "] = \u03A3 w\u00B7" + (l === 0 ? "x" : "a") + " + b = " +
            fmt(acts[l].z[i]));
        }
        return;
      }
      // a neuron
      var u = selection.unit;
      info.appendChild(el("div", "gt-info-title", heading + (isOutput ? "output" : where) +
        ", neuron " + u));
      var chain = [layer.linear + " Linear"].concat(layer.stages.map(function (s) {
        return s.module + " " + stageName(s);
      }));
      info.appendChild(el("p", "gt-note", "modules: " + chain.join(" \u2192 ")));
      if (layer.bias) {
        line(info, "bias b", fmt(param(run, k, key + "bias", u)), "gt-weight");
        line(info, "gradient \u2202L/\u2202b", gradLabel || fmt(grad(run, k, key + "bias", u)), "gt-grad");
      }
      layer.stages.forEach(function (stage) {
        if (stage.kind !== "batchnorm") {
          return;
        }
        var m = prefix(stage.module);
        if (stage.affine) {
          line(info, "\u03B3 (" + m + "weight)", fmt(param(run, k, m + "weight", u)));
          line(info, "\u2202L/\u2202\u03B3", gradLabel || fmt(grad(run, k, m + "weight", u)));
          line(info, "\u03B2 (" + m + "bias)", fmt(param(run, k, m + "bias", u)));
          line(info, "\u2202L/\u2202\u03B2", gradLabel || fmt(grad(run, k, m + "bias", u)));
        }
        if (stage.running_stats) {
          line(info, "running mean \u03BC", fmt(param(run, k, m + "running_mean", u)));
          line(info, "running variance \u03C3\u00B2", fmt(param(run, k, m + "running_var", u)));
        }
        line(info, "batch mean (training set)", fmt(bnStat(run, k, stage.module, 0, u)));
        line(info, "batch variance (training set)", fmt(bnStat(run, k, stage.module, 1, u)));
      });
      var sym = l === 0 ? "x" : "a";
      if (!acts) {
        formula(info, "z = \u03A3\u2C7C w\u2C7C\u00B7" + sym + "\u2C7C + b");
        return;
      }
      info.appendChild(el("p", "gt-sub", "At the probe point (" + fmt(probe[0]) + ", " +
        fmt(probe[1]) + "), model in eval mode:"));
      var act = acts[l];
      var terms = [];
      for (var q = 0; q < nin; q++) {
        terms.push(paren(param(run, k, key + "weight", u * nin + q)) + "\u00D7" + paren(act.input[q]));
      }
      var shown = terms.length <= 6 ? terms : terms.slice(0, 4).concat(["\u2026 (" + (terms.length - 4) +
        " more terms)"]);
      if (layer.bias) {
        shown.push(paren(param(run, k, key + "bias", u)));
      }
      formula(info, "z = \u03A3 w\u00B7" + sym + (layer.bias ? " + b" : "") + " = " +
        shown.join(" + ") + " = " + fmt(act.z[u]));
      var value = act.z[u];
      var name = "z";
      layer.stages.forEach(function (stage, s) {
        var out = act.stages[s][u];
        if (stage.kind === "batchnorm") {
          var p = bnParams(run, k, stage, u);
          formula(info, "\u1E91 = \u03B3\u00B7(" + name + " \u2212 \u03BC)/\u221A(\u03C3\u00B2 + \u03B5) + \u03B2 = " +
            paren(p.gamma) + "\u00D7(" + fmt(value) + " \u2212 " + paren(p.mean) + ")/\u221A(" +
            fmt(p.variance) + " + " + fmt(stage.eps) + ") + " + paren(p.beta) + " = " + fmt(out));
          name = "\u1E91";
        } else {
          var fn = stage.kind === "leaky_relu" ? "leaky_relu" : stage.kind;
          formula(info, "a = " + fn + "(" + name + ") = " + fn + "(" + fmt(value) + ") = " + fmt(out));
          name = "a";
        }
        value = out;
      });
      if (isOutput && run.raw.task.decision === "argmax") {
        info.appendChild(el("p", "gt-sub", "Decision: the class of the largest output."));
      }
      if (isOutput && run.raw.task.decision === "threshold") {
        var t = run.raw.task.threshold;
        info.appendChild(el("p", "gt-sub", "Decision: class 1 where the output > " + fmt(t) +
          "; here " + fmt(value) + " \u2192 class " + (value > t ? 1 : 0) + "."));
      }
    }

    // ---- showing a frame

    function show(p) {
      p = Math.max(0, Math.min(N - 1, p));
      current = p;
      views.forEach(function (view) {
        var run = view.run;
        var k = run.frameAt[p];
        var changed = view.k !== k;
        view.k = k;
        var epoch = run.raw.epochs[k];
        var step = run.raw.steps[k];
        var epochLabel = epochText(epoch) + " of " + T.plannedEpochs +
          (T.recordEvery !== null ? " (step " + step + ")" : "") +
          (step === 0 ? ", initial model" : "");
        view.stats.epoch.textContent = epochLabel;
        ["loss", "accuracy", "val_loss", "val_accuracy"].forEach(function (field, column) {
          if (view.stats[field]) {
            view.stats[field].textContent = fmt(scalar(run, k, column));
          }
        });
        var d = run.raw.diverged;
        var marked = d && p >= run.raw.lastShown;
        view.badge.hidden = !marked;
        view.divergedNote.hidden = !marked;
        view.card.classList.toggle("gt-is-diverged", !!marked);
        if (marked) {
          view.badge.textContent = "diverged";
          view.divergedNote.textContent = "Diverged at epoch " + d.epoch + ", step " + d.step +
            ": " + d.reason + ". Showing its last finite frame (epoch " + epochText(epoch) + ").";
        }
        if (changed) {
          if (view.links) {
            updateNetwork(view, k);
          }
          if (view.canvas) {
            drawBoundary(view, k);
          }
          updateBars(view, k);
        }
      });
      curves.forEach(function (c) { c.update(p); });
      slider.value = String(p);
      var e = T.epochs[p];
      counter.textContent = "epoch " + epochText(e) + " / " + T.plannedEpochs +
        (T.recordEvery !== null ? " \u00B7 step " + T.steps[p] : "") +
        " \u00B7 frame " + (p + 1) + " of " + N;
      root.setAttribute("data-gt-frame", String(p));
      firstButton.disabled = prevButton.disabled = p === 0;
      nextButton.disabled = lastButton.disabled = p === N - 1;
      refreshInfo();
    }

    function pause() {
      if (timer !== null) {
        window.clearInterval(timer);
        timer = null;
      }
      playButton.textContent = "\u25B6 play";
      playButton.setAttribute("aria-pressed", "false");
    }

    function play() {
      var interval = Number(root.getAttribute("data-gt-interval")) || 350;
      if (current === N - 1) {
        show(0);
      }
      playButton.textContent = "\u275A\u275A pause";
      playButton.setAttribute("aria-pressed", "true");
      timer = window.setInterval(function () {
        if (current >= N - 1) {
          pause();
        } else {
          show(current + 1);
        }
      }, interval);
    }

    function toggle() {
      if (timer === null) {
        play();
      } else {
        pause();
      }
    }

    function go(p) {
      pause();
      show(p);
    }

    firstButton.addEventListener("click", function () { go(0); });
    prevButton.addEventListener("click", function () { go(current - 1); });
    nextButton.addEventListener("click", function () { go(current + 1); });
    lastButton.addEventListener("click", function () { go(N - 1); });
    playButton.addEventListener("click", toggle);
    slider.addEventListener("input", function () { go(Number(slider.value)); });

    function onKey(event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var target = event.target;
      if (target === slider || (target && target.tagName === "BUTTON" && event.key === " ")) {
        return;
      }
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
        return;
      }
      var handled = true;
      switch (event.key) {
        case "ArrowRight":
          go(current + 1);
          break;
        case "ArrowLeft":
          go(current - 1);
          break;
        case "Home":
          go(0);
          break;
        case "End":
          go(N - 1);
          break;
        case " ":
          toggle();
          break;
        default:
          handled = false;
      }
      if (handled) {
        event.preventDefault();
      }
    }

    // ---- build: one card per run, then the shared panel (curves, details, legend)
    runs.forEach(function (run) {
      views.push(buildRun(run));
    });
    // the networks last, once every card is in place: each drawing is sized to the room
    // the layout leaves it, so that its text stays readable
    views.forEach(function (view) {
      if (view.run.net) {
        buildNetwork(view, view.netBox);
      }
    });
    curves.push(buildCurve("loss", "loss", [0, 2], false));
    curves.push(buildCurve("accuracy", "accuracy", [1, 3], true));
    panel.appendChild(info);
    // one run: the legend fits under its gradient bars; several: in the shared panel
    (multi ? panel : views[0].side).appendChild(buildLegend());

    (documentKeys ? document : root).addEventListener("keydown", onKey);
    show(0);
  };
  window.gradstepTrainingPlayer.format = api.format;
})();
