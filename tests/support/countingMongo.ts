import { MongoClient, type Db } from 'mongodb';
import { mongoConnectionUrl, uniqueId } from './isolation.ts';

/** A Mongo client on a fresh database that counts the commands it sends (store round trips). */
export interface CountingMongo {
  client: MongoClient;
  db: Db;
  /** Commands sent so far. */
  commands(): number;
  /** Drops the database and closes the client. */
  close(): Promise<void>;
}

/** Connects a command-counting client (driver command monitoring) to a fresh database named after `prefix`. */
export async function countingMongo(prefix: string): Promise<CountingMongo> {
  const client = new MongoClient(mongoConnectionUrl, { monitorCommands: true });
  let commands = 0;
  client.on('commandStarted', () => void commands++);
  await client.connect();
  const db = client.db(uniqueId(prefix));
  return {
    client, db, commands: () => commands,
    async close() {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}
