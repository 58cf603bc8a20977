import { describe, expect, it } from 'vitest';
import { packCard, packCardText, unpackCard, unpackCardText } from '../../src/store/stored-card.js';
import { benchCard } from '../../bench/scenarios.js';

describe('cards as the agent hash keeps them', () => {
  it('pack and unpack to the same text, whatever its spacing and characters', () => {
    const texts = ['{}', '{ "name" : "Météo 天気 ✓",\n\t"description": "\\u00e9" }', JSON.stringify(benchCard(7)), `{"description":"${'x'.repeat(100_000)}"}`];
    for (const text of texts) {
      expect(unpackCard(packCard(text))).toBe(text);
      expect(unpackCardText(packCardText(text))).toBe(text);
    }
  });

  it('reads a card kept as plain text, as layouts before packing kept it', () => {
    const text = ' {"name":"Plain"}';
    expect(unpackCard(Buffer.from(text))).toBe(text);
  });

  it('shrinks a typical card to well under half its size', () => {
    const text = JSON.stringify(benchCard(1));
    expect(packCard(text).length).toBeLessThan(Buffer.byteLength(text) / 2);
  });

  it('still reads what version 1 packed: its dictionary must never change', () => {
    const packed = Buffer.from('AYMnxPDUxJKM1CIFcH7DMCkAEinFCuVQZWn5RanJicUlxdjTK5pXYaoRbnVDiKDa5IZkMMzxUEvBDgYA', 'base64');
    expect(unpackCard(packed)).toBe(
      '{"name":"Weather Agent","description":"Provides weather forecasts","version":"1.0.0","skills":[{"id":"forecast","name":"Forecast","description":"Forecasts","tags":["weather"]}]}',
    );
  });
});
