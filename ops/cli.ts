// First: the OpenTelemetry SDK (when OTEL_* asks for it) must be registered before any tracer is taken.
import { shutdownTracing } from './tracingBoot.ts';
import { Command, CommanderError } from 'commander';
import { StackError, stackUp } from '../stack/stack.ts';
import { ConfigError, loadConfig, createLogger, appVersion, requireEdgeSecrets } from '../platform/index.ts';
import { ensureLocalDatabase, migrateDatabase } from './database.ts';
import { roles, type Role } from './roles/index.ts';
import { runRoles } from './run.ts';
import { DEFAULT_SHAPE, parseShape } from './topology/plan.ts';
import { runTopology } from './topology/runTopology.ts';
import { awaitAssignedRole } from './topology/spare.ts';
import { ExitCode } from './commands/cliSupport.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerEventsCommands } from './commands/events.ts';
import { registerOutboxCommands } from './commands/outbox.ts';
import { registerProjectionCommands } from './commands/projections.ts';
import { registerStackCommands } from './commands/stack.ts';
import { registerStreamsCommands } from './commands/streams.ts';

/** Loads the configuration, runs `selected` until a signal, and exits with their outcome. */
async function runAndExit(selected: readonly Role[]): Promise<never> {
  const config = loadConfig();
  // The serve role checks this itself too; here it stops the process with the one config line.
  if (selected.some((r) => r.name === 'serve')) requireEdgeSecrets(config);
  const logger = createLogger(config);
  const code = await runRoles(selected, { config, logger });
  await shutdownTracing(); // the last spans (the drain's) are exported before the exit
  process.exit(code);
}

/** A port given on the command line; a bad one is a usage error. */
function portOption(name: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_000) throw new CommanderError(2, 'orderflow.usage', `${name}: expected a port`);
  return port;
}

function fail(err: unknown): never {
  // commander's own exits: help and version are fine; anything else is a usage error.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE);
  if (err instanceof StackError) console.error(err.line());
  else if (err instanceof ConfigError) console.error(`orderflow: ${err.message}`);
  else console.error(`orderflow: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
}

const program = new Command('orderflow')
  .description('orderflow: event-sourced orders behind GraphQL')
  .version(appVersion)
  // Exit codes: 0 ok, 1 failure, 2 usage error, 3 not found. Program options only before a subcommand.
  .exitOverride()
  .enablePositionalOptions()
  .showHelpAfterError('(add --help for usage)');

program
  .command('start')
  .description(`start the local stack (PostgreSQL, Kafka, FerretDB, Redis), then run every role in one process (${roles.map((r) => r.name).join(', ')})`)
  .option('--topology', 'run the production shape instead: each role as its own supervised process, the serve replicas behind a round-robin proxy on ORDERFLOW_HTTP_PORT')
  .option('--shape <counts>', `processes per role with --topology (default ${Object.entries(DEFAULT_SHAPE).map(([k, v]) => `${k}=${v}`).join(',')})`)
  .option('--serve-port-base <port>', 'with --topology: serve-N listens on this + N (default ORDERFLOW_HTTP_PORT + 100)')
  .option('--ops-port-base <port>', 'with --topology: the N-th worker process serves /healthz, /readyz, /metrics on this + N (default 9460)')
  .option('--no-stack', 'do not start the local stack (it is already up, or the services are elsewhere)')
  .action(async (o: { topology?: boolean; shape?: string; stack: boolean; servePortBase?: string; opsPortBase?: string }) => {
    const config = loadConfig(); // a bad variable stops us before the stack is touched
    const shape = o.shape !== undefined ? parseShape(o.shape) : DEFAULT_SHAPE;
    if (o.stack) await stackUp();
    await ensureLocalDatabase(config);
    await migrateDatabase(config);
    if (!o.topology) await runAndExit(roles);
    process.exit(await runTopology({
      config, logger: createLogger(config), shape,
      ...(o.servePortBase !== undefined && { servePortBase: portOption('--serve-port-base', o.servePortBase) }),
      ...(o.opsPortBase !== undefined && { opsPortBase: portOption('--ops-port-base', o.opsPortBase) }),
    }));
  });

program
  .command('migrate')
  .description('apply pending event store migrations to DATABASE_URL, then exit')
  .action(async () => {
    const applied = await migrateDatabase(loadConfig());
    console.log(applied.length > 0 ? `applied ${applied.join(', ')}` : 'no pending migrations');
  });

for (const role of roles) {
  program
    .command(role.name)
    .description(role.description)
    .action(async () => runAndExit([role]));
}

program
  .command('spare', { hidden: true })
  .description('(run by the topology supervisor) load everything, then run the role it is handed')
  .action(async () => {
    const name = await awaitAssignedRole();
    const role = roles.find((r) => r.name === name);
    if (!role) throw new CommanderError(2, 'orderflow.usage', `spare: unknown role ${name}`);
    await runAndExit([role]);
  });

registerProjectionCommands(program);
registerDlqCommands(program);
registerOutboxCommands(program);
registerStreamsCommands(program);
registerStackCommands(program);
registerEventsCommands(program);

program.parseAsync(process.argv).then(() => process.exit(process.exitCode ?? ExitCode.OK), fail);
