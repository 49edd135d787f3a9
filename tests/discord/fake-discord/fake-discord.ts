/**
 * A fake Discord on 127.0.0.1 that the real discord.js client talks to: a REST v10 subset over HTTP and a v10 JSON
 * gateway over WebSocket on the same port. Every REST request is recorded (method, path, query, JSON body) so tests
 * can assert what the bot sent; tests trigger gateway dispatches and closes.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest {
  method: string;
  /** Path after the API version, without query: `/interactions/1/tok/callback`. */
  path: string;
  query: string;
  body: any;
  authorization?: string;
}

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  botUserId?: string;
  guildId?: string;
  channelId?: string;
  /** Role ids the guild has, besides @everyone (members can only hold roles the guild has). */
  roleIds?: string[];
  /** Close the gateway with this code as soon as the client identifies (4004, 4014, …). */
  closeOnIdentify?: number;
}

interface FailRule {
  method: string;
  path: RegExp;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  times: number;
}

const BOT_NAME = 'Sourcier';
const GUILD_MESSAGES_INTENT = 1 << 9;
let snowflake = 1_200_000_000_000_000_000n;
/** A fresh 19-digit id (discord.js and @discordjs/rest route on 17–19 digit ids). */
export function newId(): string {
  snowflake += 1n;
  return snowflake.toString();
}

