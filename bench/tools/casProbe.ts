/**
 * Probe: do concurrent compare-and-set `replaceOne`s on one document exclude each other in this
 * view store? Prints, over 30 trials of 6 writers, how many trials had more than one winner
 * (MongoDB: 0; FerretDB 1.24: all of them). Usage: `npx tsx bench/tools/casProbe.ts` (MONGO_URL).
 */
import { MongoClient } from 'mongodb';

const client = await MongoClient.connect(process.env['MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/');
const lists = client.db(`cas_probe_${process.pid}`).collection<{ _id: string; items: string[] }>('lists');
let doubleWins = 0;
const trials = 30;
for (let t = 0; t < trials; t++) {
  await lists.insertOne({ _id: `b${t}`, items: ['x'] });
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => lists.replaceOne({ _id: `b${t}`, items: ['x'] }, { items: ['x', `w${i}`] })));
  if (results.filter((r) => r.matchedCount === 1).length > 1) doubleWins++;
}
console.log(`${trials} trials of 6 concurrent CAS writers: ${doubleWins} had more than one winner`);
await lists.db.dropDatabase();
await client.close();
