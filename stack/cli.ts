import { loadStackConfig, StackError, stackDown, stackStatus, stackUp } from './stack.ts';

/** `npm run stack:up|down|status`: manage the local PostgreSQL, Kafka, FerretDB and Redis. */
async function main(command: string | undefined): Promise<number> {
  const cfg = loadStackConfig();
  switch (command) {
    case 'up': {
      const started = await stackUp(cfg);
      for (const [name, did] of Object.entries(started)) console.log(`${name.padEnd(9)} ${did ? 'started' : 'already running'}`);
      return 0;
    }
    case 'down':
      await stackDown(cfg);
      console.log('stack stopped');
      return 0;
    case 'status': {
      const all = await stackStatus(cfg);
      for (const s of all) console.log(`${s.name.padEnd(9)} ${s.answers ? 'up  ' : 'DOWN'}  127.0.0.1:${s.port}  ${s.version}${s.pid ? `  pid ${s.pid}` : ''}`);
      return all.every((s) => s.answers) ? 0 : 1;
    }
    default:
      console.error('usage: stack <up|down|status>');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof StackError ? err.line() : `stack: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
