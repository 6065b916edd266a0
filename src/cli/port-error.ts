import { SentinelError } from '../errors.js';

/** A listen() failure as the user should read it: a taken port gets its own code, the rest pass through. */
export function portError(error: unknown, port: number, setting: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new SentinelError('SENTINEL_ERR_PORT_IN_USE', `port ${port} (${setting}) is already in use by another process`, { cause: error });
  if (code === 'EACCES') return new SentinelError('SENTINEL_ERR_PORT_IN_USE', `port ${port} (${setting}) needs privileges this process does not have; use a port above 1023`, { cause: error });
  return error;
}
