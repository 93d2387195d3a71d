/* gradstep step-through player.
 *
 * gradstepPlayer(id, documentKeys) wires up the player element with that id: it shows
 * one step at a time and drives it from the buttons, the slider, play/pause and the
 * keyboard (arrows, Home/End, space). With documentKeys the keys work anywhere on the
 * page (a stand-alone file); otherwise only while the player has focus (a notebook,
 * where several players share a page).
 *
 * The drawing is one SVG, as step 1 shows it. The JSON block .gs-data holds, for each
 * later step, what changes from the step before: a flat list of (element, what, value)
 * triples, where element is the data-k of an SVG element and what says what changes:
 * "t" its text, "x"/"y" where the text starts, "v" its visibility (value null: the
 * attribute goes), "L" its colours and border (value: an index into styles, each a set
 * of attributes), "g" its shape (an edge drawn plain or lit: swapped with the other
 * shape of the two, in shapes). Going forward applies a step's changes and remembers
 * what they replaced; going back puts that back. Texts are set with textContent, so
 * they are never read as markup.
 */
(function () {
  "use strict";
  if (typeof window.gradstepPlayer === "function") {
    return;
  }

  var ATTRIBUTES = {t: "#text", x: "x", y: "y", v: "visibility"};

  // Set an attribute ("#text": the text) of an element; return what it was (null: none).
  function setAttribute(element, name, value) {
    var old;
    if (name === "#text") {
      old = element.textContent;
      element.textContent = value;
      return old;
    }
    old = element.getAttribute(name);
    if (value === null) {
      element.removeAttribute(name);
    } else {
      element.setAttribute(name, String(value));
    }
    return old;
  }

  window.gradstepPlayer = function (id, documentKeys) {
    var root = document.getElementById(id);
    if (!root || root.getAttribute("data-gs-ready") === "1") {
      return;
    }
    root.setAttribute("data-gs-ready", "1");
    // In a notebook the player comes hidden, after a picture of step 1 for viewers
    // that do not run this script: now that it runs, the player replaces the picture.
    var fallback = root.querySelector(".gs-fallback");
    if (fallback && fallback.parentNode) {
      fallback.parentNode.removeChild(fallback);
    }
    var live = root.querySelector(".gs-live");
    if (live) {
      live.hidden = false;
    }

    var frame = root.querySelector(".gs-frame");
    var panel = root.querySelector(".gs-graph");
    var texts = root.querySelectorAll(".gs-step");
    var data = root.querySelector(".gs-data");
    var drawing = data ? JSON.parse(data.textContent) : {steps: [], styles: [], shapes: {}};
    var changes = drawing.steps;
    var n = Math.min(changes.length + 1, texts.length);
    if (!frame || n === 0) {
      return;
    }
    var elements = [];
    frame.querySelectorAll("[data-k]").forEach(function (element) {
      elements[Number(element.getAttribute("data-k"))] = element;
    });
    var undo = [];  // undo[i]: what step i's changes replaced, as they were applied
    var controls = root.querySelector(".gs-controls");
    var slider = root.querySelector(".gs-slider");
    var counter = root.querySelector(".gs-counter");
    var first = root.querySelector(".gs-first");
    var prev = root.querySelector(".gs-prev");
    var next = root.querySelector(".gs-next");
    var last = root.querySelector(".gs-last");
    var playButton = root.querySelector(".gs-play");
    var current = 0;
    var drawn = 0;  // the step the drawing shows
    var timer = null;

    // Swap the shape an edge (or its arrowhead) is drawn with for its other one.
    function swapShape(k) {
      var element = elements[k];
      var name = element.hasAttribute("d") ? "d" : "points";
      var other = drawing.shapes[k];
      drawing.shapes[k] = element.getAttribute(name);
      element.setAttribute(name, other);
    }

    function forward(step) {  // from step - 1 to step
      var list = changes[step - 1];
      var replaced = [];  // (element, attribute, old value) triples; "g" for a swap
      for (var j = 0; j < list.length; j += 3) {
        var k = list[j];
        var element = elements[k];
        var what = list[j + 1];
        var value = list[j + 2];
        if (what === "g") {
          swapShape(k);
          replaced.push(k, "g", null);
        } else if (what === "L") {
          var style = drawing.styles[value];
          for (var name in style) {
            replaced.push(element, name, setAttribute(element, name, style[name]));
          }
        } else {
          var attribute = ATTRIBUTES[what];
          replaced.push(element, attribute, setAttribute(element, attribute, value));
        }
      }
      undo[step] = replaced;
    }

    function back(step) {  // from step to step - 1
      var replaced = undo[step];
      for (var j = replaced.length - 3; j >= 0; j -= 3) {
        if (replaced[j + 1] === "g") {
          swapShape(replaced[j]);
        } else {
          setAttribute(replaced[j], replaced[j + 1], replaced[j + 2]);
        }
      }
    }

    // In a drawing bigger than its panel, scroll the step's node into view (only the
    // panel scrolls, never the page).
    function reveal(i) {
      var element = elements[drawing.focus ? drawing.focus[i] : -1];
      if (!element || !panel) {
        return;
      }
      var box = element.getBoundingClientRect();
      var view = panel.getBoundingClientRect();
      if (box.left < view.left || box.right > view.right) {
        panel.scrollLeft += (box.left + box.right - view.left - view.right) / 2;
      }
      if (box.top < view.top || box.bottom > view.bottom) {
        panel.scrollTop += (box.top + box.bottom - view.top - view.bottom) / 2;
      }
    }

    function show(i) {
      i = Math.max(0, Math.min(n - 1, i));
      while (drawn < i) {
        drawn += 1;
        forward(drawn);
      }
      while (drawn > i) {
        back(drawn);
        drawn -= 1;
      }
      texts[current].hidden = true;
      texts[i].hidden = false;
      frame.setAttribute("data-step", String(i));
      current = i;
      reveal(i);
      slider.value = String(i);
      counter.textContent = "step " + (i + 1) + " / " + n;
      root.setAttribute("data-gs-current", String(i));
      first.disabled = prev.disabled = i === 0;
      next.disabled = last.disabled = i === n - 1;
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
      // Read on every play, so the speed can be changed between runs.
      var interval = Number(root.getAttribute("data-gs-interval")) || 1400;
      if (current === n - 1) {
        show(0);
      }
      playButton.textContent = "\u275A\u275A pause";
      playButton.setAttribute("aria-pressed", "true");
      timer = window.setInterval(function () {
        if (current >= n - 1) {
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

    function go(i) {
      pause();
      show(i);
    }

    first.addEventListener("click", function () { go(0); });
    prev.addEventListener("click", function () { go(current - 1); });
    next.addEventListener("click", function () { go(current + 1); });
    last.addEventListener("click", function () { go(n - 1); });
    playButton.addEventListener("click", toggle);
    slider.addEventListener("input", function () { go(Number(slider.value)); });

    function onKey(event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var target = event.target;
      // The slider moves itself with the arrow keys; buttons use space themselves.
      if (target === slider || (target && target.tagName === "BUTTON" && event.key === " ")) {
        return;
      }
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
        return;
      }
      var handled = true;
      switch (event.key) {
        case "ArrowRight":
        case "PageDown":
          go(current + 1);
          break;
        case "ArrowLeft":
        case "PageUp":
          go(current - 1);
          break;
        case "Home":
          go(0);
          break;
        case "End":
          go(n - 1);
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

    (documentKeys ? document : root).addEventListener("keydown", onKey);
    controls.hidden = false;
    slider.max = String(n - 1);
    show(0);
  };
})();
