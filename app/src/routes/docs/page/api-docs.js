/* global SwaggerUIBundle, document */
// Starts Swagger UI on the API reference page. It lives in a file because the CSP allows no inline
// script; the page's data attributes say where the document and the CSRF token are.
"use strict";

const root = document.getElementById("swagger-ui");
const { specUrl, csrfUrl } = root.dataset;

/** The CSRF token of the signed-in session, or undefined when nobody is signed in. */
async function csrfToken() {
  try {
    const res = await fetch(csrfUrl, { credentials: "same-origin" });
    if (!res.ok) return undefined;
    const body = await res.json();
    return typeof body.token === "string" ? body.token : undefined;
  } catch {
    return undefined;
  }
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * "Try it out" with the browser's session cookie: unsafe requests need the session's CSRF token
 * in X-CSRF-Token (asked for each time, since signing in again changes it). Bearer-token requests
 * need none.
 */
async function addCsrfToken(request) {
  const method = String(request.method || "GET").toUpperCase();
  const headers = request.headers || {};
  const hasBearer = Object.keys(headers).some((name) => name.toLowerCase() === "authorization");
  if (safeMethods.has(method) || hasBearer) return request;
  const token = await csrfToken();
  if (token !== undefined) request.headers = { ...headers, "X-CSRF-Token": token };
  return request;
}

SwaggerUIBundle({
  url: specUrl,
  domNode: root,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  // The public validator badge would send our document to validator.swagger.io.
  validatorUrl: null,
  displayOperationId: true,
  defaultModelsExpandDepth: 0,
  requestInterceptor: addCsrfToken,
});
