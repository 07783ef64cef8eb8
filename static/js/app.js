// Small helpers for htmx pages. No framework: htmx does the requests, this only fills gaps.
(function () {
  "use strict";
  // Accent-insensitive key, same rule as danvan.core.vntext.fold.
  window.foldVi = function (s) {
    return (s || "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  };
  // Filter a checklist of <label data-key> by the text typed in `input`.
  window.filterChecklist = function (input, listId) {
    var key = window.foldVi(input.value);
    document.querySelectorAll("#" + listId + " [data-key]").forEach(function (el) {
      el.hidden = key && el.getAttribute("data-key").indexOf(key) === -1;
    });
  };
  // A failed htmx request must not fail silently: tell the user in Vietnamese.
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    var text = status === 403 ? "Bạn không có quyền thực hiện thao tác này."
      : status === 404 ? "Không tìm thấy dữ liệu (có thể đã bị xóa hoặc nằm ngoài phạm vi)."
      : status === 413 ? "Tệp quá lớn (tối đa 20 MB)."
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
