import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileAsync } from './helpers.js';

/**
 * Real third-party projects, fetched at test time through the registries' own clients and
 * unpacked into temporary folders; nothing of them is kept in the repository.
 */

/** Unpacks `spec` (name@version) from the npm registry into `dest/package`; returns that folder. */
export async function npmPackage(spec: string, dest: string): Promise<string> {
  await mkdir(dest, { recursive: true });
  const { stdout } = await execFileAsync('npm', ['pack', spec, '--json', '--pack-destination', dest], {
    cwd: dest,
    timeout: 120_000,
  });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  if (packed === undefined) throw new Error(`npm pack ${spec} printed no file`);
  await execFileAsync('tar', ['-xzf', join(dest, packed.filename), '-C', dest]);
  return join(dest, 'package');
}

/**
 * The apt sources of this machine, as `deb-src` entries for its own release only: the same
 * mirror and keys apt already uses, so the source comes from where the binaries come from.
 */
function sourceEntries(): string {
  const release = /^VERSION_CODENAME=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]?.trim();
  if (release === undefined || release === '') throw new Error('cannot tell the Debian release from /etc/os-release');
  const entries: string[] = [];
  const dir = '/etc/apt/sources.list.d';
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sources')).map((f) => join(dir, f)) : [];
  for (const file of files) {
    for (const stanza of readFileSync(file, 'utf8').split(/\n\s*\n/)) {
      const field = (name: string): string | undefined =>
        new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(stanza)?.[1]?.trim();
      if (!(field('Types') ?? '').split(/\s+/).includes('deb') || field('Enabled') === 'no') continue;
      if (!(field('Suites') ?? '').split(/\s+/).includes(release)) continue;
      const signedBy = field('Signed-By');
      entries.push(
        [
          'Types: deb-src',
          `URIs: ${field('URIs') ?? ''}`,
          `Suites: ${release}`,
          `Components: ${field('Components') ?? 'main'}`,
          ...(signedBy === undefined ? [] : [`Signed-By: ${signedBy}`]),
        ].join('\n'),
      );
    }
  }
  const legacy = '/etc/apt/sources.list';
  if (existsSync(legacy)) {
    for (const line of readFileSync(legacy, 'utf8').split('\n')) {
      const m = /^deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line.trim());
      if (m !== null && m[3] === release) entries.push(`Types: deb-src\nURIs: ${m[2]}\nSuites: ${release}\nComponents: ${m[4]}`);
    }
  }
  if (entries.length === 0) throw new Error(`no apt source for ${release} to fetch source packages from`);
  return entries.join('\n\n') + '\n';
}

/**
 * Unpacks Debian's source package `name` into `dest` with `apt-get source`, using a private
 * apt configuration (deb-src lines, lists and cache all inside `dest`): the machine's apt setup
 * is read, never changed. Returns the unpacked source folder.
 */
export async function debianSource(name: string, dest: string): Promise<string> {
  const apt = join(dest, 'apt');
  for (const d of ['parts', 'lists/partial', 'cache/archives/partial', 'src']) await mkdir(join(apt, d), { recursive: true });
  await writeFile(join(apt, 'parts', 'src.sources'), sourceEntries());
  const options = [
    '-o', 'Dir::Etc::SourceList=/dev/null',
    '-o', `Dir::Etc::SourceParts=${join(apt, 'parts')}`,
    '-o', `Dir::State::Lists=${join(apt, 'lists')}`,
    '-o', `Dir::Cache=${join(apt, 'cache')}`,
    // As root, apt would hand downloads to its _apt user, who cannot write into a private temp folder.
    ...(process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : []),
  ];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await execFileAsync('apt-get', [...options, '-qq', 'update'], { env, timeout: 120_000 });
  const src = join(apt, 'src');
  await execFileAsync('apt-get', [...options, '-qq', 'source', name], { cwd: src, env, timeout: 120_000 });
  const unpacked = (await readdir(src, { withFileTypes: true })).find((e) => e.isDirectory());
  if (unpacked === undefined) throw new Error(`apt-get source ${name} unpacked nothing`);
  const out = join(dest, name);
  await execFileAsync('mv', [join(src, unpacked.name), out]);
  return out;
}
