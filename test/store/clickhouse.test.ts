import { after, before } from 'node:test';
import { ClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { startClickHouse, type RunningServer } from '../servers.js';
import { storeContract } from './contract.js';

// A real clickhouse-server (Debian's package, installed by .ci/run), private to this test file.
let server: RunningServer;
let n = 0;
let db = '';
before(async () => { server = await startClickHouse(); });
after(async () => { await server?.stop(); });

storeContract(
  'clickhouse',
  async () => {
    db = `t${process.pid}_${++n}`;
    return ClickHouseStore.open({ url: server.url, database: db });
  },
  async () => ClickHouseStore.open({ url: server.url, database: db }),
);
