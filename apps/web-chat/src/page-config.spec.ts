import { httpOriginOf, readPageConfig } from './page-config';

describe('page-config', () => {
  it('page-config - defaults to the page origin /ws', () => {
    expect(readPageConfig({ protocol: 'http:', host: '127.0.0.1:8080', search: '' })).toEqual({
      gateways: ['ws://127.0.0.1:8080/ws'],
      authOrigins: ['http://127.0.0.1:8080'],
    });
    expect(readPageConfig({ protocol: 'https:', host: 'chat.example', search: '' }).gateways).toEqual(['wss://chat.example/ws']);
  });

  it('page-config - reads ?gateways= in order, ignoring entries that are not ws URLs', () => {
    const c = readPageConfig({ protocol: 'http:', host: 'a:1', search: '?gateways=ws://b:2/ws,%20ws://c:3/ws,,http://x/ws' });
    expect(c.gateways).toEqual(['ws://b:2/ws', 'ws://c:3/ws']);
    expect(c.authOrigins).toEqual(['http://a:1', 'http://b:2', 'http://c:3']);
  });

  it('page-config - a page opened from a file signs in on the gateways', () => {
    const c = readPageConfig({ protocol: 'file:', host: '', search: '?gateways=wss://g/ws' });
    expect(c).toEqual({ gateways: ['wss://g/ws'], authOrigins: ['https://g'] });
  });

  it('page-config - http origin of a ws URL', () => {
    expect(httpOriginOf('ws://127.0.0.1:9/ws?x=1')).toBe('http://127.0.0.1:9');
  });
});
