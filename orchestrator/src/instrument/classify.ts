// The local classifier: keyword overlap weighted by TF-IDF. Each label is described by its own words
// and, for a few common labels, a short list of synonyms; the label whose words weigh most in the
// text wins. Words inside a negation ("not good") count for no label. Honest, and deterministic.
import { type Analysis, frequencies } from './analysis.js';

/**
 * Words that signal a few common labels, beyond the label's own words (lemmas). Kept short: a word
 * belongs here only if it rarely appears in a text that does not deserve the label.
 */
export const LABEL_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  positive: [
    'good',
    'great',
    'excellent',
    'love',
    'like',
    'happy',
    'best',
    'nice',
    'wonderful',
    'amazing',
    'thank',
  ],
  negative: ['bad', 'poor', 'terrible', 'awful', 'hate', 'worst', 'angry', 'disappoint', 'broken', 'useless'],
  neutral: ['okay', 'average', 'fine', 'neither'],
  bug: ['error', 'crash', 'fail', 'broken', 'exception', 'wrong', 'regression', 'defect', 'fix', 'stack'],
  feature: ['add', 'support', 'request', 'enhancement', 'option', 'allow', 'idea', 'wish', 'proposal'],
  question: ['?', 'how', 'why', 'what', 'when', 'where', 'which', 'help', 'possible', 'wonder'],
  urgent: ['asap', 'immediately', 'critical', 'emergency', 'now', 'deadline', 'blocker'],
  spam: ['free', 'winner', 'prize', 'offer', 'click', 'unsubscribe', 'cash'],
};

/** A label and the lemmas that stand for it. */
export interface LabelTerms {
  readonly label: string;
  readonly terms: readonly string[];
}

/** How the text scored against each label, and the winner. */
export interface Classification {
  readonly label: string;
  /** One per label, in the labels' order. */
  readonly scores: readonly number[];
  /** `false`: no label's words occur in the text, and the first label was chosen. */
  readonly matched: boolean;
}

/** A label's terms: its own lemmas plus its {@link LABEL_SYNONYMS}, without repeats. */
export function labelTerms(label: string, ownLemmas: readonly string[]): LabelTerms {
  const synonyms = LABEL_SYNONYMS[label.trim().toLowerCase()] ?? [];
  return { label, terms: [...new Set([...ownLemmas, ...synonyms])] };
}

/**
 * The label of `text` among `labels`. A label's score is Σ (1 + ln tf) · idf over its terms that
 * occur in the text, divided by √(number of its terms) so a long synonym list is no advantage; idf
 * is ln(1 + L / n), n the number of the L labels that share the term. Ties go to the earlier label.
 */
export function classify(text: Analysis, labels: readonly LabelTerms[]): Classification {
  const counted = text.sentences.flatMap((s) => s.tokens.filter((t) => !t.negated).map((t) => t.lemma));
  const tf = frequencies(counted);
  const sharedBy = frequencies(labels.flatMap((l) => [...new Set(l.terms)]));
  const scores = labels.map(({ terms }) => {
    if (terms.length === 0) return 0;
    let sum = 0;
    for (const term of terms) {
      const count = tf.get(term) ?? 0;
      if (count > 0) sum += (1 + Math.log(count)) * Math.log(1 + labels.length / (sharedBy.get(term) ?? 1));
    }
    return sum / Math.sqrt(terms.length);
  });
  let best = 0;
  scores.forEach((score, i) => {
    if (score > (scores[best] ?? 0)) best = i;
  });
  const top = scores[best] ?? 0;
  return { label: labels[best]?.label ?? '', scores, matched: top > 0 };
}
