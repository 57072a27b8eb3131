// Runs under the strict CSP the test server sends with csp.html: no inline script or style.
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective + " " + e.blockedURI));
exoChat.initialize({
  chat_service_domain: "http://127.0.0.1:4440",
  cms_service_domain: "http://127.0.0.1:4433",
  converse_bosh_service_url: "http://127.0.0.1:5280/http-bind/",
  auth_token: "RestrictedToken demo",
  contactCenterId: 1,
});
