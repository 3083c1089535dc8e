// hipstride routine timer: counts each step down in the browser (pause, skip, back, sound cue).
"use strict";
(function () {
  function clock(s) { s = Math.max(0, Math.ceil(s)); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }
  document.addEventListener("DOMContentLoaded", function () {
    const box = document.getElementById("timer"), data = document.getElementById("routine-data");
    if (!box || !data) { return; }
    const steps = JSON.parse(data.textContent);
    if (!steps.length) { return; }
    box.hidden = false;
    const $ = function (id) { return document.getElementById(id); };
    let i = 0, left = steps[0].planned_s, running = false, last = null, tick = null, audio = null;
    function beep() {
      if (!$("t-sound").checked) { return; }
      try {
        audio = audio || new (window.AudioContext || window.webkitAudioContext)();
        const o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = 880; g.gain.value = 0.15; o.connect(g); g.connect(audio.destination);
        o.start(); o.stop(audio.currentTime + 0.25);
      } catch (err) { /* no sound available */ }
    }
    function show() {
      const s = steps[i];
      $("t-step").textContent = "Step " + (i + 1) + " of " + steps.length + ": " + s.name + " — " + s.dose;
      $("t-clock").textContent = clock(left);
      $("t-progress").value = s.planned_s ? Math.round(100 * (1 - left / s.planned_s)) : 100;
      $("t-cue").textContent = (s.cues || [])[0] || "";
      $("t-start").textContent = running ? "Pause" : (i === 0 && left === steps[0].planned_s ? "Start" : "Resume");
    }
    function done() {
      running = false; clearInterval(tick); beep();
      $("t-step").textContent = "Done: all " + steps.length + " steps."; $("t-clock").textContent = "0:00";
      $("t-progress").value = 100; $("t-start").textContent = "Start";
    }
    function go(k) {
      if (k < 0) { return; }
      if (k >= steps.length) { done(); return; }
      i = k; left = steps[i].planned_s; beep(); show();
    }
    function step(now) {
      if (!running) { return; }
      if (last !== null) { left -= (now - last) / 1000; }
      last = now;
      if (left <= 0) { go(i + 1); return; }
      show();
    }
    function toggle() {
      running = !running; last = null;
      if (running) { tick = setInterval(function () { step(Date.now()); }, 250); step(Date.now()); }
      else { clearInterval(tick); }
      show();
    }
    $("t-start").addEventListener("click", toggle);
    $("t-skip").addEventListener("click", function () { go(i + 1); });
    $("t-back").addEventListener("click", function () { go(i - 1); });
    document.addEventListener("keydown", function (e) {
      if (e.target.tagName === "INPUT" || e.target.tagName === "BUTTON") { return; }
      if (e.key === " ") { e.preventDefault(); toggle(); }
      else if (e.key === "ArrowRight") { go(i + 1); }
      else if (e.key === "ArrowLeft") { go(i - 1); }
    });
    show();
  });
})();
