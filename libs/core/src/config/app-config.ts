import { Environment, parseEnvironment } from './config.schema';

/**
 * Typed, already-validated configuration. Inject this instead of reading `process.env`.
 * A plain class so that tests can build one from their own variables (`AppConfig.from`).
 */
export class AppConfig {
  constructor(private readonly environment: Environment) {}

  static from(env: Record<string, string | undefined>): AppConfig {
    return new AppConfig(parseEnvironment(env));
  }

  get<K extends keyof Environment>(key: K): Environment[K] {
    return this.environment[key];
  }

  get twilioConfigured(): boolean {
    return Boolean(this.environment.TWILIO_ACCOUNT_SID && this.environment.TWILIO_AUTH_TOKEN);
  }
}
