// Starting and stopping a Herald server process: config, database, migrations, first admin, HTTP.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/open.js';
import { createHerald, type Herald } from './herald.js';
import { ensureFirstAdmin } from './services/auth/setup.js';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<RunningServer> {
  const database = config.databaseUrl
    ? await openDatabase({ databaseUrl: config.databaseUrl, poolMax: config.poolMax })
    : await openDatabase({ dataDir: config.dataDir });
  let app: FastifyInstance;
  let herald: Herald | null = null;
  try {
    const first = await ensureFirstAdmin(database.db, { email: config.adminEmail, password: config.adminPassword }, new Date());
    if (first.createdAdmin) log(`Created the admin ${first.createdAdmin} from HERALD_ADMIN_EMAIL.`);
    if (first.setupToken) log(`No admin yet. Create one (the link works once): ${config.baseUrl}/setup?token=${first.setupToken}`);
    herald = await createHerald({
      database,
      databaseUrl: config.databaseUrl,
      baseUrl: config.baseUrl,
      pastOccurrenceMonths: config.pastOccurrenceMonths,
      companyName: config.companyName,
      smtpUrl: config.smtpUrl,
      mailFrom: config.mailFrom,
      delivery: config.delivery,
      isCookieSecure: config.isCookieSecure,
      trustProxy: config.trustProxy,
      allowsPrivateWebhookTargets: config.allowsPrivateWebhookTargets,
      signupLimits: { pendingPerPage: config.statusPendingSignupsMax },
      logLevel: config.logLevel,
      serverTimeouts: config.serverTimeouts,
      metrics: config.metrics,
      eventStreams: { maxStreamsPerUser: config.eventStreamsPerUser },
      intake: {
        smtpPort: config.intake.smtpPort,
        smtpHost: config.intake.smtpHost,
        maxMailBytes: config.intake.maxMailBytes,
        maxAttachmentBytes: config.intake.maxAttachmentBytes,
        imapUrl: config.intake.imapUrl,
        imapIntervalMs: config.intake.imapIntervalMs,
        verifiesSender: config.intake.verifiesSender,
        imapTrustedAuthservId: config.intake.imapTrustedAuthservId,
        http: { hookMaxBytes: config.intake.hookMaxBytes, hookLimits: config.intake.hookLimits, reportGuard: { minFillMs: config.intake.reportMinFillMs }, reportsPerMinute: config.intake.reportsPerMinute },
      },
    });
    app = herald.app;
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // Start-up failed: `err` is what the operator must see; a failure while tidying up would only hide it.
    await herald?.stop().catch(() => {});
    await database.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  let stopping: Promise<void> | null = null;
  return {
    app,
    database,
    url,
    stop: () =>
      (stopping ??= (async () => {
        await herald!.stop();
        await database.close();
      })()),
  };
}
