<?cs include:"header.cs" ?>
<section class="card">
  <h1>New account key</h1>
  <p>The previous account key no longer works. This key is shown <strong>only this once</strong>; Gauge keeps only a hash.</p>
  <p class="secret" id="new-key"><?cs var:key.value ?></p>
  <p><a class="button" href="/account">Back to the account</a></p>
</section>
<?cs include:"footer.cs" ?>
