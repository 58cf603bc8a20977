/** One Server-Sent Event. */
export interface SseEvent {
  /** The `id:` field: for the change stream, the event's cursor. */
  id?: string;
  /** The `event:` field; `message` when absent. */
  event: string;
  data: string;
}

/**
 * The events of a `text/event-stream` body, as the HTML standard parses it: lines end with CR, LF
 * or CRLF, a blank line ends an event, comment lines (`:`) are skipped. An event cut off by the end
 * of the stream is dropped, so a caller never sees half an event. `onChunk` is called at every chunk
 * received, comments included, so a caller can tell a live idle stream from a dead one.
 */
export async function* sseEvents(body: ReadableStream<Uint8Array>, onChunk: () => void = () => {}): AsyncGenerator<SseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  // A CRLF split between two chunks: the LF that starts the next chunk ends no second line.
  let endedWithCr = false;
  let event: { id?: string; event?: string; data: string[] } = { data: [] };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onChunk();
      buffer += endedWithCr && value.startsWith('\n') ? value.slice(1) : value;
      endedWithCr = value.endsWith('\r');
      const lines = buffer.split(/\r\n|\r|\n/);
      // The last piece has no line end yet.
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (event.data.length > 0) yield { ...(event.id !== undefined ? { id: event.id } : {}), event: event.event ?? 'message', data: event.data.join('\n') };
          event = { data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data.push(value);
        else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
