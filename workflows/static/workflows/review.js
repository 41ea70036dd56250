// The review screen (templates/workflows/review.html): the reason box only for 退回, and its
// character count against the limit. Loaded once (Turbo keeps the page's head), so it listens on
// the document and sets each rendered form up again.
(function () {
  if (window.reviewScreen) {
    return;
  }
  window.reviewScreen = true;

  function parts(form) {
    var box = form.querySelector(".review-reason");
    return {
      box: box,
      text: box && box.querySelector("textarea"),
      count: form.querySelector(".review-counter"),
    };
  }

  function showReason(form) {
    var p = parts(form);
    if (!p.box) {
      return;
    }
    var picked = form.querySelector("input[name=decision]:checked");
    var conflict = form.querySelector("fieldset[disabled]");
    // The reason is for a return only; a conflict shows whatever was typed.
    p.box.hidden = !(picked && picked.value === "reject") && !(conflict && p.text.value);
  }

  function countReason(form) {
    var p = parts(form);
    if (!p.count) {
      return;
    }
    var max = parseInt(p.count.dataset.max, 10);
    var n = Array.from(p.text.value).length;
    var text = p.count.dataset.template.replace("%(count)s", n).replace("%(max)s", max);
    if (n > max) {
      text += p.count.dataset.over.replace("%(over)s", n - max);
    }
    p.count.textContent = text;
    p.count.classList.toggle("review-counter--over", n > max);
  }

  function setUp() {
    document.querySelectorAll("form.review-form").forEach(function (form) {
      showReason(form);
      countReason(form);
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.review-form");
    if (form) {
      showReason(form);
    }
  });
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form.review-form");
    if (form && event.target.tagName === "TEXTAREA") {
      countReason(form);
    }
  });
  ["DOMContentLoaded", "turbo:load", "turbo:render"].forEach(function (name) {
    document.addEventListener(name, setUp);
  });
  setUp();
})();
