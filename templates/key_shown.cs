<?cs include:"header.cs" ?>
<section class="card">
  <h1><?cs if:key.why == "created" ?>Device added<?cs elif:key.why == "rotated" ?>Key rotated<?cs else ?>Key added<?cs /if ?></h1>
  <p>Device <strong><?cs var:device.name ?></strong>, id <code><?cs var:device.id ?></code>.</p>
  <p>Its new key is shown <strong>only this once</strong>. Copy it into the device now; Gauge keeps only a hash.</p>
  <p class="secret" id="new-key"><?cs var:key.value ?></p>
  <p><a class="button" href="/devices/<?cs var:url_escape(device.id) ?>">Go to the device</a>
  <?cs if:user.is_admin ?> <a href="/devices/<?cs var:url_escape(device.id) ?>/settings">Settings and keys</a><?cs /if ?></p>
</section>
<?cs include:"footer.cs" ?>
