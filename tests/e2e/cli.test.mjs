// cli.test.mjs - what an admin meets before any request: the programs'
// --help and --version, warnings about misspelled config keys, what
// `make install` writes, and the man pages.  No databases are needed; the
// check-config run against real ones is in stack.test.mjs.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { freePort, waitFor } from '../stack/proc.mjs';
import { ROOT } from '../stack/stack.mjs';

const BIN = path.join(ROOT, 'build/bin');
const PROGRAMS = ['gauge.fcgi', 'gauge-alertd', 'gaugectl'];
const MAN_PAGES = ['man/gauge.fcgi.8', 'man/gauge-alertd.8', 'man/gaugectl.8', 'man/gauge.conf.5'];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gauge-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// stdin is /dev/null: gauge.fcgi must not take it for a FastCGI socket.
function run(prog, args, opts = {}) {
  return spawnSync(path.join(BIN, prog), args,
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000, ...opts });
}

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

// The keys conf.c declares in conf_keys[]: the list of every setting there is.
function confKeys() {
  const src = fs.readFileSync(path.join(ROOT, 'cgi-bin-src/conf.c'), 'utf8');
  const table = src.slice(src.indexOf('conf_keys[] = {'), src.indexOf('};', src.indexOf('conf_keys[] = {')));
  return [...table.matchAll(/^\s*(?:[SOU]\(|\{ )"([a-z_]+\.[a-z_.]+)"/gm)].map((m) => m[1]);
}

describe('--help and --version', () => {
  for (const prog of PROGRAMS) {
    test(`${prog} answers --help and -h on stdout with status 0`, () => {
      for (const flag of ['--help', '-h']) {
        const r = run(prog, [flag]);
        assert.equal(r.status, 0, `${flag}: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^usage: ${prog.replace('.', '\\.')} `), flag);
        assert.match(r.stdout, /--version/);
        assert.match(r.stdout, new RegExp(`${prog.replace('.', '\\.')}\\(8\\)`), 'it points at the man page');
        assert.equal(r.stderr, '', `${flag} writes nothing on stderr`);
      }
    });

    test(`${prog} --version names the build`, () => {
      const r = run(prog, ['--version']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      const m = r.stdout.match(new RegExp(`^${prog.replace('.', '\\.')} \\(Gauge\\) (\\S+)\\n$`));
      assert.ok(m, `one line naming program and version: ${JSON.stringify(r.stdout)}`);
      assert.equal(run(prog, ['-V']).stdout, r.stdout, '-V is the same');
      // The version make computed for this build...
      assert.equal(m[1], fs.readFileSync(path.join(ROOT, 'build/version.txt'), 'utf8').trim());
      // ...which in a git checkout is `git describe` of a commit of this
      // repository (the tree may have moved on since the build).
      if (fs.existsSync(path.join(ROOT, '.git'))) {
        const commit = m[1].replace(/-dirty$/, '').replace(/^.*-g(?=[0-9a-f]+$)/, '');
        assert.equal(spawnSync('git', ['rev-parse', '--verify', '--quiet', `${commit}^{commit}`],
          { cwd: ROOT }).status, 0, `${m[1]} names a commit`);
      }
    });

    test(`${prog} refuses an unknown option on stderr with a non-zero status`, () => {
      const r = run(prog, ['--no-such-option']);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '', 'nothing on stdout: a script must not take the usage for output');
      assert.match(r.stderr, /no-such-option/);
      assert.match(r.stderr, /usage:/);
    });
  }

  test('gaugectl COMMAND --help shows that command without a config', () => {
    const r = run('gaugectl', ['create-device', '--help'], { env: { ...process.env, GAUGE_CONF: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: gaugectl -c CONFIG create-device --account ID --name NAME/);
  });

  test('gaugectl names an unknown command and a missing configuration', () => {
    const env = { ...process.env };
    delete env.GAUGE_CONF;
    let r = run('gaugectl', ['frobnicate'], { env });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
    r = run('gaugectl', ['status'], { env });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no configuration: give -c CONFIG or set GAUGE_CONF/);
  });

  test('outside a git checkout the build takes VERSION, or says unknown', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'tarball-'));
    fs.copyFileSync(path.join(ROOT, 'GNUmakefile'), path.join(dir, 'GNUmakefile'));
    const version = () => execFileSync('make', ['-s', '--no-print-directory', 'version'],
      { cwd: dir, encoding: 'utf8' }).trim();
    assert.equal(version(), 'unknown');
    fs.writeFileSync(path.join(dir, 'VERSION'), '1.4.2\n');
    assert.equal(version(), '1.4.2');
  });
});

