<?cs include:"header.cs" ?>
<section class="api-docs">
  <p class="api-docs-intro">The Gauge API, described by its OpenAPI 3.1 document:
    <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
  <div id="api-docs" data-spec="/api/v1/openapi.json"><noscript>This reference needs JavaScript; the document itself is plain JSON at the address above.</noscript></div>
</section>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script>
<?cs include:"footer.cs" ?>
