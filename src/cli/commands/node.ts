import type { Command } from 'commander';

/** `cairn node start|stop`: this machine's cluster daemon. */
export function register(program: Command): void {
  const node = program.command('node').description("run or stop this machine's cluster daemon");
  node
    .command('start')
    .description('start a node (founds a cluster with no --join and an empty data dir)')
    .option('--config <file>', 'settings file (YAML or JSON) with any of the flags below by long name, e.g. labels: [maven, os=linux]; flags win over it; SIGHUP re-reads its labels and slots')
    .option('--data-dir <dir>', 'data directory (default $XDG_DATA_HOME/cairn/<name>)')
    .option('--name <name>', 'node name (default: the host name)')
    .option('--listen <multiaddr>', 'libp2p listen address (default /ip4/127.0.0.1/tcp/0)')
    .option('--api <host:port>', 'REST API address (default 127.0.0.1:7070; off loopback it needs CAIRN_API_TOKEN)')
    .option('--join <multiaddr...>', 'addresses of existing nodes')
    .option('--labels <labels>', 'comma-separated labels: tag or key=value (fixed for the process: SIGHUP changes only labels from --config)')
    .option('--slots <n>', 'jobs at once (default: CPU count; fixed for the process like --labels)')
    .option('--cluster-key <file>', 'pre-shared cluster key from `cairn keygen`')
    .option('--detach', 'return once the API answers; leave a pidfile and a log file in the data dir')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { nodeStartCommand } = await import('../../../node/start-command.js');
      await nodeStartCommand(opts, cmd);
    });
  node
    .command('stop')
    .description('stop the node via its pidfile (SIGTERM) and wait for a clean exit')
    .option('--data-dir <dir>', 'data directory')
    .option('--name <name>', 'node name, to find the default data directory')
    .action(async (opts: Record<string, unknown>) => {
      const { nodeStopCommand } = await import('../../../node/stop-command.js');
      await nodeStopCommand(opts);
    });
}
