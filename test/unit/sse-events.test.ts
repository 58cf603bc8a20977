import { describe, expect, it } from 'vitest';
import { sseEvents, type SseEvent } from '../../src/client/sse-events.js';

/** A body that delivers `chunks` as they are, then ends. */
const bodyOf = (chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

async function eventsOf(chunks: string[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of sseEvents(bodyOf(chunks))) events.push(event);
  return events;
}

describe('sseEvents', () => {
  it('reads events with their id, type and data, skipping comments', async () => {
    expect(await eventsOf([': keep-alive\n\nid: 1\nevent: change\ndata: {"a":1}\n\n', 'data: plain\n\n'])).toEqual([
      { id: '1', event: 'change', data: '{"a":1}' },
      { event: 'message', data: 'plain' },
    ]);
  });

  it('joins data lines, and reads events split anywhere between chunks, CRLF included', async () => {
    expect(await eventsOf(['id: 7\r', '\nevent: ch', 'ange\r\ndata: line one\r\nda', 'ta: line two\r', '\n\r', '\n'])).toEqual([
      { id: '7', event: 'change', data: 'line one\nline two' },
    ]);
  });

  it('drops an event the stream cut off before its blank line', async () => {
    expect(await eventsOf(['id: 1\ndata: whole\n\nid: 2\ndata: {"half'])).toEqual([{ id: '1', event: 'message', data: 'whole' }]);
  });
});
