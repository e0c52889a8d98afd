// Ask for the surgery date only when surgery is ticked. Without JavaScript the date field
// simply stays visible, with a hint saying it is only needed after surgery.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[type=checkbox][data-shows]");
  Array.prototype.forEach.call(boxes, function (box) {
    var target = document.getElementById(box.getAttribute("data-shows"));
    if (!target) { return; }
    box.setAttribute("aria-controls", target.id);
    function sync() {
      target.hidden = !box.checked;
      box.setAttribute("aria-expanded", box.checked ? "true" : "false");
    }
    box.addEventListener("change", sync);
    sync();
  });
})();
