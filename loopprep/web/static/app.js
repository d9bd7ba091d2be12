// loopprep's own small script: keyboard shortcuts.  Every page works without it.
(function () {
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
    if (e.key === "/" && !typing) {
      var box = document.getElementById("search-q");
      if (box) { e.preventDefault(); box.focus(); box.select(); }
    }
  });
})();
