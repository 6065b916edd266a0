// Step 3: write the result to the warehouse. The demo's "warehouse" is any TCP listener; with no
// address configured the load is a local no-op. `connection-refused` points it at a closed port.
import { connect } from 'node:net';

export async function loadData(payload: string, warehouse: { host: string; port: number } | null): Promise<number> {
  if (!warehouse) return payload.length;
  return new Promise((resolve, reject) => {
    const socket = connect(warehouse, () => {
      socket.end(payload, () => resolve(payload.length));
    });
    socket.once('error', reject);
  });
}
