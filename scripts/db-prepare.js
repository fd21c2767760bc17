#!/usr/bin/env node
// Creates the database when it does not exist and applies pending migrations (run by npm start).
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist', 'libs', 'core', 'src');
const { validateEnvironmentOrExit } = require(join(dist, 'config', 'validate-environment-or-exit'));
const { parseEnvironment } = require(join(dist, 'config', 'config.schema'));
const { prepareDatabase, databaseNameOf } = require(join(dist, 'database', 'prepare-database'));

validateEnvironmentOrExit();
const { DATABASE_URL } = parseEnvironment(process.env);

prepareDatabase(DATABASE_URL).then(
  ({ created, applied }) => {
    const name = databaseNameOf(DATABASE_URL);
    if (created) console.log(`Created database "${name}".`);
    console.log(
      applied.length
        ? `Applied ${applied.length} migration(s) to "${name}": ${applied.join(', ')}`
        : `Database "${name}" is up to date.`,
    );
  },
  (error) => {
    console.error(`Could not prepare the database: ${error.message}`);
    console.error('Is PostgreSQL running and DATABASE_URL right? (see .env.example)');
    process.exit(1);
  },
);
