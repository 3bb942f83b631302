import { Command } from 'commander';
import { StackError, stackUp } from '../stack/stack.ts';
import { ConfigError, loadConfig } from './config.ts';
import { ensureLocalDatabase, migrateDatabase } from './database.ts';
import { createLogger } from './logger.ts';
import { roles, type Role } from './roles/index.ts';
import { runRoles } from './run.ts';
import { appVersion } from './version.ts';

/** Loads the configuration, runs `selected` until a signal, and exits with their outcome. */
async function runAndExit(selected: readonly Role[]): Promise<never> {
  const config = loadConfig();
  const logger = createLogger(config);
  const code = await runRoles(selected, { config, logger });
  process.exit(code);
}

function fail(err: unknown): never {
  if (err instanceof StackError) console.error(err.line());
  else if (err instanceof ConfigError) console.error(`orderflow: ${err.message}`);
  else console.error(`orderflow: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
}

const program = new Command('orderflow').description('orderflow: event-sourced orders behind GraphQL').version(appVersion);

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

program.parseAsync(process.argv).catch(fail);
