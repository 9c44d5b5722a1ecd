package io.ringtrace.actors.fs;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * KernelParse.cpumask on masks wider than 32 CPUs, where bitmap_parse takes a second 32-bit
 * chunk. These answers follow lib/bitmap-str.c (v6.18); they are not measured, since the
 * machine the 2-CPU answers in GoldenKernelTest come from cannot have more CPUs than it has.
 */
@Timeout(10)
class KernelParseTest {
    private static long parse(String text, int nbits) throws ErrnoException {
        return KernelParse.cpumask(text.getBytes(StandardCharsets.ISO_8859_1), nbits);
    }

    private static void refused(Errno errno, String text, int nbits) {
        assertEquals(errno, assertThrows(ErrnoException.class, () -> parse(text, nbits)).errno(), text);
    }

    @Test
    void aSecondChunkIsTheNext32Bits() throws Exception {
        assertEquals(1L << 32, parse("00000001,00000000", 64));
        assertEquals(1L << 32 | 2, parse("1,2", 64));
        assertEquals(1L << 32 | 2, parse("1 2\n", 64));
        assertEquals(1L << 32 | 2, parse(",1,,2,", 64));
        assertEquals(-1L, parse("ffffffff,FFFFFFFF", 64));
        assertEquals(0xffL << 32, parse("ff,0", 40));
        assertEquals(1L << 32, parse("1,0", 33));
        assertEquals(5, parse("5", 40));
    }

    @Test
    void bitsBeyondTheMaskAndAThirdChunkAreOverflow() {
        refused(Errno.EOVERFLOW, "100,0", 40);
        refused(Errno.EOVERFLOW, "2,0", 33);
        refused(Errno.EOVERFLOW, "1,2,3", 64);
        refused(Errno.EOVERFLOW, "0,0,0", 64);
        refused(Errno.EOVERFLOW, "100000000,0", 64);
        refused(Errno.EINVAL, "1,zz", 64);
    }

    @Test
    void theMaskSizeIsOneTo64Cpus() {
        assertThrows(IllegalArgumentException.class, () -> parse("1", 0));
        assertThrows(IllegalArgumentException.class, () -> parse("1", 65));
    }
}
