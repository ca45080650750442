import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServerOptions {
  /** True once the model is loaded and the consumer joined its group. */
  ready: () => boolean;
  metrics: (request: IncomingMessage, response: ServerResponse) => void;
}

/** /healthz (process alive), /readyz (ready to consume), /metrics (Prometheus text). */
export class HealthServer {
  readonly #server: Server;
  #listening = false;

  constructor(options: HealthServerOptions) {
    this.#server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path === '/healthz') return reply(response, 200, 'ok\n');
      if (path === '/readyz')
        return options.ready() ? reply(response, 200, 'ready\n') : reply(response, 503, 'not ready\n');
      if (path === '/metrics') return options.metrics(request, response);
      reply(response, 404, 'not found\n');
    });
  }

  /** Resolves with the port listened on (useful when configured with port 0). */
  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '0.0.0.0', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#listening = true;
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function reply(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}
