// The league workspace's 发送验证码 button (templates/workspace/league/demand_contact.html).
// A static file: the site's Content-Security-Policy allows no inline script.
// 发送验证码: after a code was sent, wait 60 s ("重新发送(59)") before offering it again.
// The page may be swapped in without running body scripts (Turbo, vf-form), so one observer
// starts the countdown of each button that appears.
(function () {
  if (window.leagueSmsCountdown) return;
  window.leagueSmsCountdown = true;
  function start(button) {
    if (button.dataset.started) return;
    button.dataset.started = "1";
    var left = parseInt(button.dataset.wait || "0", 10);
    (function tick() {
      if (!button.isConnected) return;
      if (left > 0) {
        button.disabled = true;
        button.textContent = button.dataset.again + "(" + left + ")";
        left -= 1;
        setTimeout(tick, 1000);
      } else {
        button.disabled = false;
        button.textContent = button.dataset.label;
      }
    })();
  }
  function scan() { document.querySelectorAll("button.league-sms").forEach(start); }
  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", scan);
  scan();
})();
