<?cs include:"header.cs" ?>
<?cs # The fields the create and edit forms share; f holds their values. ?>
<?cs def:rule_fields(f) ?>
      <label>Name <input type="text" name="name" value="<?cs var:f.name ?>" maxlength="100" required></label>
      <label>Channel <input type="text" name="channel" value="<?cs var:f.channel ?>" required></label>
      <label>Device <select name="device"><option value="">(a group instead)</option>
        <?cs each:d = devices ?><option value="<?cs var:d.id ?>"<?cs if:d.id == f.device ?> selected<?cs /if ?>><?cs var:d.name ?></option><?cs /each ?></select></label>
      <label>Or group <select name="group"><option value="">(a device instead)</option>
        <?cs each:g = groups ?><option value="<?cs var:g.id ?>"<?cs if:g.id == f.group ?> selected<?cs /if ?>><?cs var:g.name ?></option><?cs /each ?></select></label>
      <label>When <select name="kind">
        <option value="above"<?cs if:f.kind == "above" ?> selected<?cs /if ?>>above the threshold</option>
        <option value="below"<?cs if:f.kind == "below" ?> selected<?cs /if ?>>below the threshold</option>
        <option value="outside"<?cs if:f.kind == "outside" ?> selected<?cs /if ?>>outside low–high</option>
        <option value="no_data"<?cs if:f.kind == "no_data" ?> selected<?cs /if ?>>no data for a while</option></select></label>
      <label>Threshold (low for outside) <input type="text" name="threshold" value="<?cs var:f.threshold ?>"></label>
      <label>High (outside only) <input type="text" name="threshold_high" value="<?cs var:f.threshold_high ?>"></label>
      <label>Clears at (hysteresis; empty: the threshold) <input type="text" name="clear_threshold" value="<?cs var:f.clear_threshold ?>"></label>
      <label>High clears at (outside only) <input type="text" name="clear_threshold_high" value="<?cs var:f.clear_threshold_high ?>"></label>
      <label>No data for, minutes (no data only) <input type="text" name="no_data_minutes" value="<?cs var:f.no_data_minutes ?>"></label>
      <label>Condition must hold, seconds <input type="text" name="min_duration_s" value="<?cs var:f.min_duration_s ?>" placeholder="0"></label>
<?cs /def ?>
<h1>Alert rules</h1>
<p class="small"><a href="/alerts/log">Alert log</a></p>
<?cs if:subcount(rules) == 0 ?><p class="card muted">No alert rules yet.</p><?cs else ?>
<table class="rules">
  <thead><tr><th>Rule</th><th>On</th><th>Condition</th><th>Timing</th><th>Recipients</th><th></th></tr></thead>
  <tbody>
  <?cs each:rl = rules ?>
  <tr>
    <td><?cs var:rl.name ?><?cs if:rl.enabled != "1" ?> <span class="badge rule-disabled">disabled</span><?cs /if ?></td>
    <td><?cs if:rl.device ?><a href="/devices/<?cs var:url_escape(rl.device_id) ?>"><?cs var:rl.device ?></a><?cs else ?>group <?cs var:rl.group ?><?cs /if ?></td>
    <td><code><?cs var:rl.channel ?></code>
      <?cs if:rl.kind == "above" ?>above <?cs var:rl.threshold ?> (clears at <?cs var:rl.clear ?>)
      <?cs elif:rl.kind == "below" ?>below <?cs var:rl.threshold ?> (clears at <?cs var:rl.clear ?>)
      <?cs elif:rl.kind == "outside" ?>outside <?cs var:rl.threshold ?>–<?cs var:rl.threshold_high ?>
      <?cs else ?>no data for <?cs var:rl.no_data_minutes ?> min<?cs /if ?></td>
    <td class="small"><?cs if:rl.min_duration_s != "0" ?>for <?cs var:rl.min_duration_s ?> s<?cs /if ?>
      <?cs if:rl.reminder_s ?>· reminders every <?cs var:rl.reminder_s ?> s<?cs /if ?>
      <?cs if:rl.notify_clear == "1" ?>· tells back to normal<?cs /if ?></td>
    <td class="small"><?cs var:rl.recipients ?></td>
    <td><?cs if:user.can_edit ?><a href="/alerts?edit=<?cs var:rl.id ?>#edit" class="edit-rule">Edit</a>
      <form method="post" action="/alerts" class="inline"><input type="hidden" name="csrf" value="<?cs var:csrf ?>">
      <input type="hidden" name="rule" value="<?cs var:rl.id ?>"><?cs if:rl.enabled == "1" ?>
      <input type="hidden" name="action" value="disable"><button type="submit">Disable</button><?cs else ?>
      <input type="hidden" name="action" value="enable"><button type="submit">Enable</button><?cs /if ?></form>
      <form method="post" action="/alerts" class="inline"><input type="hidden" name="csrf" value="<?cs var:csrf ?>">
      <input type="hidden" name="action" value="delete"><input type="hidden" name="rule" value="<?cs var:rl.id ?>">
      <button type="submit" class="danger">Delete</button></form><?cs /if ?></td>
  </tr>
  <?cs /each ?>
  </tbody>
</table>
<?cs /if ?>
<?cs if:user.can_edit && edit.id ?>
<section class="card" id="edit">
  <h2>Edit rule</h2>
  <form method="post" action="/alerts">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="update">
    <input type="hidden" name="rule" value="<?cs var:edit.id ?>">
    <div class="grid2">
<?cs call:rule_fields(edit) ?>
      <label>Remind every, seconds (0: never) <input type="text" name="reminder_s" value="<?cs var:edit.reminder_s ?>" placeholder="0"></label>
    </div>
    <label class="check"><input type="checkbox" name="notify_clear" value="on"<?cs if:edit.notify_clear == "on" ?> checked<?cs /if ?>> Tell recipients when it is back to normal</label>
    <input type="hidden" name="notify_clear" value="off">
    <label class="check"><input type="checkbox" name="enabled" value="on"<?cs if:edit.enabled == "on" ?> checked<?cs /if ?>> Enabled (a disabled rule sends nothing)</label>
    <input type="hidden" name="enabled" value="off">
    <label>Recipients: e-mail addresses and phone numbers (+14155550123), one per line or comma-separated
      <textarea name="recipients" rows="3" cols="60" required><?cs var:edit.recipients ?></textarea></label>
    <button type="submit">Save rule</button> <a href="/alerts">Cancel</a>
  </form>
</section>
<?cs /if ?>
<?cs if:user.can_edit ?>
<section class="card">
  <h2>New rule</h2>
  <form method="post" action="/alerts">
    <input type="hidden" name="csrf" value="<?cs var:csrf ?>"><input type="hidden" name="action" value="create">
    <div class="grid2">
<?cs call:rule_fields(form) ?>
      <label>Remind every, minutes (0: never) <input type="text" name="reminder_minutes" value="<?cs var:form.reminder_minutes ?>" placeholder="0"></label>
    </div>
    <label class="check"><input type="checkbox" name="notify_clear" value="on" checked> Tell recipients when it is back to normal</label>
    <input type="hidden" name="notify_clear" value="off">
    <label>Recipients: e-mail addresses and phone numbers (+14155550123), one per line or comma-separated
      <textarea name="recipients" rows="3" cols="60" required><?cs var:form.recipients ?></textarea></label>
    <button type="submit">Create rule</button>
  </form>
</section>
<?cs /if ?>
<?cs include:"footer.cs" ?>
