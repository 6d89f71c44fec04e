// Initialise the vendored Swagger UI (kept out of the page so the CSP forbids inline scripts).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
