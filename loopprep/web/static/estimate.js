// Estimation drills: a visible countdown.  The form still works (and is graded) without it.
(function () {
  var el = document.getElementById("est-countdown");
  if (!el) return;
  var left = parseInt(el.getAttribute("data-seconds"), 10) || 60;
  var box = el.parentElement;
  var timer = setInterval(function () {
    left -= 1;
    el.textContent = String(Math.max(left, 0));
    if (left <= 10) box.classList.add("est-hurry");
    if (left <= 0) {
      clearInterval(timer);
      box.querySelector("small").textContent = "time is up: answer anyway";
    }
  }, 1000);
})();
