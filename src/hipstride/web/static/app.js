// hipstride: upload by drag and drop with a progress bar, the tracked one-file uploads (form
// check, map import), the athlete switcher's choice sent on change, and the report frames' height.
// Progressive enhancement only: every form works without this script.
"use strict";
(function () {
  function csrf() { return document.querySelector('meta[name="csrf-token"]').content; }
  window.hipstrideCsrf = csrf;

  function show(result, doc) {
    result.textContent = "";
    const head = document.createElement("p");
    head.textContent = doc.headline || doc.error || "";
    result.appendChild(head);
    const problems = doc.problems || [];
    if (problems.length) {
      const ul = document.createElement("ul");
      ul.className = "problems";
      problems.forEach(function (p) { const li = document.createElement("li"); li.textContent = p; ul.appendChild(li); });
      result.appendChild(ul);
    }
    if (doc.imported) {
      const a = document.createElement("a");
      a.href = window.location.pathname;
      a.textContent = "Show the updated list";
      result.appendChild(a);
    }
  }

  function send(form, files) {
    const data = new FormData();
    data.append("csrf_token", csrf());
    files.forEach(function (f) { data.append("files", f, f.name); });
    const bar = document.getElementById("upload-progress");
    const result = document.getElementById("upload-result");
    bar.hidden = false; bar.value = 0;
    result.textContent = "Uploading…";
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      if (e.loaded === e.total) { result.textContent = "Importing…"; bar.removeAttribute("value"); }
    };
    xhr.onload = function () {
      bar.hidden = true;
      let doc;
      try { doc = JSON.parse(xhr.responseText); } catch (err) { doc = { error: "The server's answer could not be read (status " + xhr.status + ")." }; }
      show(result, doc);
    };
    xhr.onerror = function () { bar.hidden = true; result.textContent = "The upload failed: is hipstride serve still running?"; };
    xhr.send(data);
  }

  function readEntries(entry, out) {
    return new Promise(function (resolve) {
      if (entry.isFile) { entry.file(function (f) { out.push(f); resolve(); }, resolve); return; }
      if (!entry.isDirectory) { resolve(); return; }
      const reader = entry.createReader();
      const all = [];
      (function next() {
        reader.readEntries(function (batch) {
          if (!batch.length) { Promise.all(all).then(resolve); return; }
          batch.forEach(function (e) { all.push(readEntries(e, out)); });
          next();
        }, resolve);
      })();
    });
  }


  // Forms marked "tracked" (form check, map import): one file, a progress bar for the upload,
  // then the form's own busy words while the server works; the answer's page is then shown.
  function track(form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      const bar = form.querySelector(".upload-progress");
      const result = form.querySelector(".upload-result");
      const button = form.querySelector("button[type=submit]");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      bar.hidden = false; bar.value = 0; button.disabled = true;
      result.textContent = "Uploading…";
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable) { bar.value = Math.round(100 * ev.loaded / ev.total); }
        if (ev.loaded === ev.total) { result.textContent = form.dataset.busy; bar.removeAttribute("value"); }
      };
      xhr.onload = function () {
        bar.hidden = true; button.disabled = false;
        const type = xhr.getResponseHeader("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) {
          if (xhr.status < 400 && xhr.responseURL) { window.location.assign(xhr.responseURL); return; }
          result.textContent = "The server answered with status " + xhr.status + ".";
          return;
        }
        let doc;
        try { doc = JSON.parse(xhr.responseText); } catch (err) { doc = { error: "The server's answer could not be read." }; }
        result.textContent = doc.headline || doc.error || "";
        result.className = "upload-result " + (doc.error ? "error" : "ok");
        if (!doc.error) { window.location.reload(); }
      };
      xhr.onerror = function () { bar.hidden = true; button.disabled = false; result.textContent = "The upload failed: is hipstride serve still running?"; };
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.tracked").forEach(track);
    const form = document.getElementById("upload");
    if (form) {
      const drop = document.getElementById("drop");
      const input = document.getElementById("files");
      form.addEventListener("submit", function (e) {
        if (!input.files.length) { return; }
        e.preventDefault();
        send(form, Array.prototype.slice.call(input.files));
      });
      ["dragenter", "dragover"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
      ["dragleave", "drop"].forEach(function (t) { drop.addEventListener(t, function () { drop.classList.remove("over"); }); });
      drop.addEventListener("drop", function (e) {
        e.preventDefault();
        const items = e.dataTransfer.items;
        const files = [];
        if (items && items.length && items[0].webkitGetAsEntry) {
          const jobs = [];
          for (let i = 0; i < items.length; i++) { const en = items[i].webkitGetAsEntry(); if (en) { jobs.push(readEntries(en, files)); } }
          Promise.all(jobs).then(function () { if (files.length) { send(form, files); } });
        } else {
          send(form, Array.prototype.slice.call(e.dataTransfer.files));
        }
      });
    }
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("iframe.report").forEach(function (frame) {
      frame.addEventListener("load", function () {
        try { frame.style.height = (frame.contentDocument.documentElement.scrollHeight + 20) + "px"; } catch (err) { /* keep the CSS height */ }
      });
    });
  });
})();
