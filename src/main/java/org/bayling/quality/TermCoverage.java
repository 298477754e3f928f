package org.bayling.quality;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Required-term coverage by exact (case-sensitive, unnormalised) substring match.
 * Null or empty terms are ignored; a term listed twice counts twice.
 */
public final class TermCoverage {

    private TermCoverage() {
    }

    /**
     * Coverage of one translation.
     *
     * @param found    the required terms that occur in the translation, in input order
     * @param missing  the ones that do not
     * @param coverage found / (found + missing), 1.0 when there are no terms
     */
    public record Result(List<String> found, List<String> missing, double coverage) implements Serializable {

        public int total() {
            return found.size() + missing.size();
        }

        public boolean allFound() {
            return missing.isEmpty();
        }
    }

    public static Result of(String translation, List<String> terms) {
        String t = translation == null ? "" : translation;
        List<String> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (terms != null) {
            for (String term : terms) {
                if (term == null || term.isEmpty()) {
                    continue;
                }
                (t.contains(term) ? found : missing).add(term);
            }
        }
        int total = found.size() + missing.size();
        return new Result(List.copyOf(found), List.copyOf(missing), total == 0 ? 1.0 : (double) found.size() / total);
    }

    /**
     * Corpus-level aggregate: fraction of all terms found and fraction of sentences with every term
     * found (a sentence without terms counts as complete). Mergeable, e.g. as a Spark aggregator.
     */
    public static final class Corpus implements Serializable {

        private static final long serialVersionUID = 1L;

        private long terms;
        private long termsFound;
        private long sentences;
        private long sentencesComplete;

        public Corpus add(Result r) {
            terms += r.total();
            termsFound += r.found().size();
            sentences++;
            if (r.allFound()) {
                sentencesComplete++;
            }
            return this;
        }

        public Corpus add(String translation, List<String> requiredTerms) {
            return add(TermCoverage.of(translation, requiredTerms));
        }

        public Corpus merge(Corpus o) {
            terms += o.terms;
            termsFound += o.termsFound;
            sentences += o.sentences;
            sentencesComplete += o.sentencesComplete;
            return this;
        }

        /** Found terms / all terms (1.0 without terms). */
        public double termFraction() {
            return terms == 0 ? 1.0 : (double) termsFound / terms;
        }

        /** Sentences with all their terms found / all sentences (1.0 without sentences). */
        public double sentenceFraction() {
            return sentences == 0 ? 1.0 : (double) sentencesComplete / sentences;
        }

        public long terms() {
            return terms;
        }

        public long termsFound() {
            return termsFound;
        }

        public long sentences() {
            return sentences;
        }

        public long sentencesComplete() {
            return sentencesComplete;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "terms %d/%d (%.4f), sentences %d/%d (%.4f)",
                    termsFound, terms, termFraction(), sentencesComplete, sentences, sentenceFraction());
        }
    }
}
