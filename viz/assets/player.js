/* gradstep step-through player.
 *
 * gradstepPlayer(id, documentKeys) wires up the player element with that id: it shows
 * one frame and one text panel at a time and drives them from the buttons, the slider,
 * play/pause and the keyboard (arrows, Home/End, space). With documentKeys the keys work
 * anywhere on the page (a stand-alone file); otherwise only while the player has focus
 * (a notebook, where several players share a page). The script reads no user text: all
 * of it is already escaped in the markup.
 */
(function () {
  "use strict";
  if (typeof window.gradstepPlayer === "function") {
    return;
  }

  window.gradstepPlayer = function (id, documentKeys) {
    var root = document.getElementById(id);
    if (!root || root.getAttribute("data-gs-ready") === "1") {
      return;
    }
    root.setAttribute("data-gs-ready", "1");

    var frames = root.querySelectorAll(".gs-frame");
    var texts = root.querySelectorAll(".gs-step");
    var n = Math.min(frames.length, texts.length);
    if (n === 0) {
      return;
    }
    var controls = root.querySelector(".gs-controls");
    var slider = root.querySelector(".gs-slider");
    var counter = root.querySelector(".gs-counter");
    var first = root.querySelector(".gs-first");
    var prev = root.querySelector(".gs-prev");
    var next = root.querySelector(".gs-next");
    var last = root.querySelector(".gs-last");
    var playButton = root.querySelector(".gs-play");
    var current = 0;
    var timer = null;

    function show(i) {
      i = Math.max(0, Math.min(n - 1, i));
      frames[current].hidden = true;
      texts[current].hidden = true;
      frames[i].hidden = false;
      texts[i].hidden = false;
      current = i;
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
