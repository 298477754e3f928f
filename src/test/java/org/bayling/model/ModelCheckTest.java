package org.bayling.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.bayling.SharedData;
import org.bayling.model.checkpoint.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver-side model check: the fixtures pass; every broken checkpoint fails naming its file and the reason. */
class ModelCheckTest {

    @Test
    void theFixturesPass() {
        for (String f : List.of("tiny-llama2", "tiny-llama2-bin", "tiny-llama3")) {
            ModelConfig c = ModelCheck.check(ModelFiles.local(SharedData.fixture(f)));
            assertEquals(2, c.numLayers(), f);
        }
    }

    @Test
    void everyCorruptionNamesItsFileAndReason(@TempDir Path tmp) {
        List<CorruptModels.Case> cases = CorruptModels.all(tmp);
        assertTrue(cases.size() >= 28, "at least the 28 corruptions of issue 15: " + cases.size());
        for (CorruptModels.Case c : cases) {
            ModelUnreadableException e = assertThrows(ModelUnreadableException.class,
                    () -> ModelCheck.check(ModelFiles.local(c.dir())), c.name());
            String prefix = c.dir() + "/" + c.file() + ": ";
            assertTrue(e.getMessage().startsWith(prefix), c.name() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(c.says()), c.name() + ": " + e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), c.name() + ": one line");
        }
    }

    @Test
    void missingDirectoryIsNamed(@TempDir Path tmp) {
        ModelUnreadableException e = assertThrows(ModelUnreadableException.class,
                () -> ModelCheck.check(ModelFiles.local(tmp.resolve("nowhere"))));
        assertEquals(tmp.resolve("nowhere") + ": does not exist (or is not a directory)", e.getMessage());
    }
}
