<?cs include:"header.cs" ?>
<section class="card">
<?cs if:key.value ?>
  <h1>New account key</h1>
  <?cs if:regen.until ?>
  <p>The previous account key keeps working until <strong id="grace-until"><?cs var:regen.until ?></strong>
    (<?cs var:regen.grace_label ?>), then it expires. Move every integration to the new key before then.</p>
  <?cs else ?>
  <p>The previous account key no longer works.</p>
  <?cs /if ?>
  <p>This key is shown <strong>only this once</strong>; Gauge keeps only a hash.</p>
  <p class="secret" id="new-key"><?cs var:key.value ?></p>
  <p><a class="button" href="/account">Back to the account</a></p>
<?cs else ?>
  <h1>Regenerate the account key?</h1>
  <p>Every integration that uses the account key (scripts, dashboards, alert-rule tools) must switch to the new key.</p>
  <?cs if:regen.until ?>
  <p>The current account key will keep working for <strong><?cs var:regen.grace_label ?></strong>, until about
    <?cs var:regen.until ?>, then expire.</p>
  <?cs else ?>
  <p class="flash bad">The current account key will <strong>stop working at once</strong>.</p>
  <?cs /if ?>
  <form method="post" action="/account" class="row" id="confirm-regenerate">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="key_regenerate">
    <input type="hidden" name="grace" value="<?cs var:regen.grace ?>"><input type="hidden" name="confirm" value="yes">
    <button type="submit" class="danger">Yes, regenerate the account key</button>
    <a class="button secondary" href="/account">Cancel</a>
  </form>
<?cs /if ?>
</section>
<?cs include:"footer.cs" ?>
