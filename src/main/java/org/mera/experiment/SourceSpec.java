package org.mera.experiment;

import java.nio.file.Path;
import java.util.Optional;
import org.mera.data.TaskDirectory;
import org.mera.train.AdapterFiles;

/**
 * Where a source adapter comes from: a task whose pool (or train file) mera trains an adapter on, or an adapter
 * directory the user already has (mera, AdapterHub or PEFT LoRA), identified by its directory, whatever name its
 * files give it.
 */
public sealed interface SourceSpec {
    /** The name the source has in cells and tables. */
    String name();

    /** The family of tasks it belongs to, for same-track merging, if known. */
    Optional<String> track();

    /** A task to train a source adapter on. */
    record Task(String name, TaskDirectory dir) implements SourceSpec {
        @Override
        public Optional<String> track() {
            String t = dir.task().track();
            return t == null || t.isEmpty() ? Optional.empty() : Optional.of(t);
        }
    }

    /** A trained adapter directory: bottleneck adapters take part in every method, LoRA only in {@code single}. */
    record Adapter(String name, Path dir, AdapterFiles.Kind kind, Optional<String> track) implements SourceSpec {
        public boolean isLora() {
            return kind == AdapterFiles.Kind.LORA;
        }
    }
}
