import { ConfigError, loadConfig } from './index';

describe('loadConfig', () => {
  it('applies the embedded defaults of SPEC section 6', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.kafkaBrokers).toBeNull();
    expect(config.databaseUrl).toBeNull();
    expect(config.adminToken).toBeNull();
    expect(config.logLevel).toBe('info');
    expect(config.kafkaSessionTimeoutMs).toBe(10000);
  });

  it('derives PUBLIC_BASE_URL from PORT and trims a trailing slash from a given one', () => {
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://t.example.com/' }).publicBaseUrl).toBe(
      'https://t.example.com',
    );
  });

  it('reads brokers, database and token', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      DATABASE_URL: 'postgres://u:p@db:5432/tracker',
      TRACKER_ADMIN_TOKEN: 'a-long-enough-admin-token',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config.kafkaBrokers).toEqual(['k1:9092', 'k2:9093']);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/tracker');
    expect(config.adminToken).toBe('a-long-enough-admin-token');
    expect(config.logLevel).toBe('debug');
  });

  it('refuses private destinations unless DESTINATIONS_ALLOW_PRIVATE=true', () => {
    expect(loadConfig({}).destinationsAllowPrivate).toBe(false);
    expect(loadConfig({ DESTINATIONS_ALLOW_PRIVATE: 'TRUE' }).destinationsAllowPrivate).toBe(true);
    expect(loadConfig({ DESTINATIONS_ALLOW_PRIVATE: 'false' }).destinationsAllowPrivate).toBe(
      false,
    );
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be between 1 and 65535/],
    ['PUBLIC_BASE_URL', 'ftp://x', /PUBLIC_BASE_URL must use http or https/],
    ['PUBLIC_BASE_URL', 'not a url', /PUBLIC_BASE_URL must be an absolute http\(s\) URL/],
    ['KAFKA_BROKERS', 'localhost', /KAFKA_BROKERS must be a comma-separated list of host:port/],
    ['DATABASE_URL', 'mysql://x/y', /DATABASE_URL must use the postgres:\/\/ scheme/],
    ['TRACKER_ADMIN_TOKEN', 'short', /TRACKER_ADMIN_TOKEN must be at least 16 characters/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['KAFKA_SESSION_TIMEOUT_MS', '1000', /KAFKA_SESSION_TIMEOUT_MS must be between 6000/],
    ['DESTINATIONS_ALLOW_PRIVATE', 'yes', /DESTINATIONS_ALLOW_PRIVATE must be true or false/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
