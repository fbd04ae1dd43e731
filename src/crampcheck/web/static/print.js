// Shows the "Print or save as PDF" button (it stays hidden when JavaScript is off),
// also when the result arrives by an in-page swap instead of a full page load.
function crampcheckShowPrintButtons(root) {
  root.querySelectorAll("[data-print]").forEach(function (button) {
    if (button.dataset.printReady) { return; }
    button.dataset.printReady = "1";
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}
crampcheckShowPrintButtons(document);
document.addEventListener("htmx:afterSwap", function () { crampcheckShowPrintButtons(document); });
