package io.ringtrace.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class MemParseTest {

    @ParameterizedTest(name = "{0} -> {1} (end {2})")
    @CsvSource({
            "4096, 4096, 4",
            "12M, 12582912, 3",
            "12m, 12582912, 3",
            "4k, 4096, 2",
            "1G, 1073741824, 2",
            "1T, 1099511627776, 2",
            "1P, 1125899906842624, 2",
            "1E, 1152921504606846976, 2",
            "7E, 8070450532247928832, 2",
            "0x1000, 4096, 6",
            "0X1000, 4096, 6",
            "0x2000000, 33554432, 9",
            "0x1ak, 26624, 5",
            "010, 8, 3",
            "08, 0, 1",
            "0, 0, 1",
            "0x, 0, 1",
            "0xg, 0, 1",
            "12MB, 12582912, 3",
            "12:4096, 12, 2",
            "K, 0, 1",
            "abc, 0, 0",
            "'', 0, 0",
            "9223372036854775807, 9223372036854775807, 19",
    })
    void parses(String in, long value, int end) {
        MemParse.Parsed p = MemParse.parse(in, 0);
        assertFalse(p.overflow(), "overflow");
        assertEquals(value, p.value());
        assertEquals(end, p.end());
    }

    @ParameterizedTest
    @CsvSource({
            "99999999999999999999G",
            "9223372036854775808",
            "8E",
            "8192P",
            "0x8000000000000000",
            "0xffffffffffffffffffff",
            "18446744073709551616",
    })
    void overflowIsReported(String in) {
        MemParse.Parsed p = MemParse.parse(in, 0);
        assertTrue(p.overflow());
        assertEquals(0, p.value());
        assertEquals(in.length(), p.end(), "the whole number is consumed");
    }

    @Test
    void parsesFromAnOffset() {
        MemParse.Parsed p = MemParse.parse("x@0x284500000:12M", 2);
        assertEquals(0x284500000L, p.value());
        assertEquals(13, p.end());
        assertEquals(12L << 20, MemParse.parse("x@0x284500000:12M", 14).value());
    }

    @Test
    void parseFullyRejectsLeftovers() {
        assertEquals(4096L, MemParse.parseFully("4K"));
        assertNull(MemParse.parseFully("4KB"));
        assertNull(MemParse.parseFully(""));
        assertNull(MemParse.parseFully("99999999999999999999G"));
    }

    @Test
    void nonAsciiDigitsAreNotDigits() {
        // Arabic-Indic and full-width digits: Character.digit would accept them, the kernel not.
        assertEquals(0, MemParse.parse("\u0661\u0662", 0).end());
        assertEquals(1, MemParse.parse("0x\uff11", 0).end());
    }
}
