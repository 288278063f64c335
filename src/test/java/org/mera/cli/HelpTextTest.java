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
        List<String> bad = new ArrayList<>();
        List<CommandSpec> specs =
                allCommands().stream().map(CommandLine::getCommandSpec).toList();
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

    /**
     * picocli wraps help text at punctuation as well as at spaces, which once printed "~/. cache/mera/models" and
     * "spark: //HOST:PORT": a user copying a path, a URL or a command from --help must get it whole.
     */
    @Test
    void helpNeverSplitsAPathOrUrlAcrossLines() {
        List<String> split = new ArrayList<>();
        for (CommandLine c : allCommands()) {
            String shown = c.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
            CommandSpec spec = c.getCommandSpec();
            List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
            texts.addAll(List.of(spec.usageMessage().header()));
            for (CommandLine sub : c.getSubcommands().values()) { // the one-line summaries in the command list
                String[] h = sub.getCommandSpec().usageMessage().header();
                texts.add(
                        h.length > 0
                                ? h[0]
                                : sub.getCommandSpec().usageMessage().description()[0]);
            }
            for (ArgSpec arg : spec.args()) {
                texts.addAll(List.of(arg.description()));
                if (arg.defaultValue() != null) {
                    texts.add(arg.defaultValue());
                }
            }
            for (String text : texts) {
                for (String token : String.format(text).split("\\s+")) {
                    String t = token.replaceAll("^[(`'\"]+|[),;`'\"]+$|[.:]$", "");
                    if (t.contains("${") || t.length() < 4 || !t.matches(".*[A-Za-z0-9][./:][A-Za-z0-9~/.$].*")) {
                        continue;
                    }
                    if (!shown.contains(t)) {
                        split.add(spec.qualifiedName() + ": " + t);
                    }
                }
            }
        }
        assertEquals(List.of(), split, "these paths or URLs are broken across lines in --help");
    }

    /** An option's value is named for the user (--batch-size=BATCH_SIZE, --out=DIR), never by a Java field. */
    @Test
    void noOptionValueIsLabelledWithAJavaFieldName() {
        List<String> fieldLabels = new ArrayList<>();
        for (CommandLine c : allCommands()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("<[a-z][A-Za-z0-9]*>")
                    .matcher(c.getUsageMessage(CommandLine.Help.Ansi.OFF));
            while (m.find()) {
                fieldLabels.add(c.getCommandSpec().qualifiedName() + ": " + m.group());
            }
        }
        assertEquals(List.of(), fieldLabels);
        String train = Main.commandLine().getSubcommands().get("train").getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(train.contains("--batch-size=BATCH_SIZE") && train.contains("--lr=LR"), train);
    }

    /** mera and every command below it (sub-subcommands such as task inspect too). */
    private static List<CommandLine> allCommands() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        c.getSubcommands().values().forEach(s -> collect(s, into));
    }
}