export class FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly requests: RecordedRequest[] = [];
  /** Gateway payloads received from the client (IDENTIFY, RESUME, heartbeats). */
  readonly gatewayReceived: Array<{ op: number; d: any }> = [];
  /** Query strings of gateway connections (`v=10&encoding=json`). */
  readonly gatewayQueries: string[] = [];
  readonly channels = new Map<string, { id: string; type: number; parent_id?: string; owner_id?: string; name: string }>();

  #server: Server;
  #wss: WebSocketServer;
  #sockets = new Set<WebSocket>();
  #live: WebSocket | undefined;
  #seq = 0;
  #sessionId = `session-${newId()}`;
  #fail: FailRule[] = [];
  #messages = new Map<string, any>();
  #originals = new Map<string, string>();
  #waiters: Array<() => void> = [];
  #options: FakeDiscordOptions;
  port = 0;

  constructor(options: FakeDiscordOptions = {}) {
    this.#options = options;
    this.token = options.token ?? 'fake-token-for-tests.XXXXXX.not-a-real-discord-bot-token';
    this.applicationId = options.applicationId ?? newId();
    this.botUserId = options.botUserId ?? this.applicationId;
    this.guildId = options.guildId ?? newId();
    this.channelId = options.channelId ?? newId();
    this.channels.set(this.channelId, { id: this.channelId, type: 0, name: 'questions' });
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#wss = new WebSocketServer({ noServer: true });
    this.#server.on('upgrade', (req, socket, head) => {
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onSocket(ws, req));
    });
  }

  async listen(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  /** REST base to give discord.js (`rest.api` / DISCORD_API_URL). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /** Makes the next `times` requests matching method and path fail with `status`. */
  failNext(method: string, path: RegExp, status: number, body: unknown = { message: 'failure', code: 0 }, headers: Record<string, string> = {}, times = 1): void {
    this.#fail.push({ method, path, status, body, headers, times });
  }

  /** Responds 429 once, as Discord does when a route's bucket is exhausted. */
  rateLimitNext(method: string, path: RegExp, retryAfterSeconds = 0.2): void {
    this.failNext(
      method,
      path,
      429,
      { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
      { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-scope': 'user', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': String(retryAfterSeconds) },
    );
  }

  /** Resolves when a recorded request matches (checks what is already recorded first). */
  async waitForRequest(match: (r: RecordedRequest) => boolean, timeoutMs = 5_000): Promise<RecordedRequest> {
    return this.#waitFor(() => this.requests.find(match), timeoutMs, 'request');
  }

  /** Resolves when `probe` returns true (re-checked on every request or gateway payload, and every 50 ms). */
  async waitUntil(probe: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    await this.#waitFor(() => (probe() ? true : undefined), timeoutMs, what);
  }

  async waitForGateway(op: number, count = 1, timeoutMs = 10_000): Promise<void> {
    await this.#waitFor(() => (this.gatewayReceived.filter((p) => p.op === op).length >= count ? true : undefined), timeoutMs, `gateway op ${op}`);
  }

  async #waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`fake discord: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  #notify(): void {
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w();
  }

  /** Requests that send a message (interaction responses with data, webhook edits/follow-ups, channel messages). */
  messageBodies(): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        (r.method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(r.path) && r.body?.data && r.body.type !== 5 && r.body.type !== 8) ||
        (/^\/webhooks\/\d+\/[^/]+(\/messages\/.+)?$/.test(r.path) && (r.method === 'PATCH' || r.method === 'POST')) ||
        (r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path)),
    );
  }

  // ---- gateway ----

  #send(ws: WebSocket, payload: unknown): void {
    ws.send(JSON.stringify(payload));
  }

  #dispatch(t: string, d: unknown): void {
    if (!this.#live) throw new Error('fake discord: no gateway connection to dispatch on');
    this.#seq += 1;
    this.#send(this.#live, { op: 0, t, s: this.#seq, d });
  }

  #onSocket(ws: WebSocket, req: IncomingMessage): void {
    this.#sockets.add(ws);
    this.gatewayQueries.push(new URL(req.url ?? '/', 'http://x').search.slice(1));
    ws.on('close', () => {
      this.#sockets.delete(ws);
      if (this.#live === ws) this.#live = undefined;
    });
    ws.on('message', (raw) => {
      const payload = JSON.parse(raw.toString()) as { op: number; d: any };
      this.gatewayReceived.push(payload);
      this.#notify();
      if (payload.op === 1) this.#send(ws, { op: 11 });
      if (payload.op === 2) this.#identify(ws, payload.d);
      if (payload.op === 6) this.#resume(ws, payload.d);
    });
    this.#send(ws, { op: 10, d: { heartbeat_interval: 41_250 } });
  }

  #identify(ws: WebSocket, d: any): void {
    if (this.#options.closeOnIdentify) {
      ws.close(this.#options.closeOnIdentify, 'closed by the fake');
      return;
    }
    if (d.token !== this.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    this.#live = ws;
    this.#seq = 0;
    this.#dispatch('READY', {
      v: 10,
      user: { id: this.botUserId, username: BOT_NAME, discriminator: '0', global_name: BOT_NAME, bot: true, avatar: null, flags: 0 },
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: this.#sessionId,
      resume_gateway_url: this.gatewayUrl,
      application: { id: this.applicationId, flags: 0 },
      shard: [0, 1],
      private_channels: [],
    });
    this.#dispatch('GUILD_CREATE', {
      id: this.guildId,
      name: 'Rédaction',
      icon: null,
      owner_id: newId(),
      unavailable: false,
      member_count: 3,
      large: false,
      features: [],
      joined_at: new Date().toISOString(),
      channels: [...this.channels.values()].filter((c) => c.type !== 11).map((c, i) => ({ ...c, guild_id: this.guildId, position: i, permission_overwrites: [] })),
      threads: [],
      roles: [this.guildId, ...(this.#options.roleIds ?? [])].map((id, i) => ({
        id,
        name: i === 0 ? '@everyone' : `role-${i}`,
        permissions: '1071698660929',
        position: i,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      })),
      members: [],
      presences: [],
      voice_states: [],
      emojis: [],
      stickers: [],
      preferred_locale: 'fr',
    });
  }

  #resume(ws: WebSocket, d: any): void {
    if (d.token !== this.token || d.session_id !== this.#sessionId) {
      this.#send(ws, { op: 9, d: false });
      return;
    }
    this.#live = ws;
    this.#dispatch('RESUMED', {});
  }

  /** Closes the live gateway connection with `code` (4000 unknown error: the client resumes; 4004: it must give up). */
  closeGateway(code: number): void {
    for (const ws of this.#sockets) ws.close(code, 'closed by the fake');
  }

  get connected(): boolean {
    return this.#live !== undefined;
  }

  // ---- dispatches tests trigger ----

  user(id = newId(), name = 'lectrice'): any {
    return { id, username: name, discriminator: '0', global_name: name, avatar: null, bot: false, flags: 0 };
  }

  #interactionBase(opts: InteractionOptions) {
    const user = opts.user ?? this.user(opts.userId);
    const channelId = opts.channelId ?? this.channelId;
    const channel = this.channels.get(channelId) ?? { id: channelId, type: 0, name: 'autre' };
    return {
      id: newId(),
      application_id: this.applicationId,
      token: `interaction-token-${newId()}-secretpart`,
      version: 1,
      guild_id: opts.guildId ?? this.guildId,
      channel_id: channelId,
      channel: { ...channel, guild_id: opts.guildId ?? this.guildId },
      member: {
        user,
        roles: opts.roles ?? [],
        permissions: opts.permissions ?? '1071698660929',
        joined_at: new Date().toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
      },
      locale: 'fr',
      guild_locale: 'fr',
      app_permissions: '1071698660929',
      entitlements: [],
      authorizing_integration_owners: { '0': opts.guildId ?? this.guildId },
      context: 0,
    };
  }

  /** Dispatches a slash command; returns the interaction id and token. */
  slashCommand(name: string, options: Record<string, string>, opts: InteractionOptions = {}): { id: string; token: string } {
    const base = this.#interactionBase(opts);
    this.#dispatch('INTERACTION_CREATE', {
      ...base,
      type: 2,
      data: { id: newId(), name, type: 1, options: Object.entries(options).map(([n, value]) => ({ name: n, type: 3, value })) },
    });
    return { id: base.id, token: base.token };
  }

  autocomplete(name: string, focused: string, value: string, opts: InteractionOptions = {}): { id: string; token: string } {
    const base = this.#interactionBase(opts);
    this.#dispatch('INTERACTION_CREATE', {
      ...base,
      type: 4,
      data: { id: newId(), name, type: 1, options: [{ name: focused, type: 3, value, focused: true }] },
    });
    return { id: base.id, token: base.token };
  }

  /** Dispatches a click on a button of `message` (a message object the fake returned). */
  clickButton(customId: string, message: any, opts: InteractionOptions = {}): { id: string; token: string } {
    const base = this.#interactionBase(opts);
    this.#dispatch('INTERACTION_CREATE', {
      ...base,
      type: 3,
      message,
      data: { custom_id: customId, component_type: 2 },
    });
    return { id: base.id, token: base.token };
  }

  /** Dispatches the message context-menu command on a message with `content`. */
  messageCommand(name: string, content: string, opts: InteractionOptions = {}): { id: string; token: string } {
    const base = this.#interactionBase(opts);
    const target = this.#messageObject({ content, author: this.user(), channel_id: base.channel_id });
    this.#dispatch('INTERACTION_CREATE', {
      ...base,
      type: 2,
      data: { id: newId(), name, type: 3, target_id: target.id, resolved: { messages: { [target.id]: target } } },
    });
    return { id: base.id, token: base.token };
  }

  /**
   * Dispatches MESSAGE_CREATE (a user writing in a channel) — only when the client identified with the GuildMessages
   * intent, as Discord does. Returns the message id either way.
   */
  userMessage(content: string, opts: InteractionOptions & { mentionsBot?: boolean } = {}): string {
    const author = opts.user ?? this.user(opts.userId);
    const channelId = opts.channelId ?? this.channelId;
    const message = this.#messageObject({
      content,
      author,
      channel_id: channelId,
      mentions: opts.mentionsBot ? [{ id: this.botUserId, username: BOT_NAME, discriminator: '0', bot: true }] : [],
    });
    const identify = [...this.gatewayReceived].reverse().find((p) => p.op === 2);
    if (((identify?.d.intents ?? 0) & GUILD_MESSAGES_INTENT) === 0) return message.id;
    this.#dispatch('MESSAGE_CREATE', { ...message, guild_id: this.guildId, member: { roles: opts.roles ?? [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 } });
    return message.id;
  }

  #messageObject(fields: Record<string, any>): any {
    const message = {
      id: newId(),
      type: 0,
      content: '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      flags: 0,
      ...fields,
    };
    this.#messages.set(message.id, message);
    return message;
  }

  /** The message the bot last wrote for an interaction token (its original response), as the fake stored it. */
  original(token: string): any {
    const id = this.#originals.get(token);
    return id === undefined ? undefined : this.#messages.get(id);
  }

  // ---- REST ----

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname).replace(/^\/api/, '').replace(/^\/v\d+/, '');
    let body: any = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        // multipart bodies (files) are not used by the bot; keep the text
        body = { raw: text.slice(0, 200), payload_json: /name="payload_json"[\s\S]*?\r\n\r\n([\s\S]*?)\r\n--/.exec(text)?.[1] };
        if (body.payload_json) body = JSON.parse(body.payload_json);
      }
    }
    const method = req.method ?? 'GET';
    this.requests.push({ method, path, query: url.search.slice(1), body, authorization: req.headers.authorization });
    this.#notify();

    const rule = this.#fail.find((r) => r.method === method && r.path.test(path) && r.times > 0);
    if (rule) {
      rule.times -= 1;
      return this.#json(res, rule.status, rule.body, rule.headers);
    }

    const botRoute = !/^\/(interactions|webhooks)\//.test(path);
    if (botRoute && req.headers.authorization !== `Bot ${this.token}`) {
      return this.#json(res, 401, { message: '401: Unauthorized', code: 0 });
    }

    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return this.#json(res, 200, {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 60_000, max_concurrency: 1 },
      });
    }
    if (method === 'GET' && path === '/users/@me') {
      return this.#json(res, 200, { id: this.botUserId, username: BOT_NAME, discriminator: '0', bot: true, avatar: null, flags: 0 });
    }
    if (method === 'PUT' && (m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path))) {
      return this.#json(res, 200, (body as any[]).map((c) => ({ ...c, id: newId(), application_id: m![1], version: newId(), ...(m![2] ? { guild_id: m![2] } : {}) })));
    }
    if (method === 'POST' && (m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path))) {
      const token = m[2]!;
      if (body?.type === 4 || body?.type === 5 || body?.type === 7) {
        const message = this.#messageObject({
          ...(body.data ?? {}),
          author: this.#botAuthor(),
          channel_id: this.channelId,
          webhook_id: this.applicationId,
          application_id: this.applicationId,
        });
        this.#originals.set(token, message.id);
      }
      if (url.searchParams.get('with_response') === 'true') {
        return this.#json(res, 200, { interaction: { id: m[1], type: 2 }, resource: { type: body?.type, message: this.original(token) } });
      }
      res.writeHead(204).end();
      return;
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/.exec(path))) {
      const token = m[2]!;
      const id = m[3] === '@original' ? this.#originals.get(token) : m[3];
      const message = id ? this.#messages.get(id) : undefined;
      if (!message) return this.#json(res, 404, { message: 'Unknown Message', code: 10008 });
      if (method === 'PATCH') {
        Object.assign(message, { ...body, edited_timestamp: new Date().toISOString() });
        delete message.allowed_mentions;
      }
      if (method === 'DELETE') {
        res.writeHead(204).end();
        return;
      }
      return this.#json(res, 200, message);
    }
    if (method === 'POST' && (m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path))) {
      const message = this.#messageObject({ ...body, author: this.#botAuthor(), channel_id: this.channelId, webhook_id: this.applicationId });
      delete message.allowed_mentions;
      return this.#json(res, 200, message);
    }
    if (method === 'POST' && (m = /^\/channels\/(\d+)\/messages$/.exec(path))) {
      const message = this.#messageObject({ ...body, author: this.#botAuthor(), channel_id: m[1] });
      delete message.allowed_mentions;
      return this.#json(res, 200, message);
    }
    if (method === 'POST' && (m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path))) {
      const thread = { id: m[2]!, type: 11, parent_id: m[1]!, owner_id: this.botUserId, name: body?.name ?? 'fil' };
      this.channels.set(thread.id, thread);
      const threadObject = {
        ...thread,
        guild_id: this.guildId,
        thread_metadata: { archived: false, auto_archive_duration: body?.auto_archive_duration ?? 1440, archive_timestamp: new Date().toISOString(), locked: false },
        message_count: 0,
        member_count: 1,
        rate_limit_per_user: 0,
        flags: 0,
      };
      // Discord tells the bot about the new thread on the gateway (Guilds intent), as it does for real.
      if (this.#live) this.#dispatch('THREAD_CREATE', { ...threadObject, newly_created: true });
      return this.#json(res, 201, threadObject);
    }
    if (method === 'POST' && /^\/channels\/\d+\/typing$/.test(path)) {
      res.writeHead(204).end();
      return;
    }
    return this.#json(res, 404, { message: `fake discord: no route ${method} ${path}`, code: 0 });
  }

  #botAuthor() {
    return { id: this.botUserId, username: BOT_NAME, discriminator: '0', bot: true, avatar: null, flags: 0 };
  }

  #json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  /** Closes every socket and the server. */
  async close(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#notify();
  }
}

export interface InteractionOptions {
  userId?: string;
  user?: any;
  guildId?: string;
  channelId?: string;
  roles?: string[];
  /** Member permission bitfield as a decimal string. */
  permissions?: string;
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(options).listen();
}
