/**
 * sacreBLEU 2.6.0-compatible MT metrics in pure Java.
 *
 * <ul>
 *   <li>{@link org.bayling.quality.metrics.Bleu} – corpus/sentence BLEU; tokenizers {@code 13a}, {@code intl},
 *       {@code zh}, {@code char}, {@code none} ({@link org.bayling.quality.metrics.Tokenizers}); MeCab-based
 *       {@code ja-mecab}/{@code ko-mecab} raise {@link org.bayling.quality.metrics.UnsupportedTokenizerException}.</li>
 *   <li>{@link org.bayling.quality.metrics.Chrf} – chrF2 and chrF2++.</li>
 *   <li>{@link org.bayling.quality.metrics.Ter} – TER with Tercom-style shifts.</li>
 *   <li>{@link org.bayling.quality.metrics.PairedBootstrap} – {@code --paired-bs} with a NumPy-identical RNG
 *       ({@link org.bayling.quality.metrics.NumpyRandom}).</li>
 * </ul>
 *
 * Python {@code str} semantics that affect scores are reproduced deliberately: Python's whitespace set for
 * {@code split()} (includes NBSP), code-point based character n-grams, and the {@code zh} tokenizer's
 * string-comparison range quirk. Unicode general categories for {@code intl} come from ICU4J (Unicode 16); they
 * agree with the Python {@code regex} module on every code point in the WMT22 data (117 code points differ
 * overall, all outside the data; {@code java.util.regex} on Java 17 would differ on 1254).
 */
package org.bayling.quality.metrics;
