/**
 * The baseline server of `bench/ingest.ts`: the same Fastify version as Orkestra, run the same way (a
 * child process through tsx), with routes that parse the same JSON bodies and answer 200 without
 * validation, authentication or storage. What Orkestra does beyond this is what its ratio measures.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
const success = async (): Promise<{ success: true }> => ({ success: true });
app.post('/v1/track', success);
app.post('/v1/batch', success);

const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`baseline listening at ${address}`);
const shutdown = (): void => {
  void app.close().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
