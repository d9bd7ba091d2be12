// ML coding: a comfortable textarea, the attempt clock, and run/submit in place through the JSON
// API.  Without this script the page still works: the buttons post a normal form.
(function () {
  "use strict";
  var form = document.getElementById("code-form");
  var editor = document.getElementById("code");
  if (!form || !editor) return;
  var problem = form.getAttribute("data-problem");
  var INDENT = "    ";

  // ---- the editor -------------------------------------------------------------------------------

  function insert(text) {
    editor.focus();
    // execCommand keeps the browser's undo history; setRangeText is the fallback.
    if (!(document.execCommand && document.execCommand("insertText", false, text))) {
      var s = editor.selectionStart;
      editor.setRangeText(text, s, editor.selectionEnd, "end");
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  function lineStart(pos) { return editor.value.lastIndexOf("\n", pos - 1) + 1; }

  function selectedLines() {
    var v = editor.value, s = editor.selectionStart, e = editor.selectionEnd;
    if (e > s && v.charAt(e - 1) === "\n") e -= 1; // a selection ending at a line start leaves that line
    var a = lineStart(s), b = v.indexOf("\n", e);
    return { a: a, b: b === -1 ? v.length : b };
  }

  function replaceLines(fn) {
    var r = selectedLines(), s = editor.selectionStart, e = editor.selectionEnd;
    var before = editor.value.slice(r.a, r.b), lines = before.split("\n");
    var firstDelta = 0, total = 0;
    var after = lines.map(function (line, i) {
      var out = fn(line);
      var d = out.length - line.length;
      if (i === 0) firstDelta = d;
      total += d;
      return out;
    }).join("\n");
    if (after === before) return;
    editor.setSelectionRange(r.a, r.b);
    insert(after);
    var ns = Math.max(r.a, s + firstDelta), ne = Math.max(ns, e + total);
    editor.setSelectionRange(s === e ? ns : ns, s === e ? ns : ne);
  }

  function dedent(line) {
    var n = 0;
    while (n < INDENT.length && line.charAt(n) === " ") n += 1;
    if (n === 0 && line.charAt(0) === "\t") n = 1;
    return line.slice(n);
  }

  var escaped = false; // Esc, then Tab: let the browser move focus out of the editor
  editor.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { escaped = true; return; }
    if (e.key === "Tab" && escaped) { escaped = false; return; }
    if (e.key !== "Shift") escaped = false;
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      go("run");
      return;
    }
    if (e.key === "Tab" && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      var multi = editor.value.slice(editor.selectionStart, editor.selectionEnd).indexOf("\n") !== -1;
      if (e.shiftKey) replaceLines(dedent);
      else if (multi) replaceLines(function (l) { return l ? INDENT + l : l; });
      else {
        var col = editor.selectionStart - lineStart(editor.selectionStart);
        insert(INDENT.slice(col % INDENT.length));
      }
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && !e.isComposing) {
      var pos = editor.selectionStart;
      var line = editor.value.slice(lineStart(pos), pos);
      var indent = line.match(/^[ \t]*/)[0];
      if (/:\s*(#.*)?$/.test(line)) indent += INDENT; // a block opens: one level deeper
      e.preventDefault();
      insert("\n" + indent);
    }
  });

  // Line numbers beside the textarea, so a compile error's line can be found.
  var gutter = document.getElementById("code-gutter");
  var marked = 0;
  function drawGutter() {
    if (!gutter) return;
    var n = editor.value.split("\n").length, out = [];
    for (var i = 1; i <= n; i += 1) out.push(i === marked ? "<b>" + i + "</b>" : String(i));
    gutter.innerHTML = out.join("\n");
    gutter.scrollTop = editor.scrollTop;
  }
  editor.addEventListener("input", function () { if (marked) marked = 0; drawGutter(); });
  editor.addEventListener("scroll", function () { if (gutter) gutter.scrollTop = editor.scrollTop; });
  drawGutter();

  function gotoLine(n) {
    var lines = editor.value.split("\n");
    if (n < 1 || n > lines.length) return;
    var start = 0;
    for (var i = 0; i < n - 1; i += 1) start += lines[i].length + 1;
    marked = n;
    drawGutter();
    editor.focus();
    editor.setSelectionRange(start, start + lines[n - 1].length);
    var lh = parseFloat(getComputedStyle(editor).lineHeight) || 20;
    editor.scrollTop = Math.max(0, (n - 4) * lh);
    if (gutter) gutter.scrollTop = editor.scrollTop;
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.code-goto");
    if (a) { e.preventDefault(); gotoLine(parseInt(a.getAttribute("data-line"), 10)); }
  });

  // ---- the attempt clock ------------------------------------------------------------------------

  var clock = document.getElementById("code-clock");
  var clockTime = document.getElementById("clock-time");
  var clockLabel = document.getElementById("clock-label");
  var restart = document.getElementById("clock-restart");
  var target = parseInt(clock.getAttribute("data-target"), 10) || 1350;
  var round = parseInt(clock.getAttribute("data-round"), 10) || 2700;
  var key = "loopprep-clock-" + problem;
  var started = Date.now();
  try {
    var kept = parseInt(sessionStorage.getItem(key), 10);
    if (kept && kept <= started) started = kept; else sessionStorage.setItem(key, String(started));
  } catch (err) { /* storage off: the clock starts with the page */ }

  function elapsed() { return Math.min((Date.now() - started) / 1000, 7 * 24 * 3600); }
  function mmss(sec) {
    var s = Math.floor(sec), m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }
  function tick() {
    var s = elapsed();
    clockTime.textContent = mmss(s);
    clock.classList.toggle("code-clock-amber", s >= target && s < round);
    clock.classList.toggle("code-clock-red", s >= round);
    clockLabel.textContent = s >= round ? "past a full round" : s >= target ? "past this problem's share" : "on this problem";
  }
  tick();
  setInterval(tick, 1000);
  if (restart) {
    restart.hidden = false;
    restart.addEventListener("click", function () {
      started = Date.now();
      try { sessionStorage.setItem(key, String(started)); } catch (err) { /* ignore */ }
      tick();
    });
  }

  // ---- run and submit through the JSON API ------------------------------------------------------

  var busy = document.getElementById("code-busy");
  var output = document.getElementById("code-output");
  var buttons = form.querySelectorAll("button[type=submit]");
  var running = false;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c == null) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function show(v, limit) {
    limit = limit || 400;
    function fmt(x) {
      if (Array.isArray(x)) return "[" + x.map(fmt).join(", ") + "]";
      if (x && typeof x === "object") {
        return "{" + Object.keys(x).map(function (k) { return JSON.stringify(k) + ": " + fmt(x[k]); }).join(", ") + "}";
      }
      return JSON.stringify(x === undefined ? null : x);
    }
    var t = fmt(v);
    return t.length <= limit ? t : t.slice(0, limit - 1) + "…";
  }
  function call(args, kwargs) {
    var parts = (args || []).map(function (a) { return show(a, 300); });
    Object.keys(kwargs || {}).forEach(function (k) { parts.push(k + "=" + show(kwargs[k], 300)); });
    return parts.join(", ");
  }

  var TONE = { "accepted": "good", "wrong-answer": "bad", "runtime-error": "bad", "compile-error": "bad",
    "forbidden-call": "bad", "time-limit": "warn", "memory-limit": "warn", "too-slow": "warn", "judge-error": "warn" };
  var CASE = { passed: "passed", wrong: "wrong", error: "error", timeout: "too slow", memory: "memory",
    forbidden: "forbidden", "not-run": "not run" };

  function renderResult(r) {
    var meta = (r.mode === "submit" ? "Submit: every test" : "Run: the visible examples") + " · " + r.passed +
      " of " + r.total + " passed · judged in " + Math.round(r.latency_ms) + " ms" +
      (r.elapsed_s != null ? " · " + mmss(r.elapsed_s) + " on the clock" : "");
    var box = el("section", { cls: "card code-verdict code-verdict-" + (TONE[r.verdict] || "warn"), id: "result",
      "aria-labelledby": "verdict", tabindex: "-1", "data-verdict": r.verdict }, [
      el("h2", { id: "verdict", text: r.verdict_label }),
      el("p", { cls: "code-verdict-meta", text: meta }),
      el("p", { cls: "code-message", text: r.message })
    ]);
    if (r.line) {
      box.appendChild(el("p", { cls: "code-line-note" }, ["Look at ",
        el("a", { href: "#code", cls: "code-goto", "data-line": String(r.line), text: "line " + r.line }), " of your code."]));
    }
    if (r.forbidden) {
      box.appendChild(el("p", { cls: "code-line-note" }, ["Forbidden call: ", el("code", { text: r.forbidden }),
        ". Write it yourself from NumPy basics."]));
    }
    if (r.mutated && r.mutated.length) {
      box.appendChild(el("p", { cls: "code-warning", role: "note" }, [el("strong", { text: "Inputs changed:" }),
        " your function modified " + r.mutated.join(", ") + " in place. Callers do not expect that; work on a copy."]));
    }
    if (r.random) {
      var rnd = r.random.ran + " random cases against the reference (seeds " + r.random.first_seed + "–" + r.random.last_seed + ")";
      box.appendChild(el("p", { cls: "code-line-note" }, r.random.failed_seed === null
        ? [rnd + "."]
        : [rnd + ": random case " + r.random.failed_case + " failed; replay it with ",
           el("code", { text: "loopprep code replay " + r.id }), "."]));
    }
    if (r.plan_task) {
      box.appendChild(el("p", { cls: "code-plan" }, ["✓ Plan task marked done. ", el("a", { href: "/plan", text: "See your plan" }), "."]));
    }
    var ran = (r.cases || []).filter(function (c) { return c.status !== "not-run"; });
    if (ran.length) {
      var body = el("tbody");
      var n = 0;
      r.cases.forEach(function (c) {
        if (c.visible) n += 1;
        var head = el("th", { scope: "row" }, [c.visible ? "Example " + n : "Hidden",
          c.note ? el("span", { cls: "code-case-note", text: c.note }) : null]);
        var cells = [head, el("td", {}, [el("span", { cls: "code-pill code-pill-" + c.status, text: CASE[c.status] || c.status })])];
        if (c.visible && c.status === "not-run") {
          cells.push(el("td", { colspan: "3", cls: "muted", text: "not run" }));
        } else if (c.visible) {
          var exp = c.expected && typeof c.expected === "object" && !Array.isArray(c.expected) && "raises" in c.expected
            ? "raises " + c.expected.raises : show(c.expected);
          var got = el("td");
          if (c.got != null) got.appendChild(el("code", { cls: "code-val", text: show(c.got) }));
          else got.appendChild(el("span", { cls: "muted", text: c.status === "passed" ? "as expected" : "—" }));
          if (c.message && c.status !== "passed") got.appendChild(el("p", { cls: "code-case-msg", text: c.message }));
          if (c.traceback) got.appendChild(el("pre", { cls: "code-trace", text: c.traceback }));
          cells.push(el("td", {}, [el("code", { cls: "code-val", text: call(c.args, c.kwargs) })]),
            el("td", {}, [el("code", { cls: "code-val", text: exp })]), got);
        } else {
          var note = c.status === "passed" ? "hidden data" : c.status === "not-run" ? "not run" : "failed: " + (c.message || CASE[c.status] || c.status) + " (the test's data stays hidden)";
          cells.push(el("td", { colspan: "3", cls: "muted", text: note }));
        }
        cells.push(el("td", { cls: "num", text: c.ms == null ? "—" : c.ms < 0.05 ? "<0.1 ms" : c.ms.toFixed(1) + " ms" }));
        body.appendChild(el("tr", { cls: "code-case code-case-" + c.status + (c.visible ? "" : " code-case-hidden") }, cells));
      });
      var headRow = el("tr", {}, ["Test", "Result", "Input", "Expected", "Got", "Time"].map(function (h) {
        return el("th", { scope: "col", cls: h === "Time" ? "num" : "", text: h });
      }));
      box.appendChild(el("div", { cls: "table-scroll" }, [el("table", { cls: "table code-cases" }, [el("thead", {}, [headRow]), body])]));
    }
    if (r.stdout) {
      box.appendChild(el("details", { cls: "code-stdout", open: "" }, [el("summary", { text: "Printed output" }),
        el("pre", { cls: "code-trace", text: r.stdout })]));
    }
    if (r.protections_off && r.protections_off.length) {
      box.appendChild(el("p", { cls: "muted", text: "This run had less isolation: " + r.protections_off.join(", ") + " off." }));
    }
    return box;
  }

  function bytes(n) {
    if (n == null) return "—";
    var units = ["B", "KiB", "MiB", "GiB"], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return i === 0 ? n + " B" : n.toFixed(1) + " " + units[i];
  }

  function perfSection() {
    return el("section", { cls: "card code-perf", id: "perf", "aria-labelledby": "perf-h" }, [
      el("h2", { id: "perf-h", text: "More than correctness" }),
      el("p", { cls: "muted", text: "Measured after the verdict, on a larger input, against the reference solution in the same sandbox." }),
      el("p", { cls: "muted code-perf-wait", text: "Measuring speed and memory…" })
    ]);
  }

  function renderPerf(box, p) {
    var wait = box.querySelector(".code-perf-wait");
    if (wait) wait.remove();
    if (!p.available) { box.appendChild(el("p", { text: p.note || "Not measured." })); return; }
    function fact(label, value, id, cls) {
      return el("div", cls ? { cls: cls } : {}, [el("dt", { text: label }), el("dd", id ? { id: id, text: value } : { text: value })]);
    }
    box.appendChild(el("dl", { cls: "facts-grid code-perf-grid" }, [
      fact("Your time", p.ms.toFixed(1) + " ms", "perf-ms"),
      fact("Reference", p.reference_ms.toFixed(1) + " ms"),
      fact("Ratio", p.ratio != null ? p.ratio.toFixed(2) + "×" : "—", "perf-ratio", p.slow ? "code-perf-slow" : ""),
      fact("Peak memory", bytes(p.peak_bytes) + (p.memory_ratio != null ? " (" + p.memory_ratio.toFixed(2) + "×)" : "")),
      fact("Reference memory", bytes(p.reference_peak_bytes))
    ]));
    if (p.note) box.appendChild(el("p", { cls: "code-warning", text: p.note }));
    else if (p.ratio != null) {
      box.appendChild(el("p", { text: p.ratio <= 2 ? "As fast as the reference, within a factor of two."
        : "Slower than the reference by " + p.ratio.toFixed(1) + "×." }));
    }
    if (p.mutated && p.mutated.length) {
      box.appendChild(el("p", { cls: "code-warning" }, [el("strong", { text: "Inputs changed:" }),
        " on the larger input your function modified " + p.mutated.join(", ") + " in place."]));
    }
  }

  // The note under the page: once the judge has started, say which sandbox layers are on or off.
  function refreshProtections() {
    var note = document.getElementById("protections");
    if (!note || note.getAttribute("data-started") === "1") return;
    fetch("/api/code/protections", { headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (p) {
        if (!p || !p.started) return;
        var on = Object.keys(p.layers).filter(function (k) { return p.layers[k].on; })
          .map(function (k) { return k.replace(/_/g, " "); });
        note.setAttribute("data-started", "1");
        note.textContent = "";
        if (p.off.length) {
          note.className = "code-protect code-protect-warn";
          note.appendChild(el("strong", { text: "Less isolation: " }));
          note.appendChild(document.createTextNode("Protections off on this machine: " + p.off.join(", ") +
            ". Submitted code runs with less isolation than loopprep aims for (still on: " + (on.join(", ") || "none") + ")."));
        } else {
          note.className = "code-protect code-protect-info";
          note.appendChild(document.createTextNode("Every submission runs in a sandbox: " + on.join(", ") + "."));
        }
      })
      .catch(function () { /* the note updates on the next reload */ });
  }

  var STATUS = { solved: "Solved", attempted: "Attempted", "new": "New" };
  function refreshHistory() {
    return fetch("/api/code/problems/" + encodeURIComponent(problem), { headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (v) {
        if (!v) return;
        var rows = document.getElementById("history-rows");
        rows.textContent = "";
        v.history.forEach(function (a) {
          var when = a.created_at.replace("T", " ").slice(0, 16);
          var ratio = a.perf && a.perf.ratio != null ? a.perf.ratio.toFixed(2) + "×" : "—";
          rows.appendChild(el("tr", {}, [
            el("td", { text: when }), el("td", { text: a.mode === "submit" ? "Submit" : "Run" }),
            el("td", {}, [el("span", { cls: "code-badge code-badge-" + (TONE[a.verdict] || "warn"), text: a.verdict_label })]),
            el("td", { cls: "num", text: a.passed + " / " + a.total }),
            el("td", { cls: "num", text: a.elapsed_s != null ? mmss(a.elapsed_s) : "—" }),
            el("td", { cls: "num", text: ratio })
          ]));
        });
        rows.closest("table").hidden = v.history.length === 0;
        document.getElementById("history-empty").hidden = v.history.length > 0;
        refreshProtections();
        var badge = document.getElementById("problem-status");
        if (badge) { badge.className = "code-status code-status-" + v.status; badge.textContent = STATUS[v.status]; }
      })
      .catch(function () { /* the history shows on the next reload */ });
  }

  function clearFieldError() {
    var old = document.getElementById("code-error");
    if (old) old.remove();
    editor.removeAttribute("aria-invalid");
    editor.setAttribute("aria-describedby", "editor-hint");
    editor.parentElement.classList.remove("invalid");
    var top = document.getElementById("form-error");
    if (top) top.remove();
  }
  function fieldError(text) {
    var p = el("p", { cls: "field-error", id: "code-error", role: "alert", text: text });
    editor.parentElement.insertAdjacentElement("afterend", p);
    editor.setAttribute("aria-invalid", "true");
    editor.setAttribute("aria-describedby", "editor-hint code-error");
    editor.parentElement.classList.add("invalid");
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return { message: "The server answered " + res.status + "." }; })
        .then(function (data) { return { ok: res.ok, status: res.status, data: data }; });
    });
  }

  function go(mode) {
    if (running) return;
    running = true;
    clearFieldError();
    buttons.forEach(function (b) { b.disabled = true; });
    busy.textContent = mode === "submit" ? "Judging every test…" : "Running the examples…";
    var url = "/api/code/problems/" + encodeURIComponent(problem) + "/" + mode;
    post(url, { code: editor.value, elapsed_s: Math.round(elapsed() * 10) / 10 })
      .then(function (res) {
        if (!res.ok) {
          var d = res.data || {};
          var msg = (d.fields && d.fields.code) ? d.message + (d.hint ? " " + d.hint : "") : (d.message || "Something went wrong.");
          if (res.status === 422 && d.fields && d.fields.code) fieldError(msg);
          else fieldError(msg + " Your code is still here.");
          busy.textContent = "";
          return;
        }
        var r = res.data;
        var draftNote = document.getElementById("draft-note");
        if (draftNote) draftNote.remove();  // graded: the server cleared the draft
        output.textContent = "";
        output.appendChild(renderResult(r));
        if (r.line) { marked = r.line; drawGutter(); }
        busy.textContent = r.verdict_label + ": " + r.passed + " of " + r.total + " passed.";
        document.getElementById("result").focus({ preventScroll: true });
        document.getElementById("result").scrollIntoView({ behavior: "smooth", block: "start" });
        var after = refreshHistory();
        if (r.mode === "submit" && r.accepted) {
          var box = perfSection();
          output.appendChild(box);
          return post("/api/code/attempts/" + r.id + "/perf", {}).then(function (pr) {
            if (pr.ok) renderPerf(box, pr.data);
            else renderPerf(box, { available: false, note: (pr.data && pr.data.message) || "Could not measure." });
            return refreshHistory();
          });
        }
        return after;
      })
      .catch(function () {
        fieldError("The server did not answer. Your code is still here; try again.");
        busy.textContent = "";
      })
      .then(function () {
        running = false;
        buttons.forEach(function (b) { b.disabled = false; });
      });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var sub = e.submitter || document.activeElement;
    go(sub && sub.id === "submit-btn" ? "submit" : "run");
  });
})();