describe('misspelled config keys', () => {
  const conf = path.join(tmp, 'gauge.conf');
  let port;

  async function writeConf() {
    port ??= await freePort();   // nothing listens: no database is needed here
    fs.writeFileSync(conf, `mysql {
  host = 127.0.0.1
  port = ${port}
  connect_timeout = 1
}
mongo.uri = mongodb://127.0.0.1:${port}/?serverSelectionTimeoutMS=200
ratelimit {
  file = ${path.join(tmp, 'ratelimit')}
  per_minut = 50
}
`);
  }
  const WARNING = /warn: config .*gauge\.conf:9: unknown key 'ratelimit\.per_minut' ignored \(did you mean 'ratelimit\.per_minute'\?\)/;

  test('check-config reports a misspelled key with its line and a non-zero status', async () => {
    await writeConf();
    const r = run('gaugectl', ['-c', conf, 'check-config']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^config .*gauge\.conf: FAILED \(1 unknown key\)$/m);
    assert.match(r.stdout, /gauge\.conf:9: unknown key 'ratelimit\.per_minut' ignored \(did you mean 'ratelimit\.per_minute'\?\)/);
    assert.match(r.stderr, WARNING, 'and warned in the log');
  });

  test('gauge.fcgi and gauge-alertd warn about it in the log at start', async () => {
    await writeConf();
    // Run from a shell, gauge.fcgi loads the config and then refuses to start.
    const r = run('gauge.fcgi', ['-c', conf]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, WARNING);

    const child = spawn(path.join(BIN, 'gauge-alertd'), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d) => { log += d; });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor('gauge-alertd to warn', () => WARNING.test(log), { timeoutMs: 10000 });
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, 'it keeps running until told to stop');
  });

  test('the shipped example config uses only known keys', () => {
    // gauge.fcgi loads it and stops before reaching any database.
    const r = run('gauge.fcgi', ['-c', path.join(ROOT, 'etc/gauge.conf.example')],
      { env: { ...process.env, GAUGE_FCGI_LISTEN: '' } });   // not standalone
    assert.match(r.stderr, /not started by a web server/, 'the example loaded');
    assert.doesNotMatch(r.stderr, /unknown key/);
  });
});

