// Small enhancement for the booking page: picking a treatment or therapist with the mouse or a
// tap shows the open times at once. Keyboard users move through radios with the arrow keys, and
// type a day digit by digit, so neither submits on its own: the "Show open times" button (or
// Enter in the day field) does, as it does without JavaScript.
(function () {
  "use strict";
  var form = document.querySelector(".booking-form");
  if (!form) { return; }
  var pointing = false;
  form.addEventListener("pointerdown", function () { pointing = true; });
  form.addEventListener("keydown", function () { pointing = false; });
  form.addEventListener("change", function (event) {
    var picked = event.target;
    if (!pointing || picked.type !== "radio") { return; }
    if (form.querySelector("input[name=service_id]:checked")) { form.submit(); }
  });
})();
