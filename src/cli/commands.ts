// The `herald` commands: serve, migrate, create-admin, create-token, reset-logins, demo (started by main.ts).
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { openDatabase, type Database } from '../db/open.js';
import { users } from '../db/schema.js';
import { insertApiToken } from '../services/auth/api-tokens.js';
import { resetAccountThrottle } from '../services/auth/login-throttle.js';
import { insertUser } from '../services/auth/users.js';
import { startServer } from '../server.js';
import { DemoRefusedError, loadDemo } from './demo.js';

const USAGE = `Usage: herald <command> [options]

Commands:
  serve                               run the server (the default)
  migrate                             apply database migrations and exit
  create-admin --email E --password P [--name N]
  create-token --email E [--name N]   print a new API token for that user
  reset-logins --email E              forget the failed logins counted against that account (its
                                      hourly cap and every address's delay for it)
  demo                                load the five-minute tour into an empty database and print what to open

Configuration comes from environment variables; see docs/operations.md.`;

function open(config: Config): Promise<Database> {
  return config.databaseUrl ? openDatabase({ databaseUrl: config.databaseUrl, poolMax: 2 }) : openDatabase({ dataDir: config.dataDir });
}

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: false });
  if (values.help || command === 'help' || command === '--help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve': {
      const started = Date.now();
      const server = await startServer(config);
      console.log(`Herald is ready on ${config.baseUrl} (${server.database.kind}, ${Date.now() - started} ms). API docs: ${config.baseUrl}/api/docs`);
      const shutdown = (signal: string) => {
        console.log(`${signal}: shutting down…`);
        server.stop().then(
          () => process.exit(0),
          (err) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      return -1;
    }
    case 'migrate': {
      const db = await open(config);
      await db.close();
      console.log('Migrations applied.');
      return 0;
    }
    case 'create-admin': {
      if (!values.email || !values.password) throw new UsageError('create-admin needs --email and --password');
      if (values.password.length < 12) throw new UsageError('the password needs at least 12 characters');
      const db = await open(config);
      try {
        const user = await insertUser(db.db, { email: values.email, name: values.name ?? 'Administrator', role: 'admin', password: values.password }, new Date());
        console.log(`Created admin ${user.email}.`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'create-token': {
      if (!values.email) throw new UsageError('create-token needs --email');
      const db = await open(config);
      try {
        const [user] = await db.db.select().from(users).where(eq(sql`lower(${users.email})`, values.email.toLowerCase()));
        if (!user) throw new UsageError(`no user ${values.email}`);
        const { token } = await insertApiToken(db.db, user.id, { name: values.name ?? 'cli' }, new Date());
        console.log(token);
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'reset-logins': {
      if (!values.email) throw new UsageError('reset-logins needs --email');
      const db = await open(config);
      try {
        const count = await resetAccountThrottle(db.db, values.email);
        console.log(`Failed logins of ${values.email} forgotten (${count} counters).`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'demo': {
      const db = await open(config);
      try {
        console.log(await loadDemo(db, config, new Date()));
      } finally {
        await db.close();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof DataDirLockedError || err instanceof DemoRefusedError) {
      console.error(`herald: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
