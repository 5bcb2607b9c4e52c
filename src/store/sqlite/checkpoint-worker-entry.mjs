// Bootstrap of the checkpoint thread: TypeScript sources run through tsx's loader, as in the main thread.
import { register } from 'tsx/esm/api';

register();
await import('./checkpoint-worker.ts');
