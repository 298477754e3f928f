package org.bayling.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GlossaryTest {

    @Test
    void caseInsensitiveWholeWordsInOrderOfOccurrence() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("rider", "骑手");
        m.put("order", "订单");
        m.put("app", "App");
        m.put("cat", "猫");
        Glossary g = Glossary.of("en", "zh", m);
        assertEquals(List.of("订单", "骑手"),
                g.requiredTerms("Your Order is late; the RIDER is on the way and the rider called."));
        assertEquals(List.of(), g.requiredTerms("He will concatenate the orders' ordering of riders"));
        assertEquals(List.of("App", "猫"), g.requiredTerms("Open the app (the cat's app)."));
        assertEquals(List.of(), g.requiredTerms(""));
        assertEquals(List.of(), g.requiredTerms(null));
    }

    @Test
    void longestMatchWins() {
        Glossary g = Glossary.builder("en", "zh").add("New York", "纽约").add("York", "约克").build();
        assertEquals(List.of("纽约"), g.requiredTerms("I live in new york."));
        assertEquals(List.of("纽约", "约克"), g.requiredTerms("New York is not York."));
    }

    @Test
    void substringMatchesInScriptsWithoutSpaces() {
        Glossary g = Glossary.builder("zh", "en").add("订单", "order").add("骑手", "rider").add("App", "app").build();
        assertEquals(List.of("rider", "app", "order"), g.requiredTerms("骑手会通过App联系您确认订单。"));
        Glossary ja = Glossary.builder("ja", "en").add("東京", "Tokyo").build();
        assertEquals(List.of("Tokyo"), ja.requiredTerms("私は東京に住んでいます。"));
    }

    @Test
    void germanWholeWordsAndUmlautCase() {
        Glossary g = Glossary.builder("de", "en").add("Tür", "door").add("ÜBER", "over").build();
        assertEquals(List.of("over", "door"), g.requiredTerms("Über die TÜR."));
        assertEquals(List.of(), g.requiredTerms("Die Haustür ist zu."));
    }

    @Test
    void tsvAndConflicts() throws IOException {
        Glossary g = Glossary.parseTsv("en", "de", new StringReader("# comment\nbudget\tHaushalt\n\ncommittee\tAusschuss\n"));
        assertEquals(2, g.size());
        assertEquals(List.of("Ausschuss", "Haushalt"), g.requiredTerms("The committee will discuss the budget."));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Glossary.parseTsv("en", "de", new StringReader("a\tb\nno tab here\n")));
        assertTrue(e.getMessage().contains("line 2"));
        assertThrows(IllegalArgumentException.class,
                () -> Glossary.builder("en", "de").add("Budget", "Haushalt").add("budget", "Etat"));
        assertEquals(1, Glossary.builder("en", "de").add("Budget", "Haushalt").add("budget", "Haushalt").build().size());
        assertThrows(UnknownLanguageException.class, () -> Glossary.builder("en", "tlh"));
    }

    @Test
    void requiredTermsFeedTheInstruction() {
        Glossary g = Glossary.builder("en", "zh").add("order", "订单").add("rider", "骑手").build();
        String src = "The rider has your order.";
        assertEquals("Provide the Chinese translation for this sentence: The rider has your order.\n"
                        + "Make sure to include these words: 骑手, 订单",
                TranslationInstruction.build(InstructionLanguage.EN, "zh", src, g.requiredTerms(src)));
    }
}
