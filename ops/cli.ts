import { Command, CommanderError } from 'commander';
import { StackError, stackUp } from '../stack/stack.ts';
import { ConfigError, loadConfig, createLogger, appVersion } from '../platform/index.ts';
import { ensureLocalDatabase, migrateDatabase } from './database.ts';
import { roles, type Role } from './roles/index.ts';
import { runRoles } from './run.ts';
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
  const logger = createLogger(config);
  const code = await runRoles(selected, { config, logger });
  process.exit(code);
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
  .description(`start the local stack (PostgreSQL, Kafka, FerretDB), then run every role in one process (${roles.map((r) => r.name).join(', ')})`)
  .action(async () => {
    const config = loadConfig(); // a bad variable stops us before the stack is touched
    await stackUp();
    await ensureLocalDatabase(config);
    await migrateDatabase(config);
    await runAndExit(roles);
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

registerProjectionCommands(program);
registerDlqCommands(program);
registerOutboxCommands(program);
registerStreamsCommands(program);
registerStackCommands(program);
registerEventsCommands(program);

program.parseAsync(process.argv).then(() => process.exit(process.exitCode ?? ExitCode.OK), fail);
