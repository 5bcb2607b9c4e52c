import { describeJourneyStoreContract } from '../journey-store-contract.js';
import { openSqliteStore } from './sqlite-store.js';

describeJourneyStoreContract('sqlite (memory)', async () => openSqliteStore({ path: ':memory:' }));
