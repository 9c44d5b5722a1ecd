package io.ringtrace.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KernelArgsTest {

    private static List<KernelArgs.Param> params(String s) {
        return KernelArgs.split(s).params();
    }

    private static KernelArgs.Param p(String name, String value) {
        return new KernelArgs.Param(name, value);
    }

    @Test
    void blankSeparated() {
        assertEquals(List.of(p("a", "1"), p("b", null), p("c", "")),
                params("  a=1 \t b\n c=  "));
    }

    @Test
    void firstEqualsSplits() {
        assertEquals(List.of(p("trace_instance", "bk=boot_map")), params("trace_instance=bk=boot_map"));
    }

    @Test
    void equalsAtPositionZeroDoesNotSplit() {
        assertEquals(List.of(p("=a", "b")), params("=a=b"));
        assertEquals(List.of(p("=", null)), params("="));
    }

    @Test
    void quotesAroundTheValue() {
        assertEquals(List.of(p("x", "a b"), p("y", "1")), params("x=\"a b\" y=1"));
    }

    @Test
    void quotesAroundTheWholeParameter() {
        assertEquals(List.of(p("x", "a b")), params("\"x=a b\""));
        assertEquals(List.of(p("abc", null)), params("\"abc\""));
    }

    @Test
    void quoteInsideAValueIsKept() {
        // kernel: only a leading quote of the value and the token's last quote go
        assertEquals(List.of(p("foo", "a b\"c"), p("d", null)), params("foo=\"a b\"c d"));
    }

    @Test
    void unbalancedQuoteRunsToTheEnd() {
        assertEquals(List.of(p("x", "a b c")), params("x=\"a b c"));
        assertEquals(List.of(p("x", "")), params("x=\""));
        assertEquals(List.of(p("", null)), params("\""));
    }

    @Test
    void doubleDashEndsTheKernelPart() {
        KernelArgs.Split s = KernelArgs.split("a=1 -- b=2  c ");
        assertEquals(List.of(p("a", "1")), s.params());
        assertEquals(List.of("b=2", "c"), s.afterDashes());
        assertEquals(List.of(p("--", "x")), params("--=x"));
    }

    @Test
    void lineRebuildsNameEqualsValue() {
        assertEquals("x=a b", p("x", "a b").line());
        assertEquals("x", p("x", null).line());
    }
}
