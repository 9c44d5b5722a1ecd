package io.ringtrace.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GeometryTest {

    @Test
    void demoReservationSplitsIntoAboutSixMegabytesPerCpu() {
        Geometry g = new Geometry(12L << 20, 2, 4096);
        int nr = g.nrPages();
        // (12 MiB - meta - scratch) / 2 per CPU, 4 KiB + 4 bytes per sub-buffer, one is the reader page
        assertTrue(nr > 1520 && nr < 1536, "nr_pages " + nr);
        long used = Geometry.RANGE_META_SIZE + Geometry.SCRATCH_SIZE + 2L * ((nr + 1) * 4100L);
        assertTrue(used <= 12L << 20);
    }

    @Test
    void everyCpuFitsAfterAlignment() {
        for (int cpus = 1; cpus <= 16; cpus++) {
            Geometry g = new Geometry(1L << 20, cpus, 4096);
            int nr = g.nrPages();
            if (nr == 0) {
                continue;
            }
            long ptr = 24 + Geometry.SCRATCH_SIZE;
            for (int c = 0; c < cpus; c++) {
                ptr += Geometry.CPU_META_SIZE + 4L * (nr + 1);
                ptr = (ptr + 4095) / 4096 * 4096;
                ptr += 4096L * (nr + 1);
            }
            assertTrue(ptr <= 1L << 20, cpus + " cpus overflow with " + nr + " pages");
        }
    }

    @Test
    void tooSmallRegionHasNoPages() {
        assertEquals(0, new Geometry(16 * 1024, 2, 4096).nrPages());
    }

    @Test
    void mismatchNamesTheField() {
        Geometry g = new Geometry(1 << 20, 2, 4096);
        assertNull(g.mismatch(new Geometry(1 << 20, 2, 4096)));
        assertEquals("total size", g.mismatch(new Geometry(2 << 20, 2, 4096)));
        assertEquals("cpus", g.mismatch(new Geometry(1 << 20, 4, 4096)));
        assertEquals("subbuf size", g.mismatch(new Geometry(1 << 20, 2, 8192)));
        assertThrows(IllegalArgumentException.class, () -> new Geometry(1 << 20, 2, 3000));
    }
}
