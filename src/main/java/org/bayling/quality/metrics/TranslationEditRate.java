package org.bayling.quality.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tercom-style translation edit rate with shifts, following sacreBLEU's {@code lib_ter.py}: greedy shifts chosen
 * by (edit-distance gain, length, earliest start, earliest target), shift size &le; 10, distance &le; 50, at most
 * 1000 shift candidates per segment, and a beam (width 25 around the length-ratio pseudo-diagonal) Levenshtein
 * distance whose rows are cached in a trie keyed by hypothesis prefixes (the cache only saves work, it never
 * changes results).
 */
final class TranslationEditRate {

    private static final int COST_INS = 1;
    private static final int COST_DEL = 1;
    private static final int COST_SUB = 1;
    private static final int MAX_SHIFT_SIZE = 10;
    private static final int MAX_SHIFT_DIST = 50;
    private static final int BEAM_WIDTH = 25;
    private static final int MAX_CACHE_SIZE = 10000;
    private static final int MAX_SHIFT_CANDIDATES = 1000;
    private static final int INF = 1_000_000_000;

    private static final byte OP_INS = 'i';
    private static final byte OP_DEL = 'd';
    private static final byte OP_NOP = ' ';
    private static final byte OP_SUB = 's';
    private static final byte OP_UNDEF = 'x';

    private TranslationEditRate() {
    }

    /** Returns {@code {number of edits, reference length}}. */
    static int[] compute(List<String> wordsHyp, List<String> wordsRef) {
        int nRef = wordsRef.size();
        if (nRef == 0) {
            return new int[] {wordsHyp.size(), 0};
        }
        Map<String, Integer> ids = new HashMap<>();
        int[] ref = new int[nRef];
        for (int i = 0; i < nRef; i++) {
            ref[i] = ids.computeIfAbsent(wordsRef.get(i), k -> ids.size());
        }
        int[] hyp = new int[wordsHyp.size()];
        for (int i = 0; i < hyp.length; i++) {
            hyp[i] = ids.computeIfAbsent(wordsHyp.get(i), k -> ids.size());
        }

        BeamEditDistance ed = new BeamEditDistance(ref);
        int shifts = 0;
        int[] input = hyp;
        int[] checked = {0};
        while (true) {
            Shift s = shift(input, ref, ed, checked);
            if (checked[0] >= MAX_SHIFT_CANDIDATES) {
                break;
            }
            if (s == null || s.gain <= 0) {
                break;
            }
            shifts++;
            input = s.words;
        }
        int editDistance = ed.distance(input).cost;
        return new int[] {shifts + editDistance, nRef};
    }

    private static final class Shift {
        final int gain;
        final int length;
        final int startH;
        final int idx;
        final int[] words;

        Shift(int gain, int length, int startH, int idx, int[] words) {
            this.gain = gain;
            this.length = length;
            this.startH = startH;
            this.idx = idx;
            this.words = words;
        }

        /** Python tuple order of (gain, length, -start_h, -idx). */
        boolean betterThan(Shift o) {
            if (gain != o.gain) {
                return gain > o.gain;
            }
            if (length != o.length) {
                return length > o.length;
            }
            if (startH != o.startH) {
                return startH < o.startH;
            }
            return idx < o.idx;
        }
    }

