import { withoutPrefixedWholeWords } from '../search/word-prefixes.js';
import type { CardReader } from '../store/agent-record.js';
import { storedRecordSummary } from './record-summary.js';
import { storedRecordTerms } from './record-terms.js';

/** How the stores read what a stored card holds: its index terms and its summary. */
export const storedCards: CardReader = { termsOf: storedRecordTerms, summaryOf: storedRecordSummary, prefixOnlyTerms: withoutPrefixedWholeWords };
