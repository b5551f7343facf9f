// unit.mjs - a systemd unit's identity, applied to a process the way
// systemd applies it, on machines (and tests) where systemd is not PID 1:
// User= and Group= with initgroups(User, Group), then SupplementaryGroups=,
// no capabilities, no new privileges.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

// key -> [values] of a unit file (every occurrence, in order).
export function unitSettings(file) {
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) (out[m[1]] ??= []).push(m[2]);
  }
  return out;
}

// A system user with its own group, as the README's adduser makes it.
export function ensureUser(name) {
  if (spawnSync('getent', ['passwd', name]).status !== 0) {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', `/var/lib/${name}`,
      '--shell', '/usr/sbin/nologin', name]);
  }
}

// setpriv arguments (ending in --) for { user, group, supplementary }.
export function setprivArgs({ user, group, supplementary }) {
  // initgroups(User, Group) gives Group plus the groups listing the user.
  const listed = execFileSync('id', ['-Gn', user], { encoding: 'utf8' }).trim().split(/\s+/)
    .filter((g) => g !== user);
  const groups = [...new Set([group, ...listed, ...supplementary])];
  return ['--reuid', user, '--regid', group, '--groups', groups.join(','), '--inh-caps=-all', '--bounding-set=-all',
    '--no-new-privs', '--'];
}

// The identity a unit file gives its service.
export function unitIdentity(file) {
  const u = unitSettings(file);
  return { user: u.User[0], group: u.Group?.[0] ?? u.User[0],
    supplementary: (u.SupplementaryGroups ?? []).join(' ').split(/\s+/).filter(Boolean),
    runtimeMode: u.RuntimeDirectoryMode ? Number.parseInt(u.RuntimeDirectoryMode[0], 8) : 0o755, unit: u };
}

// A unit's ExecStart= as an argv for an installed tree under root (made with
// PREFIX=/usr/local), with the config and the runtime directory moved too.
export function unitExecStart(unit, { root, conf, run }) {
  return unit.ExecStart[0].replaceAll('/usr/local/', `${root}/usr/local/`)
    .replace('/etc/gauge/gauge.conf', conf).replace('/run/gauge/', `${run}/`).split(/\s+/);
}
