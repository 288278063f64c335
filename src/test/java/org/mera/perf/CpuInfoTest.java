package org.mera.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CpuInfoTest {
    @Test
    void readsModelVendorAndProcessorCount() {
        String cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9R14\n\n"
                + "processor\t: 1\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9R14\n";
        assertEquals(new CpuInfo("AMD EPYC 9R14", "AuthenticAMD", 2, 1), CpuInfo.parse(cpuinfo, 1));
    }

    @Test
    void missingFieldsAreUnknown() {
        assertEquals(new CpuInfo("unknown", "unknown", 4, 4), CpuInfo.parse("Features\t: fp asimd\n", 4));
    }
}
