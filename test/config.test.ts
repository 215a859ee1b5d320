import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../app/config.js';

describe('loadConfig', () => {
  it('uses the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.STORAGE).toBe('embedded');
    expect(config.DATA_DIR).toBe('./data');
    expect(config.URL_EXPIRY_SECONDS).toBe(120);
    expect(config.PUBLIC_URL).toBe('http://localhost:8080');
    expect(config.CORS_ORIGINS).toBe('*');
  });

  it('names the variable that holds a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ STORAGE: 's3' })).toThrow(/STORAGE/);
    expect(() => loadConfig({ MINIO_USE_SSL: 'yes' })).toThrow(/MINIO_USE_SSL/);
    expect(() => loadConfig({ PUBLIC_URL: 'not a url' })).toThrow(/PUBLIC_URL/);
  });

  it('treats empty variables as unset and trims the public URL', () => {
    const config = loadConfig({ PORT: '', PUBLIC_URL: 'https://webml.example.org/' });
    expect(config.PORT).toBe(8080);
    expect(config.PUBLIC_URL).toBe('https://webml.example.org');
  });
});
