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

// A printed result shows everything folded on screen (reasons, causes, sources), and
// folds back what the person had folded once printing is over.
var crampcheckOpenedForPrint = [];
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details:not([open])").forEach(function (details) {
    details.open = true;
    crampcheckOpenedForPrint.push(details);
  });
});
window.addEventListener("afterprint", function () {
  crampcheckOpenedForPrint.forEach(function (details) { details.open = false; });
  crampcheckOpenedForPrint = [];
});
