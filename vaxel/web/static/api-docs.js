// Starts Swagger UI on the API documentation page. A file of its own, not an inline script,
// so the page works under the Content-Security-Policy "script-src 'self'".
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") { return; }
  // Swagger UI's bundle swallows the skip link's own move of focus to #main; do it here.
  var skip = document.querySelector("a.skip");
  var main = document.getElementById("main");
  if (skip && main) {
    skip.addEventListener("click", function (event) {
      event.preventDefault();
      main.focus();
    });
  }
  // Swagger UI draws the request-body editor without a label; name it for screen readers.
  function labelEditors() {
    root.querySelectorAll("textarea:not([aria-label]):not([id])").forEach(function (area) {
      area.setAttribute("aria-label", root.dataset.bodyLabel || "Request body");
    });
  }
  new MutationObserver(labelEditors).observe(root, { childList: true, subtree: true });
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: false,
    // The default validator badge is an image from validator.swagger.io: nothing from outside.
    validatorUrl: null,
  });
})();
