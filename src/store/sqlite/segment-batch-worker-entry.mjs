// Bootstrap of a segment batch worker: TypeScript sources run through tsx's loader, as in the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./segment-batch-worker.ts');