    /** sacreBLEU {@code _shift}; returns null when no candidate was evaluated. */
    private static Shift shift(int[] h, int[] r, BeamEditDistance ed, int[] checked) {
        Result pre = ed.distance(h);
        int preScore = pre.cost;
        // flip the trace (rewrite ref into hyp) and derive the alignment
        int nH = h.length;
        int nR = r.length;
        int[] align = new int[nR];
        int[] hypErr = new int[nH];
        int[] refErr = new int[nR];
        int posHyp = -1;
        int posRef = -1;
        int he = 0;
        int re = 0;
        for (byte op0 : pre.trace) {
            byte op = op0 == OP_INS ? OP_DEL : (op0 == OP_DEL ? OP_INS : op0);
            if (op == OP_NOP || op == OP_SUB) {
                posHyp++;
                posRef++;
                align[posRef] = posHyp;
                int err = op == OP_SUB ? 1 : 0;
                hypErr[he++] = err;
                refErr[re++] = err;
            } else if (op == OP_INS) {
                posHyp++;
                hypErr[he++] = 1;
            } else if (op == OP_DEL) {
                posRef++;
                align[posRef] = posHyp;
                refErr[re++] = 1;
            } else {
                throw new IllegalStateException("unknown operation " + (char) op);
            }
        }

        Shift best = null;
        outer:
        for (int startH = 0; startH < nH; startH++) {
            for (int startR = 0; startR < nR; startR++) {
                if (Math.abs(startR - startH) > MAX_SHIFT_DIST) {
                    continue;
                }
                int length = 0;
                while (h[startH + length] == r[startR + length] && length < MAX_SHIFT_SIZE) {
                    length++;
                    // ---- consumer body for the yielded (startH, startR, length); "continue" in sacreBLEU
                    // means "resume the generator", i.e. fall through to the end-of-sequence check below.
                    boolean skipped = sum(hypErr, startH, startH + length) == 0
                            || sum(refErr, startR, startR + length) == 0
                            || (startH <= align[startR] && align[startR] < startH + length);
                    if (!skipped) {
                        int prevIdx = -1;
                        for (int offset = -1; offset < length; offset++) {
                            int idx;
                            if (startR + offset == -1) {
                                idx = 0; // insert before the beginning
                            } else if (startR + offset < nR) {
                                idx = align[startR + offset] + 1; // insert *before* the index (unlike Tercom)
                            } else {
                                break; // aims past the reference
                            }
                            if (idx == prevIdx) {
                                continue;
                            }
                            prevIdx = idx;
                            int[] shifted = performShift(h, startH, length, idx);
                            Shift cand = new Shift(preScore - ed.distance(shifted).cost, length, startH, idx, shifted);
                            checked[0]++;
                            if (best == null || cand.betterThan(best)) {
                                best = cand;
                            }
                        }
                        if (checked[0] >= MAX_SHIFT_CANDIDATES) {
                            break outer;
                        }
                    }
                    // ---- generator resumes
                    if (nH == startH + length || nR == startR + length) {
                        break;
                    }
                }
            }
        }
        return best;
    }

    private static int sum(int[] a, int from, int to) {
        int s = 0;
        for (int i = from; i < to; i++) {
            s += a[i];
        }
        return s;
    }

    private static int[] performShift(int[] words, int start, int length, int target) {
        int n = words.length;
        int[] out = new int[n];
        int o = 0;
        if (target < start) {
            o = copy(words, 0, target, out, o);
            o = copy(words, start, start + length, out, o);
            o = copy(words, target, start, out, o);
            copy(words, start + length, n, out, o);
        } else if (target > start + length) {
            o = copy(words, 0, start, out, o);
            o = copy(words, start + length, target, out, o);
            o = copy(words, start, start + length, out, o);
            copy(words, target, n, out, o);
        } else {
            o = copy(words, 0, start, out, o);
            o = copy(words, start + length, length + target, out, o);
            o = copy(words, start, start + length, out, o);
            copy(words, length + target, n, out, o);
        }
        return out;
    }

    /** Python slice copy {@code words[from:to]} (bounds clamped), returns the new output offset. */
    private static int copy(int[] words, int from, int to, int[] out, int o) {
        from = Math.max(0, Math.min(from, words.length));
        to = Math.max(from, Math.min(to, words.length));
        System.arraycopy(words, from, out, o, to - from);
        return o + (to - from);
    }

    private static final class Result {
        final int cost;
        final byte[] trace;

        Result(int cost, byte[] trace) {
            this.cost = cost;
            this.trace = trace;
        }
    }

    /** A cached edit-distance matrix row, keyed by the hypothesis word that produced it. */
    private static final class Node {
        final Map<Integer, Node> children = new HashMap<>();
        final int[] cost;
        final byte[] ops;

        Node(int[] cost, byte[] ops) {
            this.cost = cost;
            this.ops = ops;
        }
    }

