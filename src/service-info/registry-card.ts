/** The registry's own A2A 1.0 agent card, served at `/.well-known/agent-card.json`. */
export function registryCard(publicUrl: string, version: string) {
  const skill = (id: string, name: string, description: string, tags: string[]) => ({
    id,
    name,
    description,
    tags,
    inputModes: ['application/json'],
    outputModes: ['application/json'],
  });
  return {
    name: 'A2A Registry',
    description: 'A registry of Agent2Agent (A2A) agent cards: register, find and fetch agents by skill, tag, mode, binding and text.',
    version,
    supportedInterfaces: [
      { url: `${publicUrl}/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: publicUrl, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
    ],
    provider: { organization: 'A2A Registry', url: publicUrl },
    documentationUrl: `${publicUrl}/`,
    capabilities: { streaming: false, pushNotifications: false, extendedAgentCard: false },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills: [
      skill('register_agent', 'Register an agent', 'Store or update an A2A agent card (1.0, 0.3 or the legacy snake_case form).', ['registry', 'register']),
      skill('get_agent', 'Get an agent', 'Fetch an agent card and its registry data by id.', ['registry', 'lookup']),
      skill('list_agents', 'List agents', 'Page through registered agents with a stable cursor.', ['registry', 'list']),
      skill('search_agents', 'Search agents', 'Find agents by skill, tag, input/output mode, binding, capability and free text.', ['registry', 'search', 'discovery']),
      skill('unregister_agent', 'Unregister an agent', 'Remove an agent card from the registry.', ['registry', 'delete']),
    ],
  };
}
