import { HostMatcher, MAX_URL_LENGTH, QueryRedactor } from '../../src/http';

describe('QueryRedactor', () => {
  it('drops the query by default (Java request.url has none)', () => {
    expect(new QueryRedactor(undefined).apply('http://h/p?a=1&b=2')).toBe('http://h/p');
    expect(new QueryRedactor(true).apply('/p?x')).toBe('/p');
    expect(new QueryRedactor(true).apply('/p')).toBe('/p');
  });

  it('keeps it when told to', () => {
    expect(new QueryRedactor(false).apply('/p?a=1')).toBe('/p?a=1');
  });

  it('masks named parameters, case-insensitively, encoded names included, fragments dropped', () => {
    const r = new QueryRedactor(['token', 'Api-Key']);
    expect(r.apply('/p?token=abc&x=1&API-KEY=k&api%2Dkey=z&tokenx=keep&token')).toBe(
      '/p?token=***&x=1&API-KEY=***&api%2Dkey=***&tokenx=keep&token=***',
    );
    expect(r.apply('/p?a=%E0%A4%A&token=1')).toBe('/p?a=%E0%A4%A&token=***');
  });

  it('caps the length', () => {
    expect(new QueryRedactor(false).apply('/' + 'a'.repeat(5000))).toHaveLength(MAX_URL_LENGTH);
  });
});

describe('HostMatcher', () => {
  it('matches everything without a list', () => {
    expect(new HostMatcher(undefined).matches('anything', 'anything:1')).toBe(true);
  });

  it('exact hosts, host:port, wildcards and RegExps', () => {
    const m = new HostMatcher(['api.internal', 'localhost:8080', '*.svc.local', /^10\.\d+\.\d+\.\d+$/]);
    expect(m.matches('api.internal', 'api.internal:443')).toBe(true);
    expect(m.matches('API.INTERNAL', 'API.INTERNAL')).toBe(true);
    expect(m.matches('localhost', 'localhost:8080')).toBe(true);
    expect(m.matches('localhost', 'localhost:9090')).toBe(false);
    expect(m.matches('orders.svc.local', 'orders.svc.local:80')).toBe(true);
    expect(m.matches('svc.local.evil.com', 'svc.local.evil.com')).toBe(false);
    expect(m.matches('10.1.2.3', '10.1.2.3:80')).toBe(true);
    expect(m.matches('api.github.com', 'api.github.com')).toBe(false);
  });

  it('a predicate that throws means "do not send headers"', () => {
    const m = new HostMatcher(() => {
      throw new Error('x');
    });
    expect(m.matches('a', 'a')).toBe(false);
  });
});