    /** sacreBLEU {@code BeamEditDistance}. */
    private static final class BeamEditDistance {
        private final int[] ref;
        private final int nRef;
        private final Node root;
        private int cacheSize;

        BeamEditDistance(int[] ref) {
            this.ref = ref;
            this.nRef = ref.length;
            int[] c = new int[nRef + 1];
            byte[] o = new byte[nRef + 1];
            for (int j = 0; j <= nRef; j++) {
                c[j] = j * COST_INS;
                o[j] = OP_INS;
            }
            this.root = new Node(c, o);
        }

        Result distance(int[] hyp) {
            int nH = hyp.length;
            int[][] cost = new int[nH + 1][];
            byte[][] ops = new byte[nH + 1][];
            // find cached prefix rows
            Node node = root;
            cost[0] = root.cost;
            ops[0] = root.ops;
            int start = 0;
            Node[] path = new Node[nH + 1];
            path[0] = root;
            for (int i = 0; i < nH; i++) {
                Node next = node.children.get(hyp[i]);
                if (next == null) {
                    break;
                }
                node = next;
                start++;
                cost[start] = next.cost;
                ops[start] = next.ops;
                path[start] = next;
            }
            double lengthRatio = nH > 0 ? (double) nRef / nH : 1.0;
            int beamWidth = BEAM_WIDTH < lengthRatio / 2 ? (int) Math.ceil(lengthRatio / 2 + BEAM_WIDTH) : BEAM_WIDTH;
            for (int i = start + 1; i <= nH; i++) {
                int[] c = new int[nRef + 1];
                byte[] o = new byte[nRef + 1];
                java.util.Arrays.fill(c, INF);
                java.util.Arrays.fill(o, OP_UNDEF);
                cost[i] = c;
                ops[i] = o;
                int[] cPrev = cost[i - 1];
                int pseudoDiag = (int) Math.floor(i * lengthRatio);
                int minJ = Math.max(0, pseudoDiag - beamWidth);
                int maxJ = Math.min(nRef + 1, pseudoDiag + beamWidth);
                if (i == nH) {
                    maxJ = nRef + 1;
                }
                int w = hyp[i - 1];
                for (int j = minJ; j < maxJ; j++) {
                    if (j == 0) {
                        c[0] = cPrev[0] + COST_DEL;
                        o[0] = OP_DEL;
                    } else {
                        int costSub;
                        byte opSub;
                        if (w == ref[j - 1]) {
                            costSub = 0;
                            opSub = OP_NOP;
                        } else {
                            costSub = COST_SUB;
                            opSub = OP_SUB;
                        }
                        int v = cPrev[j - 1] + costSub;
                        if (c[j] > v) {
                            c[j] = v;
                            o[j] = opSub;
                        }
                        v = cPrev[j] + COST_DEL;
                        if (c[j] > v) {
                            c[j] = v;
                            o[j] = OP_DEL;
                        }
                        v = c[j - 1] + COST_INS;
                        if (c[j] > v) {
                            c[j] = v;
                            o[j] = OP_INS;
                        }
                    }
                }
            }
            // trace
            byte[] buf = new byte[nH + nRef];
            int p = buf.length;
            int i = nH;
            int j = nRef;
            while (i > 0 || j > 0) {
                byte op = ops[i][j];
                buf[--p] = op;
                if (op == OP_SUB || op == OP_NOP) {
                    i--;
                    j--;
                } else if (op == OP_INS) {
                    j--;
                } else if (op == OP_DEL) {
                    i--;
                } else {
                    throw new IllegalStateException("unknown operation " + (char) op);
                }
            }
            byte[] trace = java.util.Arrays.copyOfRange(buf, p, buf.length);
            // add newly computed rows to the cache
            if (cacheSize < MAX_CACHE_SIZE) {
                Node n = path[start];
                for (int k = start + 1; k <= nH; k++) {
                    Node child = n.children.get(hyp[k - 1]);
                    if (child == null) {
                        child = new Node(cost[k], ops[k]);
                        n.children.put(hyp[k - 1], child);
                        cacheSize++;
                    }
                    n = child;
                }
            }
            return new Result(cost[nH][nRef], trace);
        }
    }
}
