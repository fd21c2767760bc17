import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parseEnvironment } from '../config/config.schema';
import { buildPostgresOptions } from './typeorm-options';

// Used only by the TypeORM CLI (`npm run migration:generate`), on the compiled output in dist/.
if (existsSync('.env')) process.loadEnvFile('.env');

export default new DataSource({
  ...buildPostgresOptions(parseEnvironment(process.env).DATABASE_URL),
  entities: [join(__dirname, '../../../../libs/*/src/**/*.entity.js')],
});