describe('make install', () => {
  test('make install PREFIX=/usr DESTDIR=tmp writes no /usr/local into what it installs', () => {
    const dest = path.join(tmp, 'destdir');
    execFileSync('make', ['--no-print-directory', '-s', 'install', 'PREFIX=/usr', `DESTDIR=${dest}`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300000 });
    const files = fs.readdirSync(dest, { recursive: true })
      .map((f) => path.join(dest, f)).filter((f) => fs.statSync(f).isFile());
    const offenders = files.filter((f) => fs.readFileSync(f).includes('/usr/local'));
    assert.deepEqual(offenders.map((f) => path.relative(dest, f)), []);
    assert.ok(!fs.existsSync(path.join(dest, 'usr/local')), 'nothing under /usr/local');

    const doc = path.join(dest, 'usr/share/doc/gauge');
    const unit = fs.readFileSync(path.join(doc, 'examples/systemd/gauge-fcgi.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/bin\/gauge\.fcgi /m);
    assert.match(fs.readFileSync(path.join(doc, 'examples/systemd/gauge-alertd.service'), 'utf8'),
      /^ExecStart=\/usr\/bin\/gauge-alertd /m);
    assert.match(fs.readFileSync(path.join(doc, 'examples/gauge.conf.example'), 'utf8'),
      /templates = \/usr\/share\/gauge\/templates/);
    assert.match(fs.readFileSync(path.join(doc, 'examples/apache/gauge.conf'), 'utf8'),
      /Define GAUGE_HTDOCS \/usr\/share\/gauge\/htdocs/);
    assert.match(fs.readFileSync(path.join(doc, 'examples/lighttpd/lighttpd.conf'), 'utf8'),
      /var\.gauge_htdocs = "\/usr\/share\/gauge\/htdocs"/);
    assert.match(fs.readFileSync(path.join(doc, 'LICENSE'), 'utf8'), /BSD 2-Clause/);
    // The Mosquitto plugin, where the installed broker example loads it from.
    assert.match(fs.readFileSync(path.join(doc, 'examples/mosquitto/gauge.conf'), 'utf8'),
      /^plugin \/usr\/lib\/gauge\/gauge_mosquitto\.so$/m);
    assert.ok(fs.readFileSync(path.join(dest, 'usr/lib/gauge/gauge_mosquitto.so'))
      .equals(fs.readFileSync(path.join(ROOT, 'build/lib/gauge_mosquitto.so'))), 'the built plugin is installed');
    for (const page of MAN_PAGES) {
      const section = page.slice(-1);
      assert.ok(fs.existsSync(path.join(dest, `usr/share/man/man${section}`, path.basename(page))), page);
    }
    for (const dir of ['templates', 'htdocs', 'schema']) {
      assert.ok(fs.statSync(path.join(dest, 'usr/share/gauge', dir)).isDirectory(), dir);
    }
    // Where paths.openapi points by default (PREFIX=/usr): the built document.
    assert.equal(fs.readFileSync(path.join(dest, 'usr/share/gauge/openapi.json'), 'utf8'),
      fs.readFileSync(path.join(ROOT, 'build/openapi.json'), 'utf8'));
    assert.ok(fs.existsSync(path.join(dest, 'usr/share/gauge/htdocs/vendor/swagger-ui/swagger-ui-bundle.js')));
    // The installed programs are the built ones, and run from there.
    for (const prog of PROGRAMS) {
      const r = spawnSync(path.join(dest, 'usr/bin', prog), ['--version'], { encoding: 'utf8' });
      assert.equal(r.stdout, run(prog, ['--version']).stdout, prog);
    }
  });
});

describe('man pages', () => {
  test('the man pages render without warnings', { skip: !which('mandoc') && !which('groff') && 'no mandoc or groff' }, () => {
    for (const page of MAN_PAGES) {
      const file = path.join(ROOT, page);
      const r = which('mandoc')
        ? spawnSync('mandoc', ['-T', 'lint', '-W', 'warning', file], { encoding: 'utf8' })
        : spawnSync('groff', ['-mdoc', '-ww', '-z', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${page}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout + r.stderr, '', page);
      const text = execFileSync('man', ['-l', file], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '80' } });
      assert.match(text, /^NAME$/m, page);
      assert.match(text, /^SYNOPSIS$|^DESCRIPTION$/m, page);
    }
  });

  test('gauge.conf(5) documents every setting there is', () => {
    const keys = confKeys();
    assert.ok(keys.length > 30, `found the settings in conf.c (${keys.length})`);
    const page = fs.readFileSync(path.join(ROOT, 'man/gauge.conf.5'), 'utf8');
    assert.deepEqual(keys.filter((k) => !page.includes(k)), []);
  });

  test('gaugectl(8) documents every command, and each page every option', () => {
    const page = (name) => fs.readFileSync(path.join(ROOT, 'man', name), 'utf8');
    const commands = [...run('gaugectl', ['--help']).stdout.matchAll(/^ {2}([a-z][a-z-]+)/gm)].map((m) => m[1]);
    assert.ok(commands.includes('check-config'), commands.join(' '));
    assert.deepEqual(commands.filter((c) => !new RegExp(`\\bCm ${c}\\b`).test(page('gaugectl.8'))), []);
    for (const prog of PROGRAMS) {
      const longOpts = [...run(prog, ['--help']).stdout.matchAll(/^ {2}-\w, --([a-z-]+)/gm)].map((m) => m[1]);
      assert.ok(longOpts.includes('version'), prog);
      assert.deepEqual(longOpts.filter((o) => !page(`${prog}.8`).includes(`Fl -${o}`)), [], prog);
    }
  });
});
