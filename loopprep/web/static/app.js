// loopprep's own small script: keyboard shortcuts and the plan's in-place check-offs.
// Every page works without it (the CSP allows no inline script, so page scripts live here).
(function () {
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (e.key === "/" && !typing && !e.ctrlKey && !e.altKey && !e.metaKey) {
      var box = document.getElementById("search-q");
      if (box) { e.preventDefault(); box.focus(); box.select(); }
    }
  });
})();

// In-place check-off: send the same action to the JSON API and update the row; without
// JavaScript the form posts and the page reloads.
document.querySelectorAll("form.checkoff").forEach(function (form) {
  form.addEventListener("submit", function (e) {
    var btn = e.submitter; if (!btn) return;
    e.preventDefault();
    var li = form.closest("li"), key = li.dataset.key;
    var status = {done: "done", skip: "skipped", undo: "pending"}[btn.value];
    fetch("/api/plan/tasks/" + encodeURIComponent(key), {method: "PUT", headers: {"Content-Type": "application/json"}, body: JSON.stringify({status: status})})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (res) {
        document.querySelectorAll('li[data-key="' + key + '"]').forEach(function (row) {
          row.className = "plan-task status-" + res.task.status;
          var f = row.querySelector("form.checkoff"), csrf = f.querySelector('[name="csrf_token"]').outerHTML, wk = f.querySelector('[name="week"]').outerHTML;
          var label = res.task.title + " (" + res.task.item_title + ")";
          f.innerHTML = csrf + wk + (res.task.status === "pending"
            ? '<button type="submit" name="action" value="done" class="button primary">Done</button> <button type="submit" name="action" value="skip" class="button">Skip</button>'
            : '<span class="plan-state">' + (res.task.status === "done" ? "Done" : "Skipped") + '</span> <button type="submit" name="action" value="undo" class="button">Undo</button>');
          f.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-label", b.textContent + ": " + label); });
        });
        document.getElementById("plan-percent").textContent = res.progress.percent + " %";
        document.getElementById("plan-counts").textContent = res.progress.done + " of " + res.progress.total + " done";
      })
      .catch(function () { form.submit(); });
  });
});
