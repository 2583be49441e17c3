/* The order grid's running total and « au-delà du reste » warnings, updated as people type.
   Without JavaScript the page shows the same, computed by the server after each save. */
(function () {
  "use strict";
  var form = document.querySelector("form.order-grid");
  if (!form) { return; }
  var locale = form.getAttribute("data-locale") || "fr";
  var weight = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  var money = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" });
  var inputs = form.querySelectorAll("input[data-day]");

  function quantity(input) {
    var text = input.value.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (text === "" || !/^\d+(\.\d+)?$/.test(text)) { return 0; }
    return parseFloat(text);
  }

  function update() {
    var days = {};
    var week = { kg: 0, eur: 0 };
    inputs.forEach(function (input) {
      var q = quantity(input);
      var day = input.getAttribute("data-day");
      var kg = q * parseFloat(input.getAttribute("data-unit-kg") || "1");
      var price = parseFloat(input.getAttribute("data-price") || "0") || 0;
      days[day] = days[day] || { kg: 0, eur: 0 };
      days[day].kg += kg; days[day].eur += q * price;
      week.kg += kg; week.eur += q * price;
      var beyond = document.getElementById(input.id + "-beyond");
      var over = q > parseFloat(input.getAttribute("data-available") || "0");
      if (beyond) { beyond.hidden = !over; }
      input.parentNode.classList.toggle("over", over);
    });
    form.querySelectorAll("td.day-total").forEach(function (cell) {
      var total = days[cell.getAttribute("data-day")] || { kg: 0, eur: 0 };
      cell.querySelector(".total-kg").textContent = weight.format(total.kg);
      cell.querySelector(".total-eur").textContent = money.format(total.eur);
    });
    document.getElementById("week-total-kg").textContent = weight.format(week.kg);
    document.getElementById("week-total-eur").textContent = money.format(week.eur);
  }

  form.addEventListener("input", update);
}());
