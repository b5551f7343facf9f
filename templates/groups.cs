<?cs include:"header.cs" ?>
<h1>Groups</h1>
<?cs if:subcount(groups) == 0 ?><p class="card muted">No groups yet.</p><?cs /if ?>
<?cs each:g = groups ?>
<section class="card group" data-group="<?cs var:g.id ?>">
  <h2><?cs var:g.name ?> <span class="badge"><?cs var:g.count ?> device<?cs if:g.count != "1" ?>s<?cs /if ?></span></h2>
  <ul><?cs each:d = devices ?><?cs if:d.group == g.id ?><li><a href="/devices/<?cs var:url_escape(d.id) ?>"><?cs var:d.name ?></a></li><?cs /if ?><?cs /each ?></ul>
  <?cs if:user.is_admin ?>
  <form method="post" action="/groups" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="rename">
    <input type="hidden" name="group" value="<?cs var:g.id ?>">
    <label>New name <input type="text" name="name" maxlength="100" required></label>
    <button type="submit" class="secondary">Rename</button>
  </form>
  <form method="post" action="/groups" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="delete">
    <input type="hidden" name="group" value="<?cs var:g.id ?>">
    <label>Type the name to delete <input type="text" name="confirm" autocomplete="off" required></label>
    <button type="submit" class="danger">Delete group</button>
  </form>
  <?cs /if ?>
</section>
<?cs /each ?>
<?cs if:user.is_admin ?>
<div class="grid2">
<section class="card">
  <h2>New group</h2>
  <form method="post" action="/groups" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="create">
    <label>Name <input type="text" name="name" maxlength="100" required></label>
    <button type="submit">Create group</button>
  </form>
</section>
<section class="card">
  <h2>Put a device in a group</h2>
  <form method="post" action="/groups" class="row">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="assign">
    <label>Device <select name="device"><?cs each:d = devices ?><option value="<?cs var:d.id ?>"><?cs var:d.name ?></option><?cs /each ?></select></label>
    <label>Group <select name="group"><option value="">(none)</option><?cs each:g = groups ?><option value="<?cs var:g.id ?>"><?cs var:g.name ?></option><?cs /each ?></select></label>
    <button type="submit">Assign</button>
  </form>
</section>
</div>
<?cs /if ?>
<?cs include:"footer.cs" ?>
