// loopprep's own small script: keyboard shortcuts.  Every page works without it.
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
