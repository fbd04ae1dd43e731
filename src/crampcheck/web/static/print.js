// Shows the "Print or save as PDF" button (it stays hidden when JavaScript is off).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
