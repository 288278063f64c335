package org.mera.merge;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracksTest {
    @Test
    void builtInTracksFollowAdapterHubGrouping() {
        Tracks t = Tracks.builtIn();
        assertEquals(Optional.of("paraphrase"), t.trackOf("mrpc"));
        assertEquals(Optional.of("paraphrase"), t.trackOf("sts_b"));
        assertEquals(Optional.of("inference"), t.trackOf("MNLI"));
        assertEquals(Optional.of("sentiment"), t.trackOf("sst2"));
        assertEquals(Optional.of("acceptability"), t.trackOf("CoLA"));
        assertEquals(Optional.empty(), t.trackOf("wnli"));
        List<String> all = List.of("cola", "mnli", "mrpc", "qnli", "qqp", "rte", "sst2", "stsb");
        assertEquals(List.of("qqp", "stsb"), t.sameTrackSources("MRPC", all));
        assertEquals(List.of("qnli", "rte"), t.sameTrackSources("mnli", all));
        assertEquals(List.of(), t.sameTrackSources("sst-2", all), "a one-task track has no other sources");
        assertEquals(List.of(), t.sameTrackSources("wnli", all));
    }

    @Test
    void userTracksFromYamlAndJson(@TempDir Path tmp) throws Exception {
        Path yaml = tmp.resolve("tracks.yaml");
        Files.writeString(yaml, "tracks:\n  wordnet: [hypernym, synonym, antonym]\n  sentiment: [sst2, imdb]\n");
        Tracks t = Tracks.load(yaml, true);
        assertEquals(
                List.of("synonym", "antonym"),
                t.sameTrackSources("hypernym", List.of("hypernym", "synonym", "antonym", "mrpc")));
        assertEquals(List.of("imdb"), t.sameTrackSources("sst2", List.of("imdb", "sst2")));
        assertEquals(Optional.of("paraphrase"), t.trackOf("qqp"), "built-ins kept when extending");

        Path json = tmp.resolve("tracks.json");
        Files.writeString(json, "{\"a\": [\"x\", \"y\"], \"b\": [\"x\"]}");
        var e = assertThrows(IllegalArgumentException.class, () -> Tracks.load(json, false));
        assertTrue(e.getMessage().contains("tracks.json") && e.getMessage().contains("'x'"), e.getMessage());
        Files.writeString(json, "{\"a\": \"x\"}");
        var e2 = assertThrows(IllegalArgumentException.class, () -> Tracks.load(json, false));
        assertTrue(e2.getMessage().contains("track 'a'"), e2.getMessage());
    }
}
