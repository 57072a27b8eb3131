// The widget test pages' integration, as an external script so the strict-CSP page can run it.
// Query parameters pick the widget options: ?locale=hi&view_mode=fullscreen&theme_color=%23ffeb3b.
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective + " " + e.blockedURI));
const params = new URLSearchParams(location.search);
// A test that talks to the local stack sets window.EXOCHAT_CONFIG before the page runs.
const config = Object.assign({
  chat_service_domain: "http://127.0.0.1:4440",
  cms_service_domain: "http://127.0.0.1:4433",
  converse_bosh_service_url: "http://127.0.0.1:5280/http-bind/",
  auth_token: "RestrictedToken demo",
  contactCenterId: 1,
}, window.EXOCHAT_CONFIG);
for (const key of ["locale", "view_mode", "theme_color", "container"]) {
  if (params.has(key)) config[key] = params.get(key);
}
exoChat.initialize(config);
