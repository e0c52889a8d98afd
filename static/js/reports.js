// Choosing a date selects "Custom range", so the form does what the owner meant.
// The form works without this script: the radio can be picked by hand.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.report-range");
  if (!form) return;
  const custom = form.querySelector('input[name="period"][value="custom"]');
  for (const input of form.querySelectorAll('input[type="date"]')) {
    input.addEventListener("change", () => {
      if (custom && input.value) custom.checked = true;
    });
  }
});
