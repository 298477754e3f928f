package org.bayling.quality;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class QualityConfigTest {

    static final Path CONF = Path.of(System.getProperty("user.dir"), "conf", "quality.properties");

    @Test
    void confFileAndClasspathCopyAreIdentical() throws Exception {
        try (InputStream in = QualityConfig.class.getResourceAsStream(QualityConfig.RESOURCE)) {
            assertNotNull(in);
            assertArrayEquals(Files.readAllBytes(CONF), in.readAllBytes(),
                    "conf/quality.properties and src/main/resources/bayling/quality.properties differ");
        }
        assertEquals(QualityConfig.defaults(), QualityConfig.load(CONF));
    }

    @Test
    void expectedRatios() {
        QualityConfig c = QualityConfig.defaults();
        assertEquals(1.58, c.expectedRatio("en", "zh"), 1e-9);
        assertEquals(0.73, c.expectedRatio("zh-CN", "EN"), 1e-9);
        assertEquals(1.14 * 1.58, c.expectedRatio("de", "zh"), 1e-9); // via English
        assertEquals(1.6, c.expectedRatio("fr", "ja"), 1e-9);        // word -> char default
        assertEquals(1.0, c.expectedRatio("fr", "es"), 1e-9);
    }

    @Test
    void overridesAndValidation(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("q.properties");
        Files.writeString(f, "copy.threshold=0.5\n");
        QualityConfig c = QualityConfig.load(f);
        assertEquals(0.5, c.copyThreshold);
        assertEquals(QualityConfig.defaults().lengthTolerance, c.lengthTolerance); // rest from defaults
        assertEquals(0.7, QualityConfig.defaults().with("copy.threshold", "0.7").copyThreshold);
        assertThrows(IllegalArgumentException.class, () -> QualityConfig.defaults().with("lang.minLetters", " "));
        assertThrows(IllegalArgumentException.class,
                () -> LanguageId.shared(QualityConfig.defaults().with("lang.languages", "en,xx")));
    }
}
