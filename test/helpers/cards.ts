/** Sample cards of the three shapes the registry accepts. Each call returns a fresh object. */

export function cardV1(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Weather Agent',
    description: 'Provides weather forecasts and alerts for any city',
    version: '1.2.0',
    supportedInterfaces: [{ url: 'https://weather.example.com/a2a', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    provider: { organization: 'Example Weather Co', url: 'https://example.com' },
    capabilities: { streaming: true, pushNotifications: false, extensions: [{ uri: 'https://example.com/ext/geo' }] },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['application/json'],
    skills: [
      {
        id: 'forecast',
        name: 'Weather forecast',
        description: 'Seven day forecast for a city',
        tags: ['weather', 'Forecast'],
        outputModes: ['image/png'],
      },
    ],
    ...overrides,
  };
}

export function cardV03(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Translator',
    description: 'Translates documents between languages',
    url: 'https://translate.example.com/a2a',
    version: '0.9.0',
    protocolVersion: '0.3.0',
    preferredTransport: 'JSONRPC',
    additionalInterfaces: [{ url: 'https://translate.example.com/grpc', transport: 'GRPC' }],
    capabilities: { streaming: false, pushNotifications: true },
    defaultInputModes: ['text/plain', 'application/pdf'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: 'translate', name: 'Translate text', description: 'Translate between 40 languages', tags: ['language', 'translation'] }],
    ...overrides,
  };
}

export function legacyCard(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'legacy-agent',
    description: 'An agent registered by a client of the earlier Python registry',
    url: 'http://legacy.example.com:3000',
    version: '0.1.0',
    protocol_version: '0.3.0',
    preferred_transport: 'JSONRPC',
    skills: [{ id: 'summarize', description: 'Summarise text' }],
    ...overrides,
  };
}
