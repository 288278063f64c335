package org.mera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every --help text is a format string to picocli: a bare '%' makes it print a warning instead of the text
 * it was given, so each description must survive {@link String#format}.
 */
class HelpTextTest {
    @Test
    void everyHelpTextFormatsWithoutAWarning() {
        CommandLine mera = new CommandLine(new Main());
        List<String> bad = new ArrayList<>();
        List<CommandSpec> specs = new ArrayList<>();
        specs.add(mera.getCommandSpec());
        mera.getSubcommands().values().forEach(c -> specs.add(c.getCommandSpec()));
        for (CommandSpec spec : specs) {
            List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
            texts.addAll(List.of(spec.usageMessage().header()));
            texts.addAll(List.of(spec.usageMessage().footer()));
            for (ArgSpec arg : spec.args()) {
                texts.addAll(List.of(arg.description()));
            }
            for (String text : texts) {
                try {
                    assertNotNull(String.format(text)); // picocli formats every text; a stray % throws
                } catch (IllegalFormatException e) {
                    bad.add(spec.qualifiedName() + ": " + text + " (" + e + ")");
                }
            }
        }
        assertEquals(List.of(), bad, "escape '%' as '%%' in these help texts");
        assertTrue(specs.size() > 10, "all subcommands were checked: " + specs.size());
    }
}
