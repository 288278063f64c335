package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The restricted torch.save reader on fixtures made once with real torch (src/test/resources/torch): tiny.bin is
 * {@code torch.save(OrderedDict(encoder.w=arange(6).reshape(2, 3), encoder.b=[0.5, -1.5]))}; evil.bin is a
 * torch-style zip whose pickle would call os.system, which must be refused without running anything.
 */
class TorchPickleTest {
    @Test
    void readsTensorsThatTorchSaved() throws Exception {
        Map<String, Tensor> t = TorchPickle.read(Path.of("src/test/resources/torch/tiny.bin"));
        assertEquals(2, t.size());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.get("encoder.w").data());
        assertArrayEquals(new int[] {2, 3}, t.get("encoder.w").shape());
        assertArrayEquals(new float[] {0.5f, -1.5f}, t.get("encoder.b").data());
    }

    @Test
    void refusesAPickleThatWouldRunCode() throws Exception {
        Files.deleteIfExists(Path.of("/tmp/mera-pwned"));
        Exception e =
                assertThrows(Exception.class, () -> TorchPickle.read(Path.of("src/test/resources/torch/evil.bin")));
        assertFalse(Files.exists(Path.of("/tmp/mera-pwned")), "nothing ran");
        assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "the refusal says why");
    }
}
