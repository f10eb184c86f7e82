import type { Command } from 'commander';
import { CairnError } from '../../util/errors.js';

/**
 * The cluster commands of SPEC.md. They are declared here so that `--help` lists the whole
 * contract; each answers NOT_IMPLEMENTED until the cluster issue wires it to the daemon.
 */
export function register(program: Command): void {
  const pending = (what: string) => () => {
    throw new CairnError('NOT_IMPLEMENTED', `${what} is not implemented yet (the cluster daemon lands with the cluster issue)`);
  };
  const node = program.command('node').description('run or stop this machine\'s cluster daemon');
  node
    .command('start')
    .description('start a node (founds a cluster with no --join and an empty data dir)')
    .option('--data-dir <dir>', 'data directory (default $XDG_DATA_HOME/cairn/<name>)')
    .option('--name <name>', 'node name')
    .option('--listen <multiaddr>', 'libp2p listen address')
    .option('--api <host:port>', 'REST API address (loopback by default)')
    .option('--join <multiaddr...>', 'addresses of existing nodes')
    .option('--labels <labels>', 'comma-separated labels: tag or key=value')
    .option('--slots <n>', 'jobs at once (default: CPU count)')
    .option('--cluster-key <file>', 'pre-shared cluster key from `cairn keygen`')
    .option('--detach', 'return once the API answers; leave a pidfile and log')
    .action(pending('cairn node start'));
  node.command('stop').description('stop the node via its pidfile').option('--data-dir <dir>', 'data directory').action(pending('cairn node stop'));
  program.command('cluster').description('cluster state').command('status').description('leader, term, nodes with labels, roles, load').action(pending('cairn cluster status'));
  const pipelines = program.command('pipelines').description('pipelines registered in the cluster config');
  pipelines.command('add').argument('<file>').option('--name <n>').option('--repo <url>').option('--ref <rev>').description('register a pipeline').action(pending('cairn pipelines add'));
  pipelines.command('list').description('list registered pipelines').action(pending('cairn pipelines list'));
  pipelines.command('remove').argument('<name>').description('remove a registered pipeline').action(pending('cairn pipelines remove'));
  program
    .command('submit')
    .argument('<file-or-name>')
    .description('submit a pipeline to the cluster')
    .option('--repo <url>')
    .option('--ref <rev>')
    .option('--labels <labels>')
    .option('--wait', 'wait for the result')
    .option('--follow', 'follow the logs')
    .action(pending('cairn submit'));
  program.command('jobs').description('queue and recent jobs').option('--state <s>').action(pending('cairn jobs'));
  program.command('status').argument('<job>').description('one job: state, node, attempts, steps').action(pending('cairn status'));
  program.command('logs').argument('<job>').option('--follow').description('a job\'s log').action(pending('cairn logs'));
  program.command('cancel').argument('<job>').description('cancel a job').action(pending('cairn cancel'));
  program.command('history').option('--limit <n>').description('finished jobs from the history repository').action(pending('cairn history'));
  program.command('repl').description('interactive colour terminal that follows the leader').action(pending('cairn repl'));
  program
    .command('bot')
    .description('chat bots')
    .command('irc')
    .requiredOption('--server <host:port>')
    .requiredOption('--channel <chan>')
    .requiredOption('--nick <name>')
    .option('--allow <nicks>')
    .description('run the IRC bot')
    .action(pending('cairn bot irc'));
}
