import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig, setting, Type } from './config.js';

const spec = {
  port: setting('PORT', Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }), 'port'),
  url: setting('URL', Type.String({ pattern: '^nats://' }), 'server url'),
  debug: setting('DEBUG', Type.Boolean({ default: false }), 'debug'),
  token: setting('TOKEN', Type.Optional(Type.String({ minLength: 8 })), 'a secret', { secret: true }),
};

describe('loadConfig', () => {
  it('converts, applies defaults and leaves optional settings unset', () => {
    expect(loadConfig(spec, { URL: 'nats://x', DEBUG: 'true' })).toEqual({ port: 8080, url: 'nats://x', debug: true });
    expect(loadConfig(spec, { URL: 'nats://x', PORT: '9000' }).port).toBe(9000);
  });

  it('lists every problem at once, never showing a secret value', () => {
    try {
      loadConfig(spec, { PORT: '0', DEBUG: 'maybe', TOKEN: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/PORT=.*URL is required.*DEBUG=.*TOKEN=\(hidden\)/s);
      expect(problems.join('\n')).not.toContain('short');
    }
  });

  it('masks secrets when described for a log', () => {
    const config = loadConfig(spec, { URL: 'nats://x', TOKEN: 'supersecret' });
    expect(describeConfig(spec, config)).toMatchObject({ token: '[set]', url: 'nats://x' });
  });
});
