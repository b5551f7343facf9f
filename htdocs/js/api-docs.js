// api-docs.js - /docs/api: renders /api/v1/openapi.json with Swagger UI
// (htdocs/vendor/swagger-ui/, copied from npm by `make vendor`).  A file of
// its own because the pages' Content-Security-Policy allows no inline script.
'use strict';
window.addEventListener('DOMContentLoaded', function () {
  var root = document.getElementById('api-docs');
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute('data-spec'),
    domNode: root,
    deepLinking: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    // "Try it out" would send the reader's key from this page; the reference
    // only describes.  The validator badge would call a third-party site.
    supportedSubmitMethods: [],
    validatorUrl: null,
  });
});
