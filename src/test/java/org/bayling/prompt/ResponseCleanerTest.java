package org.bayling.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ResponseCleanerTest {

    @Test
    void stripsStopMarkersAndLeakedTurns() {
        assertEquals("感谢您的等待。", ResponseCleaner.sentence("感谢您的等待。</s>"));
        assertEquals("Thank you.", ResponseCleaner.sentence(" Thank you.<|eot_id|>"));
        assertEquals("Thank you.", ResponseCleaner.sentence("Thank you.<|eot_id|><|start_header_id|>user"));
        assertEquals("Danke.", ResponseCleaner.sentence("Danke.\n### Instruction:\nTranslate more"));
        assertEquals("Danke.", ResponseCleaner.sentence("Danke.\n\n### Response:\nxyz"));
        assertEquals("", ResponseCleaner.sentence("</s>"));
        assertEquals("", ResponseCleaner.sentence(null));
    }

    @Test
    void sentenceModeReplacesNewlinesAsBaylingDid() {
        // BayLing: translation.strip().replace("\n", " ")
        assertEquals("line one  line two", ResponseCleaner.sentence("\n line one\n\nline two \n"));
        assertEquals("a b", ResponseCleaner.clean("a\nb", ResponseCleaner.Mode.SENTENCE));
    }

    @Test
    void documentModeKeepsNewlines() {
        assertEquals("Para one.\n\nPara two.", ResponseCleaner.document("  Para one.\r\n\r\nPara two.\n</s>"));
    }
}
