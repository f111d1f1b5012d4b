/* Upload with progress, copy buttons and delete confirmation. Plain JS, no framework, loaded
   from /static so the Content-Security-Policy can forbid inline scripts. Every feature has a
   no-JS fallback: the form posts normally, the suggestion text can be selected by hand. */
"use strict";

(function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function formatSize(bytes) {
    if (bytes < 1024 * 1024) { return Math.max(1, Math.round(bytes / 1024)) + " KB"; }
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  /* ---- upload page ---- */
  function setupUpload() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    var input = document.getElementById("files");
    var zone = document.getElementById("dropzone");
    var list = document.getElementById("file-list");
    var button = document.getElementById("analyse");
    var chosen = [];

    function showChosen() {
      list.textContent = "";
      chosen.forEach(function (file, i) {
        var row = el("li", "file-row");
        row.id = "file-row-" + i;
        row.appendChild(el("span", "file-name", file.name));
        row.appendChild(el("span", "file-size", formatSize(file.size)));
        var bar = el("progress", "file-progress");
        bar.max = 100;
        bar.value = 0;
        row.appendChild(bar);
        row.appendChild(el("span", "file-status", "ready"));
        list.appendChild(row);
      });
      button.disabled = chosen.length === 0;
    }

    input.addEventListener("change", function () {
      chosen = Array.prototype.slice.call(input.files);
      showChosen();
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.remove("dragging");
      });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        chosen = Array.prototype.slice.call(event.dataTransfer.files);
        showChosen();
      }
    });

    function uploadOne(file, i) {
      return new Promise(function (resolve) {
        var row = document.getElementById("file-row-" + i);
        var bar = row.querySelector("progress");
        var status = row.querySelector(".file-status");
        var data = new FormData();
        data.append("csrf_token", csrfToken());
        data.append("files", file, file.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", "/analyses");
        xhr.setRequestHeader("Accept", "application/json");
        xhr.setRequestHeader("X-CSRF-Token", csrfToken());
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) {
            bar.value = Math.round((event.loaded / event.total) * 100);
            status.textContent = "uploading " + bar.value + "%";
          }
        });
        xhr.upload.addEventListener("load", function () {
          bar.removeAttribute("value"); /* indeterminate while the server analyses */
          status.textContent = "analysing…";
          row.classList.add("busy");
        });
        xhr.addEventListener("load", function () {
          row.classList.remove("busy");
          var reply = {};
          try { reply = JSON.parse(xhr.responseText); } catch (e) { reply = {}; }
          if (xhr.status === 201 && reply.url) {
            bar.value = 100;
            status.textContent = "";
            var link = el("a", "file-done", "done — open report");
            link.href = reply.url;
            status.appendChild(link);
            var s = reply.summary || {};
            row.appendChild(el("span", "file-summary",
              (s.present || 0) + " present · " + (s.partial || 0) + " partial · " +
              (s.missing || 0) + " missing"));
            row.classList.add("ok");
            resolve(reply.url);
          } else {
            bar.value = 0;
            row.classList.add("failed");
            status.textContent = reply.detail || ("failed (HTTP " + xhr.status + ")");
            resolve(null);
          }
        });
        xhr.addEventListener("error", function () {
          row.classList.add("failed");
          status.textContent = "network error";
          resolve(null);
        });
        xhr.send(data);
      });
    }

    form.addEventListener("submit", function (event) {
      if (!chosen.length) { return; } /* let the browser say a file is required */
      event.preventDefault();
      button.disabled = true;
      var urls = [];
      var chain = Promise.resolve();
      chosen.forEach(function (file, i) {
        chain = chain.then(function () {
          return uploadOne(file, i).then(function (url) { urls.push(url); });
        });
      });
      chain.then(function () {
        button.disabled = false;
        if (urls.length === 1 && urls[0]) { window.location.assign(urls[0]); }
      });
    });
    button.disabled = true;
  }

  /* ---- copy buttons on the report page ---- */
  function setupCopy() {
    document.querySelectorAll("button[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var target = document.getElementById(btn.getAttribute("data-copy"));
        if (!target) { return; }
        var text = target.textContent;
        var label = btn.textContent;
        function done(ok) {
          /* the words come from the page, in its language (data-copied on <body>) */
          btn.textContent = document.body.getAttribute(ok ? "data-copied" : "data-copy-failed");
          window.setTimeout(function () { btn.textContent = label; }, 2000);
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); },
            function () { done(false); });
        } else {
          var range = document.createRange();
          range.selectNodeContents(target);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          var ok = false;
          try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
          done(ok);
        }
      });
    });
  }

  /* ---- confirmation before deleting ---- */
  function setupConfirm() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  /* ---- compare: exactly two ticked ---- */
  function setupCompare() {
    var button = document.getElementById("compare-button");
    if (!button) { return; }
    var boxes = document.querySelectorAll('input[type="checkbox"][form="compare-form"]');
    function update() {
      var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; });
      button.disabled = ticked.length !== 2;
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupUpload();
    setupCopy();
    setupConfirm();
    setupCompare();
  });
})();
