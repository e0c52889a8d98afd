// Small enhancement for the booking page: changing the treatment, therapist or day shows the
// open times at once. Without JavaScript the "Show open times" button does the same.
(function () {
  "use strict";
  var form = document.querySelector(".booking-form");
  if (!form) { return; }
  form.addEventListener("change", function () {
    if (form.querySelector("input[name=service_id]:checked")) { form.submit(); }
  });
})();
