// Small helpers for htmx pages. No framework: htmx does the requests, this only fills gaps.
// Behaviour is attached by event delegation on data- attributes: the Content-Security-Policy
// allows no inline handler (onclick=, hx-on:) and htmx runs with allowEval false.
(function () {
  "use strict";
  // Accent-insensitive key, same rule as danvan.core.vntext.fold.
  function foldVi(s) {
    return (s || "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  // Filter a checklist of <label data-key> by the text typed in `input`.
  function filterChecklist(input, listId) {
    var key = foldVi(input.value);
    document.querySelectorAll("#" + listId + " [data-key]").forEach(function (el) {
      el.hidden = key && el.getAttribute("data-key").indexOf(key) === -1;
    });
  }
  function setChecked(selector, checked) {
    document.querySelectorAll(selector).forEach(function (c) { c.checked = checked; });
  }
  // Bars get their width from data-width (a percentage): no inline style in the HTML.
  function applyWidths(root) {
    (root || document).querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, parseFloat(el.getAttribute("data-width")) || 0)) + "%";
    });
  }
  // <div data-show-when="kind" data-show-values="a b">: shown only while the form's field `kind`
  // has one of these values, so a field that does not apply is not offered (the server ignores it).
  function applyShowWhen(root) {
    (root || document).querySelectorAll("[data-show-when]").forEach(function (el) {
      var form = el.closest("form");
      var field = form && form.elements[el.getAttribute("data-show-when")];
      if (field) el.hidden = el.getAttribute("data-show-values").split(" ").indexOf(field.value) === -1;
    });
  }

  // <form data-confirm="…"> or <button data-confirm="…">: ask before submitting. Capture phase,
  // so a refusal stops htmx's own submit handler on the form too.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var message = (evt.submitter && evt.submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("click", function (evt) {
    var el = evt.target.closest("[data-print], [data-check], [data-uncheck], [data-check-all]");
    if (!el) return;
    if (el.hasAttribute("data-print")) window.print();
    if (el.hasAttribute("data-check")) setChecked(el.getAttribute("data-check"), true);
    if (el.hasAttribute("data-uncheck")) setChecked(el.getAttribute("data-uncheck"), false);
    if (el.hasAttribute("data-check-all")) setChecked(el.getAttribute("data-check-all"), el.checked);
  });
  document.addEventListener("input", function (evt) {
    var listId = evt.target.getAttribute && evt.target.getAttribute("data-filter-list");
    if (listId) filterChecklist(evt.target, listId);
  });
  document.addEventListener("change", function (evt) {
    if (evt.target.hasAttribute && evt.target.hasAttribute("data-autosubmit") && evt.target.form) {
      evt.target.form.requestSubmit();
    }
    if (evt.target.form) applyShowWhen(evt.target.form);
  });
  // An expander loads its children once, then stays open.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var el = evt.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-expand-once") && evt.detail.successful) {
      el.setAttribute("aria-expanded", "true");
      el.disabled = true;
    }
  });
  // Background pollers (the bell) stay quiet when a poll fails; the next one retries.
  document.addEventListener("htmx:beforeOnLoad", function (evt) {
    var el = evt.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-quiet-errors") && evt.detail.xhr.status >= 400) {
      evt.preventDefault();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { applyWidths(document); applyShowWhen(document); });
  document.addEventListener("htmx:afterSwap", function (evt) { applyWidths(evt.detail.target); });
  document.addEventListener("htmx:oobAfterSwap", function (evt) { applyWidths(evt.detail.target); });

  // A failed htmx request must not fail silently: tell the user in Vietnamese.
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    var text = status === 403 ? "Bạn không có quyền thực hiện thao tác này."
      : status === 404 ? "Không tìm thấy dữ liệu (có thể đã bị xóa hoặc nằm ngoài phạm vi)."
      : status === 413 ? "Tệp quá lớn (tối đa 20 MB)."
      : status === 429 ? "Bạn thao tác quá nhanh, vui lòng đợi một chút rồi thử lại."
      : status === 400 ? "Yêu cầu không hợp lệ hoặc phiên làm việc đã hết hạn. Vui lòng tải lại trang."
      : "Đã có lỗi xảy ra (mã " + status + "). Dữ liệu chưa được lưu; vui lòng thử lại.";
    showFlash(text, "danger");
  });
  // Elements marked data-quiet-errors (the bell's polling) keep their content when a poll fails,
  // e.g. on an expired session, instead of swapping in an error or a login form.
  document.addEventListener("htmx:beforeOnLoad", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.hasAttribute("data-quiet-errors") && evt.detail.xhr.status >= 400) evt.preventDefault();
  });
  document.addEventListener("htmx:sendError", function () {
    showFlash("Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.", "danger");
  });
  function showFlash(text, category) {
    var area = document.getElementById("flash");
    if (!area) return;
    var div = document.createElement("div");
    div.className = "flash flash-" + category;
    div.setAttribute("role", "alert");
    div.textContent = text;
    area.appendChild(div);
  }
})();
